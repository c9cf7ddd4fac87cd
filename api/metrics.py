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
ENGINE_FITS = Counter("koppel_engine_fits_total",
                      "Full fits of the matching engine, by why "
                      "(cold, data_changed, expired, background)",
                      ["reason"])
ENGINE_UPDATES = Counter("koppel_engine_incremental_updates_total",
                         "Incremental updates of a fitted matching engine")
LIMITER_ERRORS = Counter("koppel_rate_limit_storage_errors_total",
                         "Rate-limit storage (Redis) calls that failed")
LIMITER_FAIL_OPEN = Counter("koppel_rate_limit_fail_open_total",
                            "Rate-limit checks let through unchecked because the storage failed")
WORKER_ERRORS = Counter("koppel_worker_pass_errors_total",
                        "Worker passes that failed (database or network errors)", ["kind"])


def database_families(session, engine) -> list:  # noqa: ANN001
    """Scrape-time figures from the database and the connection pool (one app's engine).

    The outbox carries two delivery channels, ``webhook`` and ``email``; a pending message counts
    as backlog of its channel and its age is measured from when the change that wrote it
    committed.
    """
    from datetime import UTC

    import sqlalchemy as sa
    from prometheus_client.core import GaugeMetricFamily
    from sqlmodel import col

    from models.base import utcnow
    from models.cluster import ClusterRun
    from models.webhook import Channel, OutboxEvent

    now = utcnow()
    backlog = GaugeMetricFamily("koppel_outbox_backlog", "Outbox events not yet delivered",
                                labels=["channel"])
    oldest = GaugeMetricFamily("koppel_outbox_oldest_age_seconds",
                               "Age of the oldest undelivered outbox event (0 when none)",
                               labels=["channel"])
    rows = session.exec(
        sa.select(col(OutboxEvent.channel), sa.func.count(), sa.func.min(OutboxEvent.created_at))
        .where(col(OutboxEvent.status) == "pending")
        .group_by(col(OutboxEvent.channel))).all()
    pending = {channel: (count, first) for channel, count, first in rows}
    for channel in [c.value for c in Channel]:
        count, first = pending.get(channel, (0, None))
        if first is not None and first.tzinfo is None:  # SQLite hands back naive UTC
            first = first.replace(tzinfo=UTC)
        backlog.add_metric([channel], count)
        oldest.add_metric([channel], max(0.0, (now - first).total_seconds()) if first else 0.0)
    runs = GaugeMetricFamily("koppel_cluster_runs", "Cluster runs waiting or executing",
                             labels=["status"])
    by_status = dict(session.exec(
        sa.select(col(ClusterRun.status), sa.func.count())
        .where(col(ClusterRun.status).in_(("queued", "running")))
        .group_by(ClusterRun.status)).all())
    for status in ("queued", "running"):
        runs.add_metric([status], by_status.get(status, 0))
    pool = engine.pool
    size = GaugeMetricFamily("koppel_db_pool_size", "Connections the pool keeps open")
    used = GaugeMetricFamily("koppel_db_pool_checked_out", "Pooled connections in use")
    overflow = GaugeMetricFamily("koppel_db_pool_overflow", "Connections beyond the pool size")
    size.add_metric([], _pool_figure(pool, "size"))
    used.add_metric([], _pool_figure(pool, "checkedout"))
    overflow.add_metric([], max(0, _pool_figure(pool, "overflow")))
    return [backlog, oldest, runs, size, used, overflow]


def _pool_figure(pool, name: str) -> float:  # noqa: ANN001
    figure = getattr(pool, name, None)
    return float(figure()) if callable(figure) else 0.0


def exposition(session, engine) -> bytes:  # noqa: ANN001
    """The process's series and this app's database figures, in Prometheus text format."""
    from prometheus_client import REGISTRY, CollectorRegistry, generate_latest

    class _Database:
        def collect(self):  # noqa: ANN202
            return database_families(session, engine)

    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(_Database())
    return generate_latest(REGISTRY) + generate_latest(scrape)
