"""Benchmark: the public directory search on PostgreSQL with many capabilities.

Creates a throw-away PostgreSQL database, migrates it and fills it with the synthetic world of
``bench.api_matches`` (N capabilities, one site with workforce each, five per provider, on
real Flemish municipalities); serves the real app with uvicorn on 127.0.0.1 and times
anonymous ``GET /directory/providers`` requests over a fixed mix of filters (postcode alone,
postcode + radius, activity, family + placement mode, text, no filter). Baseline, in the same
run and on the same mix: the one grouped SQL query the endpoint runs for its page, executed
directly on a session (no HTTP, no presentation); and the whole service call in process (both
queries and the presentation, no HTTP). Prints one JSON object with the load average.

    python -m bench.directory --caps 10000 --requests 400
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import threading
import time
from datetime import UTC, datetime

import httpx
import uvicorn
from sqlmodel import Session

from api.config import Settings
from api.db import make_engine
from api.main import create_app
from api.migrate import upgrade
from api.services import directory as service
from bench.api_matches import free_port, populate, scratch_database
from models import taxonomy
from models.gazetteer import lookup_postcode, municipalities

LIMIT = 20


def request_mix(n: int, seed: int = 11) -> list[dict]:
    """``n`` query-parameter sets, drawn reproducibly from six shapes of search."""
    rng = random.Random(seed)
    postcodes = [m.postcodes[0] for m in municipalities(region="flanders")]
    codes = sorted(taxonomy.activity_codes())
    families = sorted(taxonomy.families())
    shapes = [
        lambda: {"postcode": rng.choice(postcodes)},
        lambda: {"postcode": rng.choice(postcodes), "radius_km": rng.choice([10, 25, 50])},
        lambda: {"activity": rng.choice(codes), "postcode": rng.choice(postcodes)},
        lambda: {"family": rng.choice(families), "placement_mode": "workshop"},
        lambda: {"q": rng.choice(["retour", "kledij", "magazijn", "maatwerk 1"])},
        lambda: {"offset": rng.choice([0, 20, 200])},
    ]
    return [{**shapes[i % len(shapes)](), "limit": LIMIT} for i in range(n)]


def as_query(params: dict) -> service.DirectoryQuery:
    """The service query the route builds from ``params`` (same filters, for the baseline)."""
    activities = None
    if "activity" in params:
        activities = frozenset({params["activity"]})
    if "family" in params:
        activities = service.activities_of_family(params["family"])
    place = lookup_postcode(params["postcode"]) if "postcode" in params else None
    return service.DirectoryQuery(activities=activities, place=place,
                                  radius_km=params.get("radius_km"),
                                  placement_mode=params.get("placement_mode"),
                                  text=params.get("q"))


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[int(q * (len(ordered) - 1))], 2)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--caps", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=400)
    args = ap.parse_args(argv)
    mix = request_mix(args.requests)
    load_before = os.getloadavg()

    with scratch_database("koppel_bench_dir") as url:
        t0 = time.perf_counter()
        upgrade(url)
        populate(url, args.caps, 1)
        setup_s = time.perf_counter() - t0
        engine = make_engine(url)

        baseline = []
        with Session(engine) as session:
            for params in mix[:20]:  # warm the pool and the plans
                session.exec(service.page_statement(as_query(params), limit=LIMIT,
                                                    offset=params.get("offset", 0))).all()
            for params in mix:
                stmt = service.page_statement(as_query(params), limit=LIMIT,
                                              offset=params.get("offset", 0))
                t0 = time.perf_counter()
                session.exec(stmt).all()
                baseline.append((time.perf_counter() - t0) * 1000)

        # the whole service (page SQL, the page's capabilities, presentation), no HTTP
        in_process = []
        with Session(engine) as session:
            for params in mix:
                t0 = time.perf_counter()
                service.search(session, as_query(params), limit=LIMIT,
                               offset=params.get("offset", 0), stale_days=90)
                in_process.append((time.perf_counter() - t0) * 1000)
                session.rollback()

        settings = Settings(environment="test", database_url=url, secret_key="bench-" + "x" * 32,
                            rate_limit_enabled=False)
        app = create_app(settings=settings, engine=engine)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        latencies, totals = [], []
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            t0 = time.perf_counter()
            client.get("/directory/providers", params=mix[0]).raise_for_status()
            cold_ms = (time.perf_counter() - t0) * 1000
            cpu0 = time.process_time()
            for params in mix:
                t0 = time.perf_counter()
                r = client.get("/directory/providers", params=params)
                latencies.append((time.perf_counter() - t0) * 1000)
                r.raise_for_status()
                totals.append(r.json()["total"])
            # client and server share this process: CPU per request of both together (the
            # PostgreSQL server's CPU is not in it); unlike wall time it barely moves with load
            cpu_ms = (time.process_time() - cpu0) * 1000 / len(mix)
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()

    result = {
        "benchmark": "directory_search_postgresql",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "loadavg_before": [round(x, 2) for x in load_before],
                    "loadavg_after": [round(x, 2) for x in os.getloadavg()]},
        "date": datetime.now(UTC).date().isoformat(),
        "capabilities": args.caps,
        "requests": args.requests,
        "page_size": LIMIT,
        "setup_s": round(setup_s, 2),
        "median_total_providers": sorted(totals)[len(totals) // 2],
        "cold_first_request_ms": round(cold_ms, 1),
        "http": {"p50_ms": _ms(latencies, 0.5), "p95_ms": _ms(latencies, 0.95),
                 "max_ms": round(max(latencies), 2),
                 "python_cpu_ms_per_request": round(cpu_ms, 2)},
        "service_in_process": {"p50_ms": _ms(in_process, 0.5),
                               "p95_ms": _ms(in_process, 0.95)},
        "baseline_page_sql": {"p50_ms": _ms(baseline, 0.5), "p95_ms": _ms(baseline, 0.95),
                              "max_ms": round(max(baseline), 2)},
        "target_p95_ms": 50,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
