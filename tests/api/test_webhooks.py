"""Webhooks: endpoint management, the outbox, signatures, retries and ordering.

Delivery goes to a real HTTP server on 127.0.0.1; time is driven by passing ``now``.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from sqlmodel import select
from standardwebhooks import Webhook, WebhookVerificationError

from api.config import Settings
from api.services import delivery, webhooks
from api.services.delivery import MAX_ATTEMPTS, Transports
from api.services.mail import Mailer
from models.base import as_utc, utcnow
from models.webhook import DeliveryAttempt, OutboxEvent
from tests.api.test_leads import World, make_world
from tests.factories import register, staff

SECRET = "test-signing-secret-0123456789"
# what Koppel stores and shows for it: the same key bytes, in the Standard Webhooks form
STANDARD_SECRET = "whsec_" + base64.b64encode(SECRET.encode()).decode()


def transports(http: httpx.Client) -> Transports:
    # the lead e-mails these worlds also queue go to files nobody reads here
    mail_dir = Path(tempfile.gettempdir()) / f"koppel-test-mail-{os.getpid()}"
    settings = Settings(environment="test", secret_key="t" * 40, mail_dir=str(mail_dir))
    return Transports(http, Mailer(settings), allow_private=True)


def deliver_due(bind, http: httpx.Client, now=None, **kwargs) -> delivery.DeliveryReport:  # noqa: ANN001, ANN003
    """The worker's delivery pass for webhooks, allowed to reach the receivers on 127.0.0.1
    (the e-mails the same events queue are tested in test_mail.py)."""
    return delivery.deliver_due(bind, transports(http), now, channel="webhook", **kwargs)


class Receiver:
    """A webhook receiver that fails the first ``fail_first`` requests with a 500 (only those of
    event type ``fail_type`` when given: destinations are served concurrently, so which
    recipient's request comes first is not fixed)."""

    def __init__(self, fail_first: int = 0, secret: str = STANDARD_SECRET,
                 fail_type: str | None = None) -> None:
        self.fail_first = fail_first
        self.fail_type = fail_type
        self.counted = 0
        self.requests = 0
        self.received: dict[str, dict] = {}  # event id → body (deduplicated)
        self.order: list[dict] = []  # accepted deliveries in arrival order
        self.duplicates: list[str] = []
        self.bad_signatures: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.raw: list[bytes] = []
        self.verifier = Webhook(secret)
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.requests += 1
                    if receiver.fail_type in (None, json.loads(raw).get("type")):
                        receiver.counted += 1
                    failing = (receiver.counted <= receiver.fail_first
                               and receiver.fail_type in (None, json.loads(raw).get("type")))
                    if not failing:
                        receiver.accept(raw, self.headers, self.path)
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, *args) -> None:  # noqa: ANN002
                """Silent: a request log per delivery would drown the test output."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/koppel"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def accept(self, raw: bytes, headers, path: str) -> None:  # noqa: ANN001
        body = json.loads(raw)
        self.headers.append(dict(headers))
        self.raw.append(raw)
        try:  # the reference Standard Webhooks verifier, as a receiver would use it
            self.verifier.verify(raw, dict(headers))
        except WebhookVerificationError:
            self.bad_signatures.append(body["id"])
        assert headers["webhook-id"] == body["id"]
        if body["id"] in self.received:
            self.duplicates.append(body["id"])
            return
        self.received[body["id"]] = body
        self.order.append({**body, "path": path})

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:  # noqa: ANN002
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


def subscribe(world: World, url: str) -> None:
    """Both parties subscribe; the query string tells the receiver who the recipient is."""
    for who, actor in (("company", world.company), ("provider", world.provider)):
        r = actor.put(f"/organisations/{actor.org_id}/webhook",
                      json={"url": f"{url}?to={who}", "secret": SECRET})
        assert r.status_code == 200, r.text


def outbox(db, channel: str = "webhook") -> list[OutboxEvent]:  # noqa: ANN001
    db.expire_all()
    return list(db.exec(select(OutboxEvent).where(OutboxEvent.channel == channel)
                        .order_by(OutboxEvent.lead_id, OutboxEvent.sequence)).all())


def attempts(db, channel: str = "webhook") -> list[DeliveryAttempt]:  # noqa: ANN001
    return list(db.exec(select(DeliveryAttempt).join(
        OutboxEvent, OutboxEvent.id == DeliveryAttempt.event_id)
        .where(OutboxEvent.channel == channel)).all())


# ---- endpoint management --------------------------------------------------------------------

def test_secret_is_generated_and_shown_only_once(client, db):
    provider = register(client, "provider")
    url = f"/organisations/{provider.org_id}/webhook"
    assert provider.get(url).status_code == 404
    r = provider.put(url, json={"url": "https://hooks.example.be/koppel"})
    assert r.status_code == 200
    assert r.json()["secret"].startswith("whsec_")
    assert len(base64.b64decode(r.json()["secret"][6:], validate=True)) == 32
    shown = provider.get(url).json()
    assert "secret" not in shown
    assert (shown["url"], shown["active"]) == ("https://hooks.example.be/koppel", True)
    assert staff(client, db).get(url).status_code == 200
    assert provider.delete(url).status_code == 204
    assert provider.get(url).status_code == 404


def test_a_free_form_secret_is_stored_in_the_standard_form_with_the_same_key(client):
    provider = register(client, "provider")
    url = f"/organisations/{provider.org_id}/webhook"
    r = provider.put(url, json={"url": "https://hooks.example.be/k", "secret": SECRET})
    assert r.json()["secret"] == STANDARD_SECRET
    assert base64.b64decode(STANDARD_SECRET[6:]) == SECRET.encode()
    # a secret generated before Standard Webhooks (whsec_ + hex) is already valid base64: kept
    old = "whsec_3f1c0a9b8e7d6c5b4a39281706f5e4d3"
    r = provider.put(url, json={"url": "https://hooks.example.be/k", "secret": old})
    assert r.json()["secret"] == old
    r = provider.put(url, json={"url": "https://hooks.example.be/k", "secret": "whsec_AAAA"})
    assert (r.status_code, r.json()["errors"][0]["loc"]) == (422, ["body", "secret"])


def test_webhook_endpoint_is_tenant_scoped_and_validated(client, db):
    provider = register(client, "provider")
    stranger = register(client, "company")
    url = f"/organisations/{provider.org_id}/webhook"
    assert stranger.put(url, json={"url": "https://evil.example/"}).status_code == 404
    assert stranger.get(url).status_code == 404
    assert staff(client, db).put(url, json={"url": "https://x.example/"}).status_code == 403
    r = provider.put(url, json={"url": "not a url"})
    assert (r.status_code, r.json()["errors"][0]["loc"]) == (422, ["body", "url"])
    r = provider.put(url, json={"url": "https://x.example/", "secret": "short"})
    assert (r.status_code, r.json()["errors"][0]["loc"]) == (422, ["body", "secret"])


# ---- the outbox -----------------------------------------------------------------------------

def test_each_event_goes_to_the_party_that_did_not_act(client, db):
    world = make_world(client)
    subscribe(world, "https://hooks.example.be/koppel")
    lead = world.send(world.need(fte=1.0))
    world.provider.post(f"/leads/{lead['id']}/view")
    world.provider.post(f"/leads/{lead['id']}/accept")
    world.provider.patch(f"/capabilities/{world.capability['id']}", json={"active": False})
    world.company.post(f"/leads/{lead['id']}/contract", json={"fte": 1.0})
    world.company.post(f"/leads/{lead['id']}/withdraw")

    company, provider = world.company.org_id, world.provider.org_id
    got = [(e.event_type, str(e.organisation_id), e.sequence) for e in outbox(db)]
    assert got == [
        ("lead.sent", provider, 1), ("lead.viewed", company, 2), ("lead.accepted", company, 3),
        ("lead.flagged", company, 4), ("lead.flagged", provider, 5),
        ("lead.contracted", provider, 6), ("lead.withdrawn", provider, 7),
    ]
    assert all(e.status == "pending" and e.attempts == 0 for e in outbox(db))


def test_no_endpoint_means_no_outbox_rows(client, db):
    world = make_world(client)
    world.send(world.need())
    assert outbox(db) == []


def test_a_rolled_back_change_leaves_no_event(client, db):
    world = make_world(client, low=1, medium=0, high=0)
    subscribe(world, "https://hooks.example.be/koppel")
    lead = world.send(world.need(fte=2.0, accommodates_support="low"))
    world.provider.post(f"/leads/{lead['id']}/accept")
    before = len(outbox(db))
    r = world.company.post(f"/leads/{lead['id']}/contract", json={"fte": 2.0})
    assert r.status_code == 409
    assert len(outbox(db)) == before


def test_payload_is_the_recipients_view_of_the_lead(client, db, connection, receiver):
    world = make_world(client)
    subscribe(world, receiver.url)
    lead = world.send(world.need())
    deliver_due(connection, httpx.Client(), utcnow() + timedelta(seconds=1))
    (body,) = receiver.order
    assert body["type"] == "lead.sent"
    assert body["sequence"] == 1
    assert body["data"]["lead"]["id"] == lead["id"]
    # the provider sees its own contact, not yet the company's (DESIGN §6)
    assert body["data"]["lead"]["provider"]["contact_email"] == "info@maatwerk.example.be"
    assert body["data"]["lead"]["company"]["contact_email"] is None


# ---- delivery -------------------------------------------------------------------------------

def test_signature_is_hmac_sha256_of_the_raw_body(client, db, connection, receiver):
    world = make_world(client)
    subscribe(world, receiver.url)
    world.send(world.need())
    report = deliver_due(connection, httpx.Client(), utcnow() + timedelta(seconds=1))
    assert (report.delivered, report.retried, report.failed) == (1, 0, 0)
    assert len(receiver.received) == 1
    assert receiver.bad_signatures == []
    (event,) = outbox(db)
    assert event.status == "delivered"
    assert event.attempts == 1
    (attempt,) = attempts(db)
    assert (attempt.http_status, attempt.error) == (204, None)
    assert attempt.url == receiver.url + "?to=provider"


def test_a_generated_secret_verifies_with_the_standard_webhooks_library(client, db, connection):
    world = make_world(client)
    r = world.provider.put(f"/organisations/{world.provider.org_id}/webhook",
                           json={"url": "https://hooks.example.be/placeholder"})
    generated = r.json()["secret"]
    with Receiver(secret=generated) as receiver:
        world.provider.put(f"/organisations/{world.provider.org_id}/webhook",
                           json={"url": receiver.url, "secret": generated})
        world.send(world.need())
        report = deliver_due(connection, httpx.Client(), utcnow() + timedelta(seconds=1))
        assert report.delivered == 1
    assert (len(receiver.received), receiver.bad_signatures) == (1, [])
    (headers,) = receiver.headers
    (event,) = outbox(db)
    assert headers["webhook-id"] == str(event.id)
    assert headers["webhook-signature"].startswith("v1,")
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60


def test_a_replay_older_than_five_minutes_is_refused(client, db, connection, receiver):
    world = make_world(client)
    subscribe(world, receiver.url)
    world.send(world.need())
    deliver_due(connection, httpx.Client(), utcnow() + timedelta(seconds=1))
    (raw,), (headers,) = receiver.raw, receiver.headers
    verifier = Webhook(STANDARD_SECRET)
    assert verifier.verify(raw, headers)["id"] == headers["webhook-id"]
    # the same delivery as captured six minutes ago
    stale = webhooks.signed_headers(STANDARD_SECRET, headers["webhook-id"], "lead.sent", raw,
                                    timestamp=int(time.time()) - 360)
    with pytest.raises(WebhookVerificationError, match="too old"):
        verifier.verify(raw, stale)
    # freshening the timestamp without the secret breaks the signature: it is signed too
    forged = {**stale, "webhook-timestamp": str(int(time.time()))}
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        verifier.verify(raw, forged)
    with pytest.raises(WebhookVerificationError):
        verifier.verify(raw.replace(b'"sequence":1', b'"sequence":2'), headers)


def test_nothing_is_lost_while_the_receiver_is_down_and_order_holds(client, db, connection):
    world = make_world(client)
    with Receiver(fail_first=7) as receiver:
        subscribe(world, receiver.url)
        first = world.send(world.need(fte=1.0))
        second = world.send(world.need(fte=1.0, title="Tweede partij retours"))
        for lead in (first, second):
            world.provider.post(f"/leads/{lead['id']}/view")
            world.provider.post(f"/leads/{lead['id']}/accept")
        world.company.post(f"/leads/{first['id']}/contract", json={"fte": 1.0})
        world.provider.post(f"/leads/{second['id']}/decline", json={"reason_code": "other"})

        now = utcnow()
        for round_ in range(12):
            now += timedelta(minutes=5)
            # a fresh client each round: the worker "restarts" and loses no state but the DB's
            with httpx.Client() as http:
                deliver_due(connection, http, now, batch=3 + round_ % 2)
        events = outbox(db)

    assert {str(e.id) for e in events} == set(receiver.received)
    assert receiver.duplicates == []
    assert receiver.bad_signatures == []
    assert all(e.status == "delivered" for e in events)
    counts = {}
    for name, lead in (("first", first), ("second", second)):
        for who in ("company", "provider"):
            sequences = [b["sequence"] for b in receiver.order
                         if b["data"]["lead"]["id"] == lead["id"] and b["path"].endswith(who)]
            assert sequences == sorted(sequences)
            counts[name, who] = len(sequences)
    assert counts == {("first", "company"): 2, ("first", "provider"): 2,
                      ("second", "company"): 2, ("second", "provider"): 1}
    tried = attempts(db)
    assert len(tried) == receiver.requests == len(events) + 7
    assert sum(1 for a in tried if a.http_status == 500) == 7


def test_a_later_event_waits_for_an_earlier_undelivered_one(client, db, connection):
    world = make_world(client)
    with Receiver(fail_first=1, fail_type="lead.sent") as receiver:
        subscribe(world, receiver.url)
        lead = world.send(world.need())
        world.provider.post(f"/leads/{lead['id']}/accept")
        world.company.post(f"/leads/{lead['id']}/withdraw")  # provider: sent, withdrawn
        now = utcnow() + timedelta(seconds=1)
        with httpx.Client() as http:
            deliver_due(connection, http, now)  # lead.sent fails; lead.withdrawn must wait
            by_type = {e.event_type: e for e in outbox(db)}
            assert by_type["lead.sent"].status == "pending"
            assert by_type["lead.withdrawn"].status == "pending"
            assert by_type["lead.withdrawn"].attempts == 0
            assert by_type["lead.accepted"].status == "delivered"  # other recipient: not held
            deliver_due(connection, http, now + timedelta(seconds=2))
        provider_order = [b["type"] for b in receiver.order
                          if b["type"] in ("lead.sent", "lead.withdrawn")]
        assert provider_order == ["lead.sent", "lead.withdrawn"]


def test_retries_back_off_exponentially_and_give_up_after_ten_attempts(client, db, connection):
    world = make_world(client)
    with Receiver(fail_first=1000) as receiver:
        subscribe(world, receiver.url)
        world.send(world.need())
        now = utcnow() + timedelta(seconds=1)
        delays = []
        with httpx.Client() as http:
            for _ in range(MAX_ATTEMPTS):
                assert deliver_due(connection, http, now).attempted == 1
                (event,) = outbox(db)
                if event.status == "pending":
                    delays.append((as_utc(event.next_attempt_at) - now).total_seconds())
                    assert deliver_due(connection, http, now).attempted == 0  # not due yet
                    now = as_utc(event.next_attempt_at)
    ceilings = [2, 4, 8, 16, 32, 64, 128, 256, 512]
    assert len(delays) == len(ceilings)
    for delay, ceiling in zip(delays, ceilings, strict=True):
        assert ceiling / 2 <= delay <= ceiling  # exponential, jittered in the upper half
    assert len({d / c for d, c in zip(delays, ceilings, strict=True)}) > 1  # not all alike
    assert (event.status, event.attempts) == ("failed", MAX_ATTEMPTS)
    assert receiver.requests == MAX_ATTEMPTS
    assert len(attempts(db)) == MAX_ATTEMPTS


def test_an_unreachable_receiver_is_recorded_and_retried(client, db, connection):
    world = make_world(client)
    with Receiver() as receiver:
        dead_url = receiver.url
    subscribe(world, dead_url)  # the server is closed: connection refused
    world.send(world.need())
    report = deliver_due(connection, httpx.Client(), utcnow() + timedelta(seconds=1))
    assert (report.delivered, report.retried) == (0, 1)
    (attempt,) = attempts(db)
    assert attempt.http_status is None
    assert "Connect" in attempt.error
