"""The worker's dispatcher in real time: a slow receiver delays nobody else, and a receiver
that was down gets every message once when it comes back.

The dispatcher works through its own connections and commits, so these tests use a fresh
database of their own (migrated with Alembic) rather than the rolled-back test transaction.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.config import Settings
from api.db import make_engine
from api.migrate import upgrade
from api.services import webhooks
from api.services.delivery import Dispatcher, Transports
from api.services.mail import Mailer
from models.base import utcnow
from models.organisation import Organisation
from models.webhook import DeliveryAttempt, OutboxEvent, WebhookEndpoint
from tests.conftest import new_database_url
from tests.factories import FAST_PASSWORD_HASHING, SMALL_POOLS


@pytest.fixture
def live_engine(backend: str, tmp_path_factory: pytest.TempPathFactory,
                request: pytest.FixtureRequest) -> Iterator[Engine]:
    url = new_database_url(backend, tmp_path_factory, request)
    upgrade(url)
    engine = make_engine(url, **SMALL_POOLS)
    yield engine
    engine.dispose()


class Receiver:
    """A webhook receiver on 127.0.0.1 that answers after ``delay`` seconds."""

    def __init__(self, delay: float = 0.0, port: int = 0) -> None:
        self.delay = delay
        self.arrivals: dict[str, float] = {}  # event id → monotonic time of the first arrival
        self.counts: Counter[str] = Counter()
        self.in_flight = self.most_in_flight = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.in_flight += 1
                    receiver.most_in_flight = max(receiver.most_in_flight, receiver.in_flight)
                time.sleep(receiver.delay)
                event_id = json.loads(raw)["id"]
                with receiver.lock:
                    receiver.in_flight -= 1
                    receiver.counts[event_id] += 1
                    receiver.arrivals.setdefault(event_id, time.monotonic())
                try:
                    self.send_response(204)
                    self.end_headers()
                except OSError:
                    pass  # the worker gave up waiting (timeout): nothing to answer

            def log_message(self, *args) -> None:  # noqa: ANN002
                """Silent."""

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:  # noqa: ANN002
        self.server.shutdown()
        self.server.server_close()


def tenant(engine: Engine, name: str, url: str) -> uuid.UUID:
    with Session(engine) as session:
        org = Organisation(kind="provider", name=name)
        session.add(org)
        session.flush()
        session.add(WebhookEndpoint(organisation_id=org.id, url=url,
                                    secret=webhooks.new_secret()))
        session.commit()
        return org.id


def queue(engine: Engine, org_id: uuid.UUID, n: int, tag: str) -> list[str]:
    """``n`` events for ``org_id``, due now, committed; their ids."""
    with Session(engine) as session:
        events = [webhooks.enqueue(session, organisation_id=org_id, lead_id=None,
                                   event_type="lead.sent", sequence=i, payload={"n": i},
                                   event_key=f"{tag}:{i}", now=utcnow()) for i in range(n)]
        session.commit()
        return [str(e.id) for e in events]


def dispatcher(engine: Engine) -> Dispatcher:
    settings = Settings(environment="test", secret_key="t" * 40)
    return Dispatcher(engine, Transports(httpx.Client(), Mailer(settings), allow_private=True),
                      poll_seconds=0.1)


def wait_for(condition, timeout: float) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_a_slow_receiver_does_not_delay_another_tenant(live_engine):
    with Receiver(delay=6.0) as slow, Receiver() as fast:
        slow_org = tenant(live_engine, "Trage ontvanger", slow.url)
        fast_org = tenant(live_engine, "Vlotte ontvanger", fast.url)
        queue(live_engine, slow_org, 10, "slow")
        worker = dispatcher(live_engine)
        try:
            worker.pump()
            assert wait_for(lambda: slow.in_flight == 1, 3.0)  # the slow one is busy
            (event_id,) = queue(live_engine, fast_org, 1, "fast")
            due = time.monotonic()
            assert wait_for(lambda: event_id in fast.arrivals, 5.0)
            latency = fast.arrivals[event_id] - due
        finally:
            worker.close()
    # generous for a loaded CI machine; the sequential worker took 50 s here
    assert latency < 1.0, f"the other tenant's event waited {latency:.2f} s"
    assert slow.most_in_flight == 1  # never two attempts at once at one destination
    assert fast.counts[event_id] == 1


def test_a_receiver_that_was_down_gets_every_message_once(live_engine):
    with Receiver() as probe:
        port = probe.port
    # nothing listens on `port` now: connection refused
    down_org = tenant(live_engine, "Even weg", f"http://127.0.0.1:{port}/hook")
    with Receiver() as other:
        up_org = tenant(live_engine, "Altijd bereikbaar", other.url)
        down_ids = queue(live_engine, down_org, 5, "down")
        up_ids = queue(live_engine, up_org, 5, "up")
        worker = dispatcher(live_engine)
        try:
            worker.pump()
            # liveness bounds, generous for a loaded machine (fairness has its own test)
            assert wait_for(lambda: len(other.counts) == 5, 30.0)

            def all_refused_once() -> bool:
                with Session(live_engine) as session:
                    tried = session.exec(select(OutboxEvent).where(
                        OutboxEvent.organisation_id == down_org)).all()
                    return all(e.status == "pending" and e.attempts >= 1 for e in tried)

            assert wait_for(all_refused_once, 30.0)  # each tried, refused, still waiting
            with Receiver(port=port) as back:
                assert wait_for(lambda: len(back.counts) == 5, 60.0)
                time.sleep(0.5)  # give a duplicate the chance to show
        finally:
            worker.close()
    assert dict(back.counts) == dict.fromkeys(down_ids, 1)
    assert dict(other.counts) == dict.fromkeys(up_ids, 1)
    with Session(live_engine) as session:
        rows = session.exec(select(OutboxEvent)).all()
        assert Counter(r.status for r in rows) == {"delivered": 10}
        assert all(r.locked_until is None for r in rows)
        failed = session.exec(select(DeliveryAttempt).where(
            DeliveryAttempt.http_status.is_(None))).all()
        attempts = {r.id: r.attempts for r in rows if r.organisation_id == down_org}
        assert len(failed) == sum(attempts.values()) - 5  # every refused try is on record


def test_the_workers_periodic_mail_runs_once_per_period_even_after_a_restart(live_engine):
    from fastapi.testclient import TestClient

    from api.main import create_app
    from api.services.notifications import PeriodicMail
    from models.site import Workforce
    from tests.factories import add_site, register, set_workforce

    settings = Settings(environment="test", secret_key="t" * 40, rate_limit_enabled=False,
                        database_url=str(live_engine.url.render_as_string(False)),
                        **FAST_PASSWORD_HASHING)
    with TestClient(create_app(settings=settings, engine=live_engine)) as client:
        provider = register(client, "provider")
        set_workforce(provider, add_site(provider, "8870"))
    with Session(live_engine) as session:
        (workforce,) = session.exec(select(Workforce)).all()
        workforce.figures_as_of = utcnow() - timedelta(days=88)
        session.commit()
    today = utcnow()
    # this week's Wednesday noon: the minutes below stay in one day and one ISO week
    now = (today - timedelta(days=today.weekday() - 2)).replace(hour=12, minute=0)
    assert PeriodicMail(settings).run(live_engine, now) == (0, 1)
    worker = PeriodicMail(settings)  # a restarted worker: nothing is queued twice
    assert worker.run(live_engine, now + timedelta(minutes=5)) == (0, 0)
    assert worker.run(live_engine, now + timedelta(minutes=10)) == (0, 0)
    with Session(live_engine) as session:
        (mail,) = session.exec(select(OutboxEvent).where(OutboxEvent.channel == "email")).all()
        assert (mail.event_type, mail.payload["to"]) == ("reminder.workforce",
                                                        provider.user["email"])
