"""The outbox worker: one queue for webhooks and e-mail, served fairly.

Rows of ``outbox_event`` are written in the transaction of the change they announce (see
``webhooks.enqueue_webhook`` and ``notifications``). Delivering one takes three steps, and no
database transaction is open during the middle one:

1. **claim** (short transaction): pick due rows, at most one per destination and none for a
   destination that already has an attempt in flight, and give each a lease
   (``locked_until``); commit. On PostgreSQL an advisory lock serialises claims, so several
   workers never claim two rows of one destination.
2. **send** (no transaction): POST the webhook or hand the e-mail to SMTP (or write it as a
   ``.eml`` file).
3. **record** (short transaction): store the attempt, mark the row delivered, failed, or due
   again after an exponential back-off with jitter; clear the lease.

A worker that dies between 1 and 3 leaves a lease that runs out after ``LEASE``; the row is
then claimed again. Delivery is therefore at least once; receivers deduplicate by event id
(``webhook-id``, the e-mail's ``Message-ID``). Destinations are served concurrently by a
thread pool (``Dispatcher``), so a receiver that takes seconds to answer holds up only its
own queue.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from api.services import webhooks
from api.services.mail import Mailer
from models.base import utcnow
from models.webhook import Channel, DeliveryAttempt, DeliveryStatus, OutboxEvent, WebhookEndpoint

log = logging.getLogger("koppel.delivery")

MAX_ATTEMPTS = 10
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_MAX_SECONDS = 3600.0
# longer than any one attempt can take (webhook timeout 5 s, SMTP timeout 10 s)
LEASE = timedelta(seconds=120)
# any constant will do; all Koppel workers take the same one
_CLAIM_LOCK = 7_345_011


def backoff(attempts_before: int, rng: Callable[[], float] = random.random) -> timedelta:
    """Delay before the next try: 2 s × 2^attempts capped at one hour, with "equal jitter"
    (a uniform draw in the upper half), so receivers that failed together do not all get
    their retries in the same second."""
    ceiling = min(BACKOFF_BASE_SECONDS * 2 ** attempts_before, BACKOFF_MAX_SECONDS)
    return timedelta(seconds=ceiling / 2 + rng() * ceiling / 2)


@dataclass(frozen=True)
class Claim:
    """A claimed row, detached from any session: what the send step needs, by value."""

    id: str
    channel: str
    event_type: str
    destination: str
    payload: dict[str, Any]
    body: bytes
    url: str | None = None  # webhooks: the active endpoint's URL, None if there is none
    secret: str | None = None


@dataclass(frozen=True)
class Outcome:
    url: str
    error: str | None
    http_status: int | None = None
    duration_ms: int = 0
    permanent: bool = False  # no point retrying (no endpoint any more)


@dataclass
class Transports:
    """How messages leave: an HTTP client for webhooks, a mailer for e-mail."""

    http: httpx.Client
    mailer: Mailer
    allow_private: bool = False


@dataclass
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.delivered + self.retried + self.failed

    def add(self, result: str) -> None:
        setattr(self, result, getattr(self, result) + 1)


def _session(bind: Engine | Connection) -> Session:
    return Session(bind, expire_on_commit=False, join_transaction_mode="create_savepoint")


def _begin_writing(session: Session) -> None:
    """Serialise the read-then-write transactions of claim and record.

    PostgreSQL: one advisory lock for claims (so two workers never lease two rows of one
    destination). SQLite: take the write lock first, before reading: a WAL reader that later
    writes fails at once with "database is locked" when another writer committed in between,
    whereas waiting for the write lock honours the busy timeout.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CLAIM_LOCK})
    else:
        session.execute(text("UPDATE outbox_event SET attempts = attempts WHERE 1 = 0"))


# ---- 1. claim -------------------------------------------------------------------------------

def _claimable(now: datetime, busy: set[str], channel: str | None):  # noqa: ANN202
    earlier = aliased(OutboxEvent)
    # per lead, channel and recipient strictly in sequence: a row waits while an earlier one is
    # still pending (a `failed` row is terminal and no longer holds the line)
    blocked = select(earlier.id).where(
        earlier.lead_id == OutboxEvent.lead_id,
        earlier.channel == OutboxEvent.channel,
        earlier.recipient == OutboxEvent.recipient,
        earlier.sequence < OutboxEvent.sequence,
        earlier.status == DeliveryStatus.pending.value,
    ).exists()
    other = aliased(OutboxEvent)
    in_flight = select(other.id).where(
        other.destination == OutboxEvent.destination,
        other.status == DeliveryStatus.pending.value,
        col(other.locked_until) > now,
    ).exists()
    conditions: list[ColumnElement[bool]] = [
        col(OutboxEvent.status) == DeliveryStatus.pending.value,
        col(OutboxEvent.next_attempt_at) <= now, ~blocked, ~in_flight]
    if busy:
        conditions.append(col(OutboxEvent.destination).not_in(sorted(busy)))
    if channel:
        conditions.append(col(OutboxEvent.channel) == channel)
    rank = func.row_number().over(
        partition_by=OutboxEvent.destination,
        order_by=(col(OutboxEvent.next_attempt_at), col(OutboxEvent.sequence),
                  col(OutboxEvent.id)))
    return select(OutboxEvent.id, rank.label("rank")).where(*conditions).subquery()


def claim(bind: Engine | Connection, now: datetime, *, limit: int,
          busy: set[str] | None = None, channel: str | None = None) -> list[Claim]:
    """Lease up to ``limit`` due rows, the first of each idle destination, oldest first
    (of one ``channel`` only, when given)."""
    with _session(bind) as session:
        _begin_writing(session)
        ranked = _claimable(now, busy or set(), channel)
        rows = session.exec(
            select(OutboxEvent).join(ranked, ranked.c.id == OutboxEvent.id)
            .where(ranked.c.rank == 1)
            .order_by(col(OutboxEvent.next_attempt_at), col(OutboxEvent.sequence),
                      col(OutboxEvent.id))
            .limit(limit)).all()
        if not rows:
            return []
        org_ids = {r.organisation_id for r in rows if r.channel == Channel.webhook.value}
        endpoints = {e.organisation_id: e for e in session.exec(
            select(WebhookEndpoint).where(col(WebhookEndpoint.organisation_id).in_(org_ids),
                                          WebhookEndpoint.active)).all()} if org_ids else {}
        claims = []
        for row in rows:
            row.locked_until = now + LEASE
            endpoint = endpoints.get(row.organisation_id)
            claims.append(Claim(
                id=str(row.id), channel=row.channel, event_type=row.event_type,
                destination=row.destination, payload=row.payload,
                body=webhooks.event_body(row) if row.channel == Channel.webhook.value else b"",
                url=endpoint.url if endpoint else None,
                secret=endpoint.secret if endpoint else None))
        session.commit()
    return claims


# ---- 2. send (no transaction open) ----------------------------------------------------------

def _post(client: httpx.Client, c: Claim) -> Outcome:
    started = time.perf_counter()
    headers = webhooks.signed_headers(c.secret or "", c.id, c.event_type, c.body)
    try:
        response = client.post(c.url or "", content=c.body, headers=headers,
                               timeout=webhooks.TIMEOUT_SECONDS)
        status = response.status_code
        error = None if 200 <= status < 300 else f"HTTP {status}"
    except httpx.HTTPError as exc:
        status, error = None, f"{exc.__class__.__name__}: {exc}"[:500]
    return Outcome(url=c.url or "", error=error, http_status=status,
                   duration_ms=int((time.perf_counter() - started) * 1000))


def send(c: Claim, transports: Transports) -> Outcome:
    """Make one attempt. Never raises for a failed delivery: the outcome says what happened."""
    if c.channel == Channel.email.value:
        started = time.perf_counter()
        url, error = transports.mailer.send(c.id, c.payload)
        return Outcome(url=url, error=error,
                       duration_ms=int((time.perf_counter() - started) * 1000))
    if c.url is None:
        return Outcome(url="", error="no active webhook endpoint", permanent=True)
    if not transports.allow_private and (why := webhooks.forbidden_target(c.url)):
        return Outcome(url=c.url, error=f"refused: {why}")
    return _post(transports.http, c)


# ---- 3. record ------------------------------------------------------------------------------

def record(bind: Engine | Connection, c: Claim, outcome: Outcome, now: datetime) -> str:
    """Store the attempt and the row's new state; returns delivered, retried or failed."""
    with _session(bind) as session:
        if session.get_bind().dialect.name != "postgresql":
            _begin_writing(session)  # PostgreSQL needs no lock here: the lease is ours
        row = session.get(OutboxEvent, uuid.UUID(c.id))
        if row is None or row.status != DeliveryStatus.pending.value:
            return "failed"  # deleted (its organisation went) or settled by another worker
        session.add(DeliveryAttempt(event_id=row.id, at=now, url=outcome.url[:500],
                                    http_status=outcome.http_status, error=outcome.error,
                                    duration_ms=outcome.duration_ms))
        attempts_before, row.attempts = row.attempts, row.attempts + 1
        row.locked_until = None
        if outcome.error is None:
            row.status, row.delivered_at, result = DeliveryStatus.delivered.value, now, "delivered"
        elif outcome.permanent or row.attempts >= MAX_ATTEMPTS:
            row.status, result = DeliveryStatus.failed.value, "failed"
            log.warning("%s message %s failed for good: %s", row.channel, row.id, outcome.error)
        else:
            row.next_attempt_at, result = now + backoff(attempts_before), "retried"
        session.commit()
    return result


# ---- a synchronous pass (tests, `koppel worker --once`) -------------------------------------

def deliver_due(bind: Engine | Connection, transports: Transports, now: datetime | None = None,
                batch: int = 100, max_workers: int = 8,
                channel: str | None = None) -> DeliveryReport:
    """Deliver up to ``batch`` due messages (of ``channel``, or all) and wait for them.

    Rounds of one message per destination are sent concurrently; all database work stays in
    the calling thread (so ``bind`` may be a test's connection). ``now`` drives the schedule.
    """
    now = (now or utcnow()).astimezone(UTC)
    report = DeliveryReport()
    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="koppel-send") as pool:
        while report.attempted < batch:
            claims = claim(bind, now, limit=min(max_workers, batch - report.attempted),
                           channel=channel)
            if not claims:
                break
            outcomes = list(pool.map(lambda c: send(c, transports), claims))
            for c, outcome in zip(claims, outcomes, strict=True):
                report.add(record(bind, c, outcome, now))
    return report


# ---- the long-running dispatcher (`koppel worker`) ------------------------------------------

@dataclass
class Dispatcher:
    """Keeps every destination's queue moving, each in its own thread, none waiting for another.

    A background thread claims due rows for idle destinations every ``poll_seconds``; each
    claimed row is sent and recorded by a pool thread, which frees its destination when done.
    ``pump()`` is the worker's per-pass call: it starts the thread on first use and returns the
    outcomes since the previous call.
    """

    engine: Engine
    transports: Transports
    max_workers: int = 16
    poll_seconds: float = 0.2
    _pool: ThreadPoolExecutor | None = field(default=None, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _in_flight: dict[str, Future] = field(default_factory=dict, init=False)
    _counts: Counter = field(default_factory=Counter, init=False)

    def pump(self) -> DeliveryReport:
        if self._thread is None:
            self._pool = ThreadPoolExecutor(max_workers=self.max_workers,
                                            thread_name_prefix="koppel-delivery")
            self._thread = threading.Thread(target=self._loop, name="koppel-dispatch",
                                            daemon=True)
            self._thread.start()
        with self._lock:
            counts, self._counts = self._counts, Counter()
        return DeliveryReport(**{k: counts[k] for k in ("delivered", "retried", "failed")})

    def close(self, timeout: float = 10.0) -> None:
        """Stop claiming; let attempts in flight finish (their leases cover a crash)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.dispatch_once()
            except Exception:  # noqa: BLE001 - a database hiccup must not kill delivery
                log.exception("claiming due messages failed; trying again")
            self._stop.wait(self.poll_seconds)

    def dispatch_once(self) -> int:
        """Claim and start what is due for idle destinations; returns how many started."""
        with self._lock:
            busy = set(self._in_flight)
        free = self.max_workers - len(busy)
        if free <= 0 or self._pool is None:
            return 0
        claims = claim(self.engine, utcnow(), limit=free, busy=busy)
        for c in claims:
            with self._lock:
                self._in_flight[c.destination] = self._pool.submit(self._run, c)
        return len(claims)

    def _run(self, c: Claim) -> None:
        try:
            outcome = send(c, self.transports)
            result = record(self.engine, c, outcome, utcnow())
            with self._lock:
                self._counts[result] += 1
        except Exception:  # noqa: BLE001 - the lease runs out and the row is tried again
            log.exception("delivering %s failed", c.id)
        finally:
            with self._lock:
                self._in_flight.pop(c.destination, None)
