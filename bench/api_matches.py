"""Benchmark: GET /needs/{id}/matches on PostgreSQL with many capabilities.

Creates a throw-away PostgreSQL database, migrates it, inserts M provider sites with
workforce and one capability each on real Flemish municipalities, plus a company with N open
needs; serves the real app with uvicorn on 127.0.0.1 and times HTTP requests with httpx.
Prints one JSON object.

    python -m bench.api_matches --caps 10000 --requests 300

Two phases in one run, on the same server, interleaved in rounds of 20 so both see the same
machine load: reads only, and each read right after one ``PUT /providers/{id}/workforce/{site}``
(new figures for a site whose capability is in the read need's activity group, so every read
follows a write it can see). Only the read is timed in the second phase; the PUT is reported
apart. The load average is recorded beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import statistics
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx
import uvicorn
from sqlalchemy import create_engine, insert, text

from api.config import Settings
from api.db import make_engine
from api.main import create_app
from api.migrate import upgrade
from api.security import hash_password
from api.services.matching import ENGINES
from models import taxonomy
from models.capability import Capability
from models.gazetteer import municipalities
from models.need import Need
from models.organisation import Organisation, User
from models.site import Site, Workforce

ADMIN_URL = os.environ.get(
    "KOPPEL_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def scratch_database(prefix: str = "koppel_bench", *, keep: bool = False) -> Iterator[str]:
    """A new, empty PostgreSQL database for one benchmark run, dropped afterwards."""
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _enterprise(seed: int) -> str:
    base = 10_000_000 + seed
    d = f"{base:08d}{97 - base % 97:02d}"
    return f"{d[:4]}.{d[4:7]}.{d[7:]}"



def site_row(organisation_id: uuid.UUID, m, name: str, now: datetime, *,  # noqa: ANN001
             jitter: tuple[float, float] = (0.0, 0.0), public_transport: str = "good",
             site_id: uuid.UUID | None = None) -> dict:
    """A `site` row placed on gazetteer municipality ``m`` (bulk inserts for benchmarks)."""
    return {"id": site_id or uuid.uuid4(), "organisation_id": organisation_id, "name": name,
            "street": "", "postcode": m.postcodes[0], "municipality_nis": m.nis,
            "municipality": m.name, "arrondissement_nis": m.arrondissement_nis,
            "arrondissement": m.arrondissement, "province": m.province,
            "lat": m.lat + jitter[0], "lon": m.lon + jitter[1], "coordinates_approximate": False,
            "public_transport_access": public_transport, "created_at": now, "updated_at": now}

def populate(url: str, n_caps: int, n_needs: int, seed: int = 7) -> tuple[str, list[str]]:
    rng = random.Random(seed)
    places = list(municipalities(region="flanders"))
    acts = list(taxonomy.activities().values())
    comps = sorted(taxonomy.competence_codes())
    now = datetime.now(UTC)
    engine = create_engine(url)
    n_providers = max(1, n_caps // 5)
    orgs, sites, workforce, caps = [], [], [], []
    provider_ids = [uuid.uuid4() for _ in range(n_providers)]
    for i, pid in enumerate(provider_ids):
        orgs.append(
            {
                "id": pid,
                "kind": "provider",
                "name": f"Maatwerk {i}",
                "enterprise_number": _enterprise(i),
                "nace_codes": [],
                "description": "",
                "illustrative": True,
                "created_at": now,
                "updated_at": now,
            }
        )
    for i in range(n_caps):
        m = rng.choice(places)
        sid, pid = uuid.uuid4(), provider_ids[i % n_providers]
        act = rng.choice(acts)
        sites.append(site_row(pid, m, f"Site {i}", now, site_id=sid,
                              jitter=(rng.uniform(-0.02, 0.02), rng.uniform(-0.02, 0.02))))
        workforce.append(
            {
                "id": uuid.uuid4(),
                "site_id": sid,
                "organisation_id": pid,
                "free_fte_low": rng.uniform(0, 10),
                "free_fte_medium": rng.uniform(0, 10),
                "free_fte_high": rng.uniform(0, 5),
                "supervisors_available": float(rng.randint(0, 4)),
                "figures_as_of": now,
                "created_at": now,
                "updated_at": now,
            }
        )
        caps.append(
            {
                "id": uuid.uuid4(),
                "organisation_id": pid,
                "site_id": sid,
                "activity": act.code,
                "competences": rng.sample(comps, 3) + list(act.typical_competences[:2]),
                "description": act.label["nl"],
                "placement_modes": list(act.modes),
                "service_radius_km": rng.choice([None, 50.0, 100.0]),
                "certifications": [],
                "shifts": ["day"],
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
        )
    company_id, company_site = uuid.uuid4(), uuid.uuid4()
    m = next(p for p in places if p.name == "Roeselare")
    email = "bench-company@example.be"
    with engine.begin() as conn:
        conn.execute(
            insert(Organisation.__table__),
            orgs
            + [
                {
                    "id": company_id,
                    "kind": "company",
                    "name": "Bench BV",
                    "enterprise_number": _enterprise(10**6),
                    "nace_codes": [],
                    "description": "",
                    "illustrative": True,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
        conn.execute(
            insert(User.__table__),
            [
                {
                    "id": uuid.uuid4(),
                    "email": email,
                    "full_name": "",
                    "password_hash": hash_password("bench-password-1"),
                    "role": "company",
                    "organisation_id": company_id,
                    "is_active": True,
                    "token_version": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
        for chunk in range(0, len(sites), 2000):
            conn.execute(insert(Site.__table__), sites[chunk : chunk + 2000])
            conn.execute(insert(Workforce.__table__), workforce[chunk : chunk + 2000])
            conn.execute(insert(Capability.__table__), caps[chunk : chunk + 2000])
        conn.execute(
            insert(Site.__table__),
            [
                site_row(company_id, m, "HQ", now, site_id=company_site,
                         public_transport="limited")
            ],
        )
        need_ids = []
        rows = []
        for i in range(n_needs):
            act = rng.choice(acts)
            nid = uuid.uuid4()
            need_ids.append(str(nid))
            rows.append(
                {
                    "id": nid,
                    "organisation_id": company_id,
                    "site_id": company_site,
                    "title": f"Need {i}",
                    "description": act.label["nl"],
                    "activity": act.code,
                    "competences": list(act.typical_competences),
                    "placement_mode": act.modes[0],
                    "fte": rng.choice([1.0, 2.0, 4.0, 8.0]),
                    "accommodates_support": rng.choice(["low", "medium", "high"]),
                    "time_pressure": "low",
                    "peak_season": False,
                    "shifts": ["day"],
                    "certifications_required": [],
                    "max_distance_km": None,
                    "complementary": True,
                    "status": "open",
                    "contracted_fte": 0.0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        conn.execute(insert(Need.__table__), rows)
    # A bulk load leaves no planner statistics and an empty visibility map (so a count cannot
    # be answered from an index alone). Autovacuum would settle both within a minute in
    # production; it may be off on a benchmark machine (it is on ours), so do it here.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return email, need_ids


def provider_user(url: str, need_id: str) -> tuple[str, str, str]:
    """A provider user (email) for a site with a capability in the need's activity group."""
    engine = create_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        activity = conn.execute(text("SELECT activity FROM need WHERE id = :id"),
                                {"id": need_id}).scalar_one()
        org_id, site_id = conn.execute(text(
            "SELECT organisation_id, site_id FROM capability WHERE activity LIKE :g "
            "ORDER BY id LIMIT 1"), {"g": activity.split(".", 1)[0] + ".%"}).one()
        email = "bench-provider@example.be"
        conn.execute(insert(User.__table__), [{
            "id": uuid.uuid4(), "email": email, "full_name": "",
            "password_hash": hash_password("bench-password-1"), "role": "provider",
            "organisation_id": org_id, "is_active": True, "token_version": 0,
            "created_at": now, "updated_at": now}])
    engine.dispose()
    return email, str(org_id), str(site_id)


def _needs_in_group_of(url: str, need_id: str) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        activity = conn.execute(text("SELECT activity FROM need WHERE id = :id"),
                                {"id": need_id}).scalar_one()
        rows = conn.execute(text("SELECT id FROM need WHERE activity LIKE :g"),
                            {"g": activity.split(".", 1)[0] + ".%"}).scalars().all()
    engine.dispose()
    return {str(r) for r in rows}


def _token(client: httpx.Client, email: str) -> dict[str, str]:
    r = client.post("/auth/token", data={"username": email, "password": "bench-password-1"})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _summary(latencies: list[float]) -> dict[str, float]:
    latencies = sorted(latencies)
    return {"requests": len(latencies), "p50_ms": round(statistics.median(latencies), 2),
            "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 2),
            "max_ms": round(latencies[-1], 2)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--caps", type=int, default=10_000)
    ap.add_argument("--needs", type=int, default=200)
    ap.add_argument("--requests", type=int, default=300)
    args = ap.parse_args()

    with scratch_database() as url:
        t0 = time.perf_counter()
        upgrade(url)
        email, need_ids = populate(url, args.caps, args.needs)
        provider_email, provider_org, provider_site = provider_user(url, need_ids[0])
        same_group = _needs_in_group_of(url, need_ids[0])
        setup_s = time.perf_counter() - t0
        settings = Settings(environment="test", database_url=url, secret_key="bench-" + "x" * 32,
                            rate_limit_enabled=False)
        app = create_app(settings=settings, engine=make_engine(url))
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=60) as client:
            headers = _token(client, email)
            provider_headers = _token(client, provider_email)
            t0 = time.perf_counter()
            first = client.get(f"/needs/{need_ids[0]}/matches", headers=headers)
            first.raise_for_status()
            cold_ms = (time.perf_counter() - t0) * 1000
            group_needs = [n for n in need_ids if n in same_group] or need_ids[:1]
            reads, written_reads, puts, loads = [], [], [], []
            rounds = max(1, args.requests // 20)
            for r_i in range(rounds):
                loads.append(os.getloadavg()[0])
                for i in range(20):
                    need = need_ids[(r_i * 20 + i) % len(need_ids)]
                    t0 = time.perf_counter()
                    r = client.get(f"/needs/{need}/matches", headers=headers)
                    reads.append((time.perf_counter() - t0) * 1000)
                    r.raise_for_status()
                for i in range(20):
                    n = r_i * 20 + i
                    t0 = time.perf_counter()
                    w = client.put(f"/providers/{provider_org}/workforce/{provider_site}",
                                   headers=provider_headers,
                                   json={"free_fte_low": 1.0 + n % 7, "free_fte_medium": 2.0,
                                         "free_fte_high": float(n % 3),
                                         "supervisors_available": 1.0 + n % 2})
                    puts.append((time.perf_counter() - t0) * 1000)
                    w.raise_for_status()
                    need = group_needs[n % len(group_needs)]
                    t0 = time.perf_counter()
                    r = client.get(f"/needs/{need}/matches", headers=headers)
                    written_reads.append((time.perf_counter() - t0) * 1000)
                    r.raise_for_status()
        server.should_exit = True
        thread.join(timeout=10)
        counts = dict(ENGINES.counts)
        plain, after_write = _summary(reads), _summary(written_reads)
        result = {
            "benchmark": "api_matches_postgresql",
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "date": datetime.now(UTC).date().isoformat(),
            "capabilities": args.caps,
            "setup_s": round(setup_s, 2),
            "cold_first_request_ms": round(cold_ms, 1),
            "reads_only": plain,
            "read_after_workforce_put": after_write,
            "workforce_put": _summary(puts),
            "ratio_p95_after_write_vs_reads_only": round(
                after_write["p95_ms"] / plain["p95_ms"], 2),
            "engine_cache": counts,
            "load_average_1m": {"min": round(min(loads), 2), "max": round(max(loads), 2),
                                "mean": round(statistics.mean(loads), 2)},
            "target_p95_after_write_ms": 100,
            "target_ratio": 3.0,
        }
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
