"""Webhook endpoints, Standard Webhooks signing and the webhook side of the outbox.

Events are written to ``outbox_event`` in the same transaction as the lead change they
describe, so a change never goes unannounced and an announcement never describes a change that
rolled back; ``api.services.delivery`` delivers them (and the e-mails in the same table).
Each attempt is signed as Standard Webhooks prescribes (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``), so receivers verify with any Standard Webhooks library and refuse
replays older than their tolerance (five minutes in the reference libraries). Delivery is at
least once: receivers deduplicate by ``webhook-id``.
"""

from __future__ import annotations

import base64
import binascii
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
from datetime import datetime
from typing import Any

import httpx
from sqlmodel import Session, and_, col, select

from api.errors import Conflict, InvalidInput, NotFound
from api.services import audit
from api.services.access import check_write, get_organisation
from api.services.addresses import is_public
from models.base import as_utc, utcnow
from models.organisation import Organisation, User
from models.webhook import (
    Channel,
    OutboxEvent,
    WebhookEndpoint,
    WebhookEndpointSet,
)

log = logging.getLogger("koppel.webhooks")

SECRET_PREFIX = "whsec_"
EVENT_TYPE_HEADER = "X-Koppel-Event-Type"
TIMEOUT_SECONDS = 5.0


def standard_secret(secret: str) -> str:
    """``secret`` in the Standard Webhooks form ``whsec_`` + base64 of the key bytes.

    A string already in that form is kept; any other string is taken as the key bytes
    themselves (its UTF-8), so an older free-form secret keeps signing with the same key.
    """
    if secret.startswith(SECRET_PREFIX):
        try:
            base64.b64decode(secret[len(SECRET_PREFIX):], validate=True)
            return secret
        except (binascii.Error, ValueError):
            pass
    return SECRET_PREFIX + base64.b64encode(secret.encode()).decode()


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(standard_secret(secret)[len(SECRET_PREFIX):])


def sign(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body``."""
    digest = hmac.new(_key(secret), f"{event_id}.{timestamp}.".encode() + body,
                      hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secret: str, event_id: str, event_type: str, body: bytes,
                   timestamp: int | None = None) -> dict[str, str]:
    """Standard Webhooks headers for one attempt; the timestamp is the attempt's, so a
    receiver's five-minute window refuses a captured delivery replayed later."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, event_id, timestamp, body),
        EVENT_TYPE_HEADER: event_type,
        "User-Agent": "Koppel-Webhooks/2",
    }


# ---- where we may post ----------------------------------------------------------------------

Resolver = Callable[[str], list[str]]


def _resolve(host: str) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)]


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
    secret = standard_secret(data.secret) if data.secret else new_secret()
    if len(_key(secret)) < 16:
        raise InvalidInput(["body", "secret"], "A whsec_ secret must encode at least 16 bytes")
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
        .where(col(Organisation.id).in_(list(org_ids)))).all()
    return [(org, endpoint_id is not None) for org, endpoint_id in rows]


def enqueue(session: Session, *, organisation_id: uuid.UUID, lead_id: uuid.UUID | None,
            event_type: str, sequence: int, payload: dict[str, Any], event_key: str,
            now: datetime | None = None) -> OutboxEvent:
    """Add one webhook message to the outbox (inside the caller's transaction; never commits).

    The organisation is both the recipient and the destination: its endpoint gets at most one
    attempt at a time, and in sequence.
    """
    now = now or utcnow()
    event = OutboxEvent(organisation_id=organisation_id, lead_id=lead_id, event_type=event_type,
                        channel=Channel.webhook.value, event_key=event_key,
                        recipient=str(organisation_id), destination=f"webhook:{organisation_id}",
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
