"""Prometheus series of the API and the worker (``prometheus-client``'s default registry).

Counters and histograms are process-wide and updated where things happen; the figures read
from the database (outbox backlog, cluster runs, pool use) are collected at scrape time by
:class:`DatabaseCollector`, registered per app in ``api.main``.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter("koppel_http_requests_total", "HTTP requests answered",
                   ["method", "route", "status"])
LATENCY = Histogram("koppel_http_request_duration_seconds",
                    "Time from request start to the end of the response",
                    ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
ENGINE_FITS = Counter("koppel_engine_fits_total", "Full fits of the matching engine")
ENGINE_UPDATES = Counter("koppel_engine_incremental_updates_total",
                         "Incremental updates of a fitted matching engine")
LIMITER_ERRORS = Counter("koppel_rate_limit_storage_errors_total",
                         "Rate-limit storage (Redis) calls that failed")
LIMITER_FAIL_OPEN = Counter("koppel_rate_limit_fail_open_total",
                            "Rate-limit checks let through unchecked because the storage failed")
WORKER_ERRORS = Counter("koppel_worker_pass_errors_total",
                        "Worker passes that failed (database or network errors)", ["kind"])
