"""Load test: the real server (`koppel serve --workers 2`) on PostgreSQL under a mixed workload.

A fresh PostgreSQL database gets the demo data (`koppel demo --no-serve`) plus 10,000
capabilities and 50,000 open needs (``bench.api_matches.populate``); then worker threads on
loopback run a weighted mix for ``--duration`` seconds: matches for a need, need / capability
/ lead listings, need creation, lead transitions (send → view → accept/decline, or
withdraw) and workforce writes (5 %: the demo provider's sites get new free-FTE figures, which
the engine follows incrementally). Rate limits are switched off for the server under test
(they would rightly throttle a handful of tokens doing hundreds of requests a second). Where
the PostgreSQL server has autovacuum off (as on the development machine), ``bench.autovacuum``
applies its default rules meanwhile, as any production server would. Prints one JSON object.

    python -m bench.load --duration 300
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime

import httpx
from sqlalchemy import create_engine, text

from bench.api_matches import free_port, populate, scratch_database
from bench.autovacuum import Autovacuum, server_autovacuum_on

READS = ("matches", "list_needs", "list_capabilities", "list_leads", "read_need")
# percent of operations; workforce writes are the providers keeping their figures fresh (what
# the product asks of them): each changes free FTE the engine must follow without a refit
WEIGHTS = {"matches": 25, "list_needs": 15, "list_capabilities": 10, "list_leads": 10,
           "read_need": 15, "create_need": 8, "lead_cycle": 12, "workforce_write": 5}
BENCH_PASSWORD = "bench-password-1"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1)))], 2)


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_samples: list[str] = []

    def timed(self, client: httpx.Client, op: str, method: str, url: str,
              expect: tuple[int, ...] = (200,), **kw) -> httpx.Response | None:  # noqa: ANN003
        t0 = time.perf_counter()
        try:
            response = client.request(method, url, **kw)
        except httpx.HTTPError as exc:
            self._error(op, f"{op}: {exc.__class__.__name__}")
            return None
        elapsed = (time.perf_counter() - t0) * 1000
        with self.lock:
            self.latencies[op].append(elapsed)
        if response.status_code not in expect:
            self._error(op, f"{op}: {response.status_code} {response.text[:200]}")
            return None
        return response

    def _error(self, op: str, sample: str) -> None:
        with self.lock:
            self.errors[op] += 1
            if len(self.error_samples) < 10:
                self.error_samples.append(sample)


def _login(client: httpx.Client, email: str, password: str) -> dict[str, str]:
    r = client.post("/auth/token", data={"username": email, "password": password})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _worker(base: str, ctx: dict, rec: Recorder, deadline: float, seed: int,
            per_connection: int) -> None:
    rng = random.Random(seed)
    ops, weights = list(WEIGHTS), list(WEIGHTS.values())
    company, provider = ctx["company_headers"], ctx["provider_headers"]
    demo_company = ctx["demo_company_headers"]
    client = httpx.Client(base_url=base, timeout=30)
    done = 0
    while time.monotonic() < deadline:  # bounded by --duration
        done += 1
        # users come and go: every per_connection-th operation ends its keep-alive connection
        # and the next one connects afresh (to whichever worker accepts it first)
        if done % per_connection == 0:
            client.headers["Connection"] = "close"
        else:
            client.headers.pop("Connection", None)
        op = rng.choices(ops, weights)[0]
        if op == "matches":
            need = rng.choice(ctx["need_ids"])
            rec.timed(client, op, "GET", f"/needs/{need}/matches?limit=10", headers=company)
        elif op == "list_needs":
            rec.timed(client, op, "GET", "/needs", headers=company,
                      params={"limit": 20, "offset": rng.randrange(0, 2000),
                              "status": "open"})
        elif op == "list_capabilities":
            rec.timed(client, op, "GET", "/capabilities", headers=provider,
                      params={"limit": 20})
        elif op == "list_leads":
            rec.timed(client, op, "GET", "/leads", headers=provider,
                      params={"role": "inbox", "limit": 20})
        elif op == "read_need":
            rec.timed(client, op, "GET", f"/needs/{rng.choice(ctx['need_ids'])}",
                      headers=company)
        elif op == "create_need":
            body = {"site_id": ctx["company_site_id"], "title": "Retourkledij verwerken",
                    "description": "Retours wassen, strijken en herverpakken",
                    "activity": "returns.apparel", "competences": ["laundry", "packing"],
                    "placement_mode": "workshop", "fte": 2.0,
                    "accommodates_support": "medium"}
            rec.timed(client, op, "POST", "/needs", json=body, headers=company,
                      expect=(201,))
        elif op == "workforce_write":
            site = rng.choice(ctx["provider_sites"])
            rec.timed(client, op, "PUT", f"/providers/{ctx['provider_org']}/workforce/{site}",
                      headers=provider,
                      json={"free_fte_low": float(rng.randrange(4, 9)),
                            "free_fte_medium": float(rng.randrange(2, 5)),
                            "free_fte_high": float(rng.randrange(1, 3)),
                            "supervisors_available": float(rng.randrange(2, 4))})
        else:
            _lead_cycle(client, ctx, rec, rng, demo_company, provider)
    client.close()


def _lead_cycle(client: httpx.Client, ctx: dict, rec: Recorder, rng: random.Random,
                company: dict, provider: dict) -> None:
    """Send a demo need to a capability of the logged-in demo provider and answer it."""
    need_id, cap_id = rng.choice(ctx["lead_pairs"])
    sent = rec.timed(client, "lead_send", "POST", f"/needs/{need_id}/leads",
                     json={"capability_id": cap_id}, headers=company, expect=(201, 409))
    if sent is None or sent.status_code == 409:  # another thread holds this pair right now
        return
    lead_id = sent.json()["id"]
    rec.timed(client, "lead_view", "POST", f"/leads/{lead_id}/view", headers=provider)
    if rng.random() < 0.5:
        rec.timed(client, "lead_decline", "POST", f"/leads/{lead_id}/decline", headers=provider,
                  json={"reason_code": "capacity", "reason_text": "Volzet deze maand"})
    else:
        rec.timed(client, "lead_withdraw", "POST", f"/leads/{lead_id}/withdraw",
                  headers=company)


def _prepare(base: str, demo_logins: dict[str, tuple[str, str]], url: str) -> dict:
    """Log in and find (demo need, demo provider capability) pairs for lead cycles."""
    engine = create_engine(url)
    with engine.connect() as conn:
        provider_email = demo_logins["provider"][0]
        provider_org = conn.execute(text("SELECT organisation_id FROM app_user WHERE email = "
                                         ":e"), {"e": provider_email}).scalar_one()
        company_email = demo_logins["company"][0]
        company_org = conn.execute(text("SELECT organisation_id FROM app_user WHERE email = "
                                        ":e"), {"e": company_email}).scalar_one()
        caps = [str(r[0]) for r in conn.execute(text(
            "SELECT id FROM capability WHERE organisation_id = :o AND active"),
            {"o": provider_org})]
        needs = [str(r[0]) for r in conn.execute(text(
            "SELECT id FROM need WHERE organisation_id = :o AND status = 'open'"),
            {"o": company_org})]
        provider_sites = [str(r[0]) for r in conn.execute(text(
            "SELECT DISTINCT site_id FROM capability WHERE organisation_id = :o AND active"),
            {"o": provider_org})]
        bench_site = conn.execute(text(
            "SELECT s.id FROM site s JOIN app_user u ON u.organisation_id = s.organisation_id "
            "WHERE u.email = 'bench-company@example.be'")).scalar_one()
    engine.dispose()
    with httpx.Client(base_url=base, timeout=30) as client:
        ctx = {
            "company_headers": _login(client, "bench-company@example.be", BENCH_PASSWORD),
            "provider_headers": _login(client, *demo_logins["provider"]),
            "demo_company_headers": _login(client, *demo_logins["company"]),
            "company_site_id": str(bench_site),
            "provider_org": str(provider_org),
            "provider_sites": provider_sites,
        }
        pairs = []
        for need in needs:  # only pairs the API accepts (hard constraints, capacity)
            for cap in caps:
                r = client.post(f"/needs/{need}/leads", json={"capability_id": cap},
                                headers=ctx["demo_company_headers"])
                if r.status_code == 201:
                    client.post(f"/leads/{r.json()['id']}/withdraw",
                                headers=ctx["demo_company_headers"]).raise_for_status()
                    pairs.append((need, cap))
    if not pairs:
        raise SystemExit("no (demo need, demo provider capability) pair accepts a lead")
    ctx["lead_pairs"] = pairs
    return ctx


def _demo_logins() -> dict[str, tuple[str, str]]:
    """The logins `koppel demo` prints, from the same dataset."""
    from api.demo_data import build_demo_dataset
    from api.services.demo import demo_logins

    return demo_logins(build_demo_dataset())


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of ``pids`` so far (Linux /proc; processes gone meanwhile count 0)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def _tree(root: int) -> list[int]:
    """``root`` and its descendants (the uvicorn supervisor and its workers)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children[ppid].append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def _postgres_pids() -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() == "postgres":
                        pids.append(int(entry))
            except OSError:
                continue
    return pids


class CpuMeter:
    """CPU time per request of the server, PostgreSQL and this client, over the load window.

    Wall-clock throughput on a shared 2-core machine moves with whatever else runs; CPU time
    spent per request does not (much), so it shows what a change costs or saves.
    """

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid

    def __enter__(self) -> CpuMeter:
        self.server_pids = _tree(self.server_pid)
        self.server0 = _cpu_seconds(self.server_pids)
        self.pg0 = {pid: _cpu_seconds([pid]) for pid in _postgres_pids()}
        self.client0 = sum(os.times()[:2])
        return self

    def __exit__(self, *exc: object) -> None:
        self.server_s = _cpu_seconds(self.server_pids) - self.server0
        # backends that ended meanwhile are lost; those that began count from 0
        self.pg_s = sum(_cpu_seconds([pid]) - self.pg0.get(pid, 0.0) for pid in _postgres_pids())
        self.client_s = sum(os.times()[:2]) - self.client0

    def report(self, requests: int) -> dict:
        per = 1000 / max(1, requests)
        return {"server_ms": round(self.server_s * per, 2),
                "postgresql_ms": round(self.pg_s * per, 2),
                "client_ms": round(self.client_s * per, 2)}


def _summary(rec: Recorder, wall: float) -> dict:
    ops = {}
    total = sum(len(v) for v in rec.latencies.values())
    for op in sorted(rec.latencies):
        values = rec.latencies[op]
        ops[op] = {"requests": len(values), "per_s": round(len(values) / wall, 1),
                   "p50_ms": _percentile(values, 0.5), "p95_ms": _percentile(values, 0.95),
                   "p99_ms": _percentile(values, 0.99), "errors": rec.errors.get(op, 0)}
    reads = [v for op in READS for v in rec.latencies.get(op, [])]
    return {
        "requests": total,
        "throughput_per_s": round(total / wall, 1),
        "reads": {"p50_ms": _percentile(reads, 0.5), "p95_ms": _percentile(reads, 0.95),
                  "p99_ms": _percentile(reads, 0.99)} if reads else None,
        "errors": sum(rec.errors.values()),
        "error_samples": rec.error_samples,
        "operations": ops,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, default=300, help="seconds of load (default 300)")
    ap.add_argument("--threads", type=int, default=12)
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--per-connection", type=int, default=20,
                    help="requests per keep-alive connection before the client reconnects")
    ap.add_argument("--caps", type=int, default=10_000)
    ap.add_argument("--needs", type=int, default=50_000)
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    ap.add_argument("--reuse", metavar="URL",
                    help="run against a database an earlier --keep run left behind")
    args = ap.parse_args()

    if args.reuse:
        _run(args, args.reuse)
        return
    with scratch_database("koppel_load", keep=args.keep) as url:
        if args.keep:
            print(f"keeping {url}", file=sys.stderr)
        _run(args, url)


def _run(args: argparse.Namespace, url: str) -> None:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "ENVIRONMENT": "test",
           "SECRET_KEY": "load-" + uuid.uuid4().hex, "RATE_LIMIT_ENABLED": "false"}
    server = None
    try:
        t0 = time.perf_counter()
        demo_logins = _demo_logins()
        if not args.reuse:
            subprocess.run([sys.executable, "-m", "api.cli", "demo", "--no-serve"], env=env,
                           check=True, stdout=subprocess.DEVNULL)
            populate(url, args.caps, args.needs)
        engine = create_engine(url)
        with engine.connect() as conn:
            need_ids = [str(r[0]) for r in conn.execute(text(
                "SELECT n.id FROM need n JOIN app_user u ON u.organisation_id = "
                "n.organisation_id WHERE u.email = 'bench-company@example.be' LIMIT 5000"))]
            counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                      for t in ("organisation", "capability", "need")}
        engine.dispose()
        setup_s = time.perf_counter() - t0
        server = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port",
             str(port), "--workers", str(args.workers)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):  # bounded wait for readiness (30 s)
            try:
                if httpx.get(base + "/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass  # not listening yet: poll again
            time.sleep(0.1)
        else:
            raise SystemExit("server did not become ready")
        ctx = _prepare(base, demo_logins, url)
        ctx["need_ids"] = need_ids
        with httpx.Client(base_url=base) as warm:  # each worker fits its engine once
            for need in need_ids[:8]:
                warm.get(f"/needs/{need}/matches", headers=ctx["company_headers"], timeout=60)
        rec = Recorder()
        # production PostgreSQL vacuums as rows die; where the server does not, the bench does
        vacuum = None if server_autovacuum_on(url) else Autovacuum(url)
        start = time.monotonic()
        deadline = start + args.duration
        threads = [threading.Thread(target=_worker, args=(base, ctx, rec, deadline, i,
                                          args.per_connection),
                                    daemon=True) for i in range(args.threads)]
        with vacuum or contextlib.nullcontext(), CpuMeter(server.pid) as cpu:
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=args.duration + 120)
        wall = time.monotonic() - start
        result = {
            "benchmark": "load_mixed_postgresql",
            "date": datetime.now(UTC).date().isoformat(),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "load_average_1m": round(os.getloadavg()[0], 2)},
            "server": {"uvicorn_workers": args.workers, "rate_limits": "off"},
            "autovacuum": vacuum.report() if vacuum else {"by": "server"},
            "data": counts,
            "client_threads": args.threads,
            "requests_per_connection": args.per_connection,
            "duration_s": round(wall, 1),
            "setup_s": round(setup_s, 1),
            "weights": WEIGHTS,
            "lead_pairs": len(ctx["lead_pairs"]),
            **_summary(rec, wall),
            "cpu_per_request": cpu.report(sum(len(v) for v in rec.latencies.values())),
            "targets": {"throughput_per_s": 200, "read_p95_ms": 100, "errors": 0},
        }
        print(json.dumps(result, indent=2))
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
