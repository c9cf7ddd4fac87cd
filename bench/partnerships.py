"""Benchmark: GET /needs/{id}/partnerships for one need at 10,000 capabilities on PostgreSQL.

Builds the world of bench/api_matches.py (M provider sites with workforce and one capability
each on real Flemish municipalities, a company with open needs) in a throw-away PostgreSQL
database, adds one need too large for any single site (40 FTE of returns logistics in
Roeselare; no site has more than 25 free), serves the real app with uvicorn and times HTTP
requests with httpx. Baseline in the same run: GET /needs/{id}/matches on the same need. Both
endpoints keep served pages per fitted engine, so each is timed twice: as served (repeats hit
the page) and uncached (the pages dropped before every request: the search itself, as after
every catalogue write). Prints one JSON object with the machine load before and after.

    python -m bench.partnerships --caps 10000 --requests 300
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import threading
import time
import uuid
from datetime import UTC, datetime

import httpx
import uvicorn
from sqlalchemy import create_engine, insert, select

from api.config import Settings
from api.db import make_engine
from api.main import create_app
from api.migrate import upgrade
from api.services.matching import MATCH_PAGES
from bench.api_matches import free_port, populate, scratch_database
from models.need import Need

NEED_FTE = 40.0


def add_large_need(url: str, like_need_id: str) -> str:
    """A 40 FTE open need of the bench company at its site (returns logistics, workshop)."""
    engine = create_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        org_id, site_id = conn.execute(select(Need.organisation_id, Need.site_id)
                                       .where(Need.id == uuid.UUID(like_need_id))).one()
        nid = uuid.uuid4()
        conn.execute(insert(Need.__table__), [{
            "id": nid, "organisation_id": org_id, "site_id": site_id,
            "title": "Retourkledij seizoenspiek", "description": "Retours wassen en herverpakken",
            "activity": "returns.apparel", "competences": ["laundry", "packing"],
            "placement_mode": "workshop", "fte": NEED_FTE, "accommodates_support": "medium",
            "time_pressure": "low", "peak_season": False, "shifts": ["day"],
            "certifications_required": [], "max_distance_km": None, "complementary": True,
            "status": "open", "contracted_fte": 0.0, "created_at": now, "updated_at": now}])
    engine.dispose()
    return str(nid)


def _time(client: httpx.Client, url: str, headers: dict, n: int,
          uncached: bool = False) -> tuple[float, list[float]]:
    MATCH_PAGES.clear()
    t0 = time.perf_counter()
    client.get(url, headers=headers).raise_for_status()
    cold = (time.perf_counter() - t0) * 1000
    out = []
    for _ in range(n):
        if uncached:  # the server runs in this process: drop its served pages
            MATCH_PAGES.clear()
        t0 = time.perf_counter()
        r = client.get(url, headers=headers)
        out.append((time.perf_counter() - t0) * 1000)
        r.raise_for_status()
    out.sort()
    return cold, out


def _summary(cold: float, latencies: list[float]) -> dict:
    return {"cold_first_request_ms": round(cold, 1),
            "p50_ms": round(statistics.median(latencies), 2),
            "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 2),
            "max_ms": round(latencies[-1], 2)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--caps", type=int, default=10_000)
    ap.add_argument("--needs", type=int, default=200)
    ap.add_argument("--requests", type=int, default=300)
    args = ap.parse_args()
    load_before = os.getloadavg()
    with scratch_database() as url:
        t0 = time.perf_counter()
        upgrade(url)
        email, need_ids = populate(url, args.caps, args.needs)
        need_id = add_large_need(url, need_ids[0])
        setup_s = time.perf_counter() - t0
        # two endpoints x 300 requests from one token: the per-token limit would answer 429
        settings = Settings(environment="test", database_url=url, secret_key="bench-" + "x" * 32,
                            rate_limit_enabled=False)
        app = create_app(settings=settings, engine=make_engine(url))
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            token = client.post("/auth/token", data={"username": email,
                                                     "password": "bench-password-1"}).json()
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            body = client.get(f"/needs/{need_id}/partnerships?limit=3", headers=headers).json()
            p_url = f"/needs/{need_id}/partnerships?limit=3"
            m_url = f"/needs/{need_id}/matches?limit=10"
            p_cold, p_lat = _time(client, p_url, headers, args.requests)
            m_cold, m_lat = _time(client, m_url, headers, args.requests)
            pu_cold, pu_lat = _time(client, p_url, headers, args.requests, uncached=True)
            mu_cold, mu_lat = _time(client, m_url, headers, args.requests, uncached=True)
        server.should_exit = True
        thread.join(timeout=10)
    partnerships = _summary(p_cold, p_lat)
    result = {
        "benchmark": "api_partnerships_postgresql",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "date": datetime.now(UTC).date().isoformat(),
        "capabilities": args.caps,
        "requests": args.requests,
        "need_fte": NEED_FTE,
        "setup_s": round(setup_s, 2),
        "proposals": len(body["items"]),
        "best_single_fte": body["best_single_fte"],
        "best_proposal": {"covered_fte": body["items"][0]["covered_fte"],
                          "members": len(body["items"][0]["members"]),
                          "mean_distance_km": body["items"][0]["mean_distance_km"]}
        if body["items"] else None,
        "partnerships": partnerships,
        "baseline_matches": _summary(m_cold, m_lat),
        "partnerships_uncached": _summary(pu_cold, pu_lat),
        "baseline_matches_uncached": _summary(mu_cold, mu_lat),
        "target_p95_ms": 50,
        "meets_target": partnerships["p95_ms"] <= 50,
        "meets_target_uncached": _summary(pu_cold, pu_lat)["p95_ms"] <= 50,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
