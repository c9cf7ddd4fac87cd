"""Webhook endpoints, the transactional outbox and the worker that delivers it.

Events are written to ``outbox_event`` in the same transaction as the lead change they
describe, so a change never goes unannounced and an announcement never describes a change that
rolled back. The worker picks due events one at a time by id (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several workers can run side by side), POSTs them signed with the endpoint's
secret and records every attempt. Delivery is at-least-once: receivers deduplicate by event id.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, and_, select

from api.errors import Conflict, InvalidInput, NotFound
from api.services import audit
from api.services.access import check_write
from api.services.addresses import is_public
from api.services.organisations import get_organisation
from models.base import as_utc, utcnow
from models.organisation import Organisation, User
from models.webhook import (
    DeliveryAttempt,
    DeliveryStatus,
    OutboxEvent,
    WebhookEndpoint,
    WebhookEndpointSet,
)

log = logging.getLogger("koppel.webhooks")

SIGNATURE_HEADER = "X-Koppel-Signature"
EVENT_ID_HEADER = "X-Koppel-Event-Id"
EVENT_TYPE_HEADER = "X-Koppel-Event-Type"
TIMEOUT_SECONDS = 5.0
MAX_ATTEMPTS = 10
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_MAX_SECONDS = 3600.0


def sign(secret: str, body: bytes) -> str:
    """The signature header value: ``sha256=`` + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts_before: int) -> timedelta:
    """Delay before the next try: 2 s × 2^attempts, capped at one hour."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** attempts_before,
                                 BACKOFF_MAX_SECONDS))


# ---- where we may post ----------------------------------------------------------------------

Resolver = Callable[[str], list[str]]


def _resolve(host: str) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)]


def forbidden_target(url: str, resolve: Resolver = _resolve) -> str | None:
    """Why Koppel must not POST to ``url``, or None when every address of its host is public.

    Webhook URLs come from users: without this check anyone could make the server (or the
    worker) send requests to the database, the metadata service or an admin page inside our
    own network (server-side request forgery). Checked when an endpoint is set and again
    before every delivery, because a name can be pointed elsewhere later. Redirects are never
    followed. What remains is a rebinding window of milliseconds between this lookup and the
    connection.
    """
    host = httpx.URL(url).host
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in resolve(host)]
        except OSError as exc:
            return f"{host} does not resolve ({exc.strerror or exc})"
    if not addresses:
        return f"{host} does not resolve"
    for address in addresses:
        if not is_public(address):
            return f"{host} is a non-public address ({address}); webhooks go to the internet"
    return None


# ---- endpoints ------------------------------------------------------------------------------

def _organisation_for_write(session: Session, user: User, org_id: uuid.UUID) -> None:
    org = get_organisation(session, user, org_id)
    check_write(user, org.id, "Organisation")
    if org.kind == "department":
        raise Conflict("The department receives no lead webhooks")


def _endpoint_row(session: Session, org_id: uuid.UUID) -> WebhookEndpoint | None:
    return session.exec(select(WebhookEndpoint)
                        .where(WebhookEndpoint.organisation_id == org_id)).first()


def set_endpoint(session: Session, user: User, org_id: uuid.UUID,
                 data: WebhookEndpointSet, *, allow_private: bool = False) -> WebhookEndpoint:
    """Create or replace the organisation's endpoint; a secret is generated when omitted."""
    _organisation_for_write(session, user, org_id)
    if not allow_private and (why := forbidden_target(str(data.url))):
        raise InvalidInput(["body", "url"], why)
    endpoint = _endpoint_row(session, org_id)
    secret = data.secret or "whsec_" + secrets.token_hex(24)
    if endpoint is None:
        endpoint = WebhookEndpoint(organisation_id=org_id, url=str(data.url), secret=secret)
        session.add(endpoint)
    else:
        endpoint.url, endpoint.secret, endpoint.active = str(data.url), secret, True
        endpoint.updated_at = utcnow()
    session.flush()
    audit.record(session, user, entity="webhook", entity_id=endpoint.id, action="set",
                 summary=f"webhook endpoint set to {endpoint.url}", organisation_id=org_id)
    return endpoint


def get_endpoint(session: Session, user: User, org_id: uuid.UUID) -> WebhookEndpoint:
    get_organisation(session, user, org_id)
    endpoint = _endpoint_row(session, org_id)
    if endpoint is None:
        raise NotFound(f"Organisation {org_id} has no webhook endpoint")
    return endpoint


def delete_endpoint(session: Session, user: User, org_id: uuid.UUID) -> None:
    _organisation_for_write(session, user, org_id)
    endpoint = _endpoint_row(session, org_id)
    if endpoint is None:
        raise NotFound(f"Organisation {org_id} has no webhook endpoint")
    session.delete(endpoint)
    audit.record(session, user, entity="webhook", entity_id=endpoint.id, action="delete",
                 summary=f"webhook endpoint {endpoint.url} removed", organisation_id=org_id)


# ---- outbox ---------------------------------------------------------------------------------

def with_active_endpoint(session: Session,
                         org_ids: Collection[uuid.UUID]) -> list[tuple[Organisation, bool]]:
    """The organisations ``org_ids``, each with whether it has an active endpoint: one query.

    It returns the organisation rows rather than ids alone: lead events present these
    organisations right after asking, and so need not load them again.
    """
    rows = session.exec(
        select(Organisation, WebhookEndpoint.id)
        .outerjoin(WebhookEndpoint, and_(WebhookEndpoint.organisation_id == Organisation.id,
                                         WebhookEndpoint.active))
        .where(Organisation.id.in_(list(org_ids)))).all()
    return [(org, endpoint_id is not None) for org, endpoint_id in rows]


def enqueue(session: Session, *, organisation_id: uuid.UUID, lead_id: uuid.UUID,
            event_type: str, sequence: int, payload: dict[str, Any],
            now: datetime | None = None) -> OutboxEvent:
    """Add one event to the outbox (inside the caller's transaction; never commits)."""
    now = now or utcnow()
    event = OutboxEvent(organisation_id=organisation_id, lead_id=lead_id, event_type=event_type,
                        sequence=sequence, payload=payload, created_at=now, next_attempt_at=now)
    session.add(event)
    return event


def event_body(event: OutboxEvent) -> bytes:
    """The exact bytes POSTed (and signed) for an event."""
    created = as_utc(event.created_at)
    return json.dumps({
        "id": str(event.id),
        "type": event.event_type,
        "created_at": created.isoformat() if created else None,
        "sequence": event.sequence,
        "data": event.payload,
    }, separators=(",", ":"), ensure_ascii=False).encode()


# ---- delivery -------------------------------------------------------------------------------

@dataclass
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.delivered + self.retried + self.failed


def _next_due(now: datetime):  # noqa: ANN202
    earlier = aliased(OutboxEvent)
    # per lead and recipient, strictly in sequence: an event waits while an earlier one is
    # still pending (a `failed` event is terminal and no longer holds the line)
    blocked = select(earlier.id).where(
        earlier.lead_id == OutboxEvent.lead_id,
        earlier.organisation_id == OutboxEvent.organisation_id,
        earlier.sequence < OutboxEvent.sequence,
        earlier.status == DeliveryStatus.pending.value,
    ).exists()
    return (select(OutboxEvent)
            .where(OutboxEvent.status == DeliveryStatus.pending.value,
                   OutboxEvent.next_attempt_at <= now, ~blocked)
            .order_by(OutboxEvent.next_attempt_at, OutboxEvent.sequence, OutboxEvent.id)
            .limit(1)
            .with_for_update(skip_locked=True, of=OutboxEvent))


def _post(client: httpx.Client, url: str, body: bytes,
          headers: dict[str, str]) -> tuple[int | None, str | None, int]:
    started = time.perf_counter()
    try:
        response = client.post(url, content=body, headers=headers, timeout=TIMEOUT_SECONDS)
        status, error = response.status_code, None
    except httpx.HTTPError as exc:
        status, error = None, f"{exc.__class__.__name__}: {exc}"[:500]
    return status, error, int((time.perf_counter() - started) * 1000)


def deliver_due(bind: Engine | Connection, client: httpx.Client, now: datetime | None = None,
                batch: int = 100, *, allow_private: bool = False) -> DeliveryReport:
    """Deliver up to ``batch`` due events; each in its own short transaction.

    The row stays locked while its POST is in flight, so a second worker skips it; the outcome
    and the attempt are committed together. ``now`` drives the schedule (tests pass it). A URL
    whose host has come to point into a private network is not posted to: the attempt is
    recorded as failed and retried like any other failure.
    """
    now = (now or utcnow()).astimezone(UTC)
    report = DeliveryReport()
    for _ in range(batch):
        with Session(bind, expire_on_commit=False,
                     join_transaction_mode="create_savepoint") as session:
            event = session.exec(_next_due(now)).first()
            if event is None:
                break
            endpoint = session.exec(select(WebhookEndpoint).where(
                WebhookEndpoint.organisation_id == event.organisation_id,
                WebhookEndpoint.active)).first()
            if endpoint is None:
                status, error, duration, url = None, "no active webhook endpoint", 0, ""
            elif not allow_private and (why := forbidden_target(endpoint.url)):
                status, error, duration, url = None, f"refused: {why}", 0, endpoint.url
            else:
                body = event_body(event)
                url = endpoint.url
                status, error, duration = _post(client, url, body, {
                    "Content-Type": "application/json",
                    SIGNATURE_HEADER: sign(endpoint.secret, body),
                    EVENT_ID_HEADER: str(event.id),
                    EVENT_TYPE_HEADER: event.event_type,
                    "User-Agent": "Koppel-Webhooks/1",
                })
                if status is not None and not 200 <= status < 300:
                    error = f"HTTP {status}"
            session.add(DeliveryAttempt(event_id=event.id, at=now, url=url, http_status=status,
                                        error=error, duration_ms=duration))
            attempts_before, event.attempts = event.attempts, event.attempts + 1
            if error is None:
                event.status, event.delivered_at = DeliveryStatus.delivered.value, now
                report.delivered += 1
            elif endpoint is None or event.attempts >= MAX_ATTEMPTS:
                event.status = DeliveryStatus.failed.value
                report.failed += 1
                log.warning("webhook event %s failed for good: %s", event.id, error)
            else:
                event.next_attempt_at = now + backoff(attempts_before)
                report.retried += 1
            session.commit()
    return report
