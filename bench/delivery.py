"""Benchmark: how long one tenant's webhook waits while another tenant's receiver is slow.

Two tenants on a fresh, migrated database. Tenant A's receiver sleeps ``--delay`` seconds
before answering (longer than the 5 s webhook timeout, so every attempt fails) and holds
``--slow-events`` due events; tenant B's receiver answers at once, and B's single event is
queued right after A's. The figure is B's wait: from the moment its event is committed (due)
to its arrival at B's receiver.

- ``sequential``: one attempt at a time in due order, as the worker did before
  (``deliver_due`` with a single sender thread).
- ``dispatcher``: the worker's ``Dispatcher``, one attempt in flight per destination.

Prints one JSON object.

    python -m bench.delivery --slow-events 10 --delay 6
    python -m bench.delivery --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.config import Settings
from api.db import make_engine
from api.migrate import upgrade
from api.services import webhooks
from api.services.delivery import Dispatcher, Transports, deliver_due
from api.services.mail import Mailer
from models.base import utcnow
from models.organisation import Organisation
from models.webhook import WebhookEndpoint


class Receiver:
    def __init__(self, delay: float) -> None:
        self.arrivals: dict[str, float] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(delay)
                receiver.arrivals.setdefault(json.loads(raw)["id"], time.monotonic())
                try:
                    self.send_response(204)
                    self.end_headers()
                except OSError:
                    pass  # the sender timed out already

            def log_message(self, *args) -> None:  # noqa: ANN002
                """Silent."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _tenant(engine: Engine, name: str, url: str) -> uuid.UUID:
    with Session(engine) as session:
        org = Organisation(kind="provider", name=name)
        session.add(org)
        session.flush()
        session.add(WebhookEndpoint(organisation_id=org.id, url=url,
                                    secret=webhooks.new_secret()))
        session.commit()
        return org.id


def _queue(engine: Engine, org_id: uuid.UUID, n: int, tag: str) -> list[str]:
    with Session(engine) as session:
        events = [webhooks.enqueue(session, organisation_id=org_id, lead_id=None,
                                   event_type="lead.sent", sequence=i, payload={"n": i},
                                   event_key=f"{tag}:{i}", now=utcnow()) for i in range(n)]
        session.commit()
        return [str(e.id) for e in events]


def _wait(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not condition():
        time.sleep(0.01)
    return condition()


def run(engine: Engine, mode: str, slow_events: int, delay: float) -> dict:
    slow, fast = Receiver(delay), Receiver(0.0)
    tag = uuid.uuid4().hex[:8]
    transports = Transports(httpx.Client(), Mailer(Settings(environment="test")),
                            allow_private=True)
    try:
        slow_org = _tenant(engine, f"Slow {tag}", slow.url)
        fast_org = _tenant(engine, f"Fast {tag}", fast.url)
        _queue(engine, slow_org, slow_events, f"slow-{tag}")
        (event_id,) = _queue(engine, fast_org, 1, f"fast-{tag}")
        due = time.monotonic()
        if mode == "sequential":
            deliver_due(engine, transports, batch=slow_events + 1, max_workers=1)
        else:
            dispatcher = Dispatcher(engine, transports, poll_seconds=0.1)
            dispatcher.pump()
            _wait(lambda: event_id in fast.arrivals, slow_events * (delay + 1))
            dispatcher.close()
        arrived = fast.arrivals.get(event_id)
        return {"mode": mode, "other_tenant_wait_s":
                round(arrived - due, 3) if arrived is not None else None}
    finally:
        transports.http.close()
        slow.close()
        fast.close()


def _fresh_database(admin_url: str | None) -> tuple[str, Callable[[], None]]:
    if not admin_url:
        path = os.path.join(tempfile.mkdtemp(prefix="koppel-bench-"), "delivery.db")
        return f"sqlite:///{path}", lambda: None
    admin_url = admin_url.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"koppel_bench_delivery_{os.getpid()}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin_url.rsplit("/", 1)[0] + "/" + name, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--slow-events", type=int, default=10)
    parser.add_argument("--delay", type=float, default=6.0,
                        help="seconds the slow receiver sleeps before answering")
    parser.add_argument("--database-url", help="PostgreSQL admin URL; default a SQLite file")
    args = parser.parse_args()
    url, drop = _fresh_database(args.database_url)
    load_before = os.getloadavg()[0]
    try:
        upgrade(url)
        engine = make_engine(url)
        results = [run(engine, mode, args.slow_events, args.delay)
                   for mode in ("sequential", "dispatcher")]
        engine.dispose()
    finally:
        drop()
    baseline, new = results
    print(json.dumps({
        "benchmark": "webhook_fairness",
        "date": datetime.now(UTC).date().isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_1m": round(load_before, 2),
                    "load_average_1m_after": round(os.getloadavg()[0], 2)},
        "database": url.split(":", 1)[0],
        "slow_receiver": {"events": args.slow_events, "delay_s": args.delay,
                          "webhook_timeout_s": webhooks.TIMEOUT_SECONDS},
        "sequential": baseline, "dispatcher": new,
        "target_other_tenant_wait_s": 1.0,
    }))


if __name__ == "__main__":
    main()
