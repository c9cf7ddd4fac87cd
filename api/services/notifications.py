"""Who gets which e-mail (DESIGN §14): lead events, the daily digest, the weekly reminder.

Every e-mail is an ``outbox_event`` row on the ``email`` channel, one per (event, user),
queued in the transaction of the change (lead events) or of the periodic run (digest,
reminder). The event keys make the periodic runs idempotent per period: a second run the same
day (or week) finds the rows already there and adds none. Rendering happens when the worker
sends (``api.services.mail``): the row keeps the recipient, the language and the facts of the
moment as JSON.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.config import Settings
from api.errors import Conflict, NotFound
from api.services.access import can_read, check_write
from api.services.mail import language_of
from models.base import as_utc, utcnow
from models.need import Need
from models.notification import MailCategory, MailOptOut, NotificationSettings
from models.organisation import Organisation, User
from models.site import Site, Workforce
from models.webhook import Channel, EventType, OutboxEvent

# who is told by e-mail (DESIGN §14); webhooks follow leads.RECIPIENTS
MAIL_RECIPIENTS: dict[str, tuple[str, ...]] = {
    "lead.sent": ("provider",),
    "lead.accepted": ("company",),
    "lead.declined": ("company",),
    "lead.expired": ("company",),
    "lead.withdrawn": ("company",),
    "lead.contracted": ("company", "provider"),
}
DIGEST_TOP_K = 5
DIGEST_MIN_SCORE = 0.6
# a site's figures are "about to go stale" this long before STALE_WORKFORCE_DAYS is reached
REMINDER_LEAD_DAYS = 7
MAIL_ROLES = ("company", "provider")


# ---- recipients -------------------------------------------------------------------------------

def mail_recipients(session: Session, org_ids: Collection[uuid.UUID],
                    category: MailCategory) -> list[User]:
    """Active users of ``org_ids`` who did not unsubscribe from ``category``, by e-mail."""
    if not org_ids:
        return []
    opted_out = select(MailOptOut.user_id).where(MailOptOut.category == category.value)
    return list(session.exec(
        select(User).where(col(User.organisation_id).in_(list(org_ids)), User.is_active,
                           col(User.role).in_(MAIL_ROLES), col(User.id).not_in(opted_out))
        .order_by(User.email)).all())


def enqueue_email(session: Session, user: User, *, event_type: str, event_key: str,
                  category: MailCategory, template: str, context: dict[str, Any],
                  now: datetime, lead_id: uuid.UUID | None = None,
                  sequence: int = 0) -> OutboxEvent:
    """Queue one e-mail to ``user`` (inside the caller's transaction; never commits).

    The destination is the address's domain: one SMTP conversation at a time per receiving
    domain, so one slow mail host does not hold up the others.
    """
    domain = user.email.rsplit("@", 1)[-1].lower()
    event = OutboxEvent(
        organisation_id=user.organisation_id, lead_id=lead_id, event_type=event_type,
        channel=Channel.email.value, event_key=event_key, recipient=str(user.id),
        destination=f"email:{domain}", sequence=sequence, created_at=now, next_attempt_at=now,
        payload={"to": user.email, "user_id": str(user.id), "language": language_of(user),
                 "category": category.value, "template": template, "context": context})
    session.add(event)
    return event


def _existing_keys(session: Session, keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    if not keys:
        return set()
    return set(session.exec(select(OutboxEvent.event_key).where(
        OutboxEvent.channel == Channel.email.value, col(OutboxEvent.event_key).in_(keys))).all())


# ---- lead events ------------------------------------------------------------------------------

def queue_lead_emails(session: Session, *, event_type: str, event_key: str, sequence: int,
                      lead_id: uuid.UUID, parties: dict[str, uuid.UUID],
                      views: dict[uuid.UUID, dict[str, Any]], now: datetime) -> int:
    """E-mail a lead event to the users of each side §14 names; ``views[org]`` is the lead as
    that organisation may see it. Returns how many e-mails were queued."""
    sides = MAIL_RECIPIENTS.get(event_type, ())
    org_ids = [parties[side] for side in sides]
    queued = 0
    for user in mail_recipients(session, org_ids, MailCategory.leads):
        side = "company" if user.organisation_id == parties["company"] else "provider"
        enqueue_email(session, user, event_type=event_type, event_key=event_key,
                      category=MailCategory.leads, template="lead_event",
                      context={"event": event_type, "side": side,
                               "lead": views[user.organisation_id]},
                      now=now, lead_id=lead_id, sequence=sequence)
        queued += 1
    return queued


# ---- opt-in to the digest ---------------------------------------------------------------------

def get_organisation(session: Session, user: User, org_id: uuid.UUID) -> Organisation:
    # not organisations.get_organisation: that module imports leads, which imports this one
    org = session.get(Organisation, org_id)
    if org is None or not can_read(user, org.id):
        raise NotFound(f"Organisation {org_id} not found")
    return org


def get_settings_row(session: Session, user: User, org_id: uuid.UUID) -> NotificationSettings:
    get_organisation(session, user, org_id)
    row = session.get(NotificationSettings, org_id)
    return row or NotificationSettings(organisation_id=org_id, opportunity_digest=False)


def set_digest(session: Session, user: User, org_id: uuid.UUID,
               opportunity_digest: bool) -> NotificationSettings:
    org = get_organisation(session, user, org_id)
    check_write(user, org.id, "Organisation")
    if opportunity_digest and org.kind != "provider":
        raise Conflict("The opportunity digest is for providers")
    row = session.get(NotificationSettings, org_id)
    if row is None:
        row = NotificationSettings(organisation_id=org_id)
        session.add(row)
    row.opportunity_digest, row.updated_at = opportunity_digest, utcnow()
    session.flush()
    return row


# ---- unsubscribe ------------------------------------------------------------------------------

def unsubscribe(session: Session, user_id: uuid.UUID, category: MailCategory) -> User | None:
    """Record the opt-out (idempotent); None when the user no longer exists."""
    user = session.get(User, user_id)
    if user is None:
        return None
    if session.get(MailOptOut, (user_id, category.value)) is None:
        session.add(MailOptOut(user_id=user_id, category=category.value))
        session.flush()
    return user


# ---- the daily opportunity digest -------------------------------------------------------------

def digest_key(org_id: uuid.UUID, day: date) -> str:
    return f"digest:{org_id}:{day.isoformat()}"


def queue_digests(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Queue today's digest for every opted-in provider with a need to show; returns e-mails.

    A need is in a provider's digest when it was posted in the last 24 hours, is open, and
    one of the provider's capabilities is among the top 5 for it with a score of at least 0.6,
    ranked by the same engine as the match pages.
    """
    from api.services.matching import ENGINES, engine_config, need_profile
    from api.services.weights import current_weights

    now = as_utc(now or utcnow())
    day = now.date()
    opted = list(session.exec(select(Organisation).join(
        NotificationSettings, col(NotificationSettings.organisation_id) == Organisation.id)
        .where(NotificationSettings.opportunity_digest, Organisation.kind == "provider")).all())
    done = _existing_keys(session, [digest_key(o.id, day) for o in opted])
    todo = {o.id: o for o in opted if digest_key(o.id, day) not in done}
    if not todo:
        return 0
    rows = session.exec(select(Need, Site).join(Site, col(Site.id) == Need.site_id).where(
        Need.status == "open", Need.created_at > now - timedelta(days=1),
        Need.created_at <= now).order_by(col(Need.created_at), col(Need.id))).all()
    if not rows:
        return 0
    engine = ENGINES.get(session, current_weights(session), engine_config(settings))
    hits: dict[uuid.UUID, dict[str, dict[str, Any]]] = defaultdict(dict)
    for need, site in rows:
        for candidate in engine.rank(need_profile(need, site), k=DIGEST_TOP_K).items:
            provider_id = uuid.UUID(candidate.provider_id)
            if provider_id not in todo or candidate.score < DIGEST_MIN_SCORE:
                continue
            best = hits[provider_id].get(str(need.id))
            if best is None or candidate.score > best["score"]:
                hits[provider_id][str(need.id)] = {
                    "need_id": str(need.id), "title": need.title, "activity": need.activity,
                    "fte": need.fte, "municipality": site.municipality,
                    "score": round(candidate.score, 3),
                    "distance_km": round(candidate.distance_km, 1)}
    queued = 0
    for provider_id, needs in hits.items():
        items = sorted(needs.values(), key=lambda i: (-i["score"], i["title"]))
        for user in mail_recipients(session, [provider_id], MailCategory.digest):
            enqueue_email(session, user, event_type=EventType.digest.value,
                          event_key=digest_key(provider_id, day), category=MailCategory.digest,
                          template="digest", now=now,
                          context={"provider": todo[provider_id].name, "day": day.isoformat(),
                                   "items": items})
            queued += 1
    return queued


# ---- the weekly workforce reminder ------------------------------------------------------------

def reminder_key(org_id: uuid.UUID, day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"reminder:{org_id}:{year}-W{week:02d}"


def queue_workforce_reminders(session: Session, settings: Settings,
                              now: datetime | None = None) -> int:
    """Once per ISO week, remind each provider whose site figures are stale within 7 days.

    Figures older than ``STALE_WORKFORCE_DAYS`` make the engine flag (and rank lower) that
    site's capabilities; sites already past it are listed too, until their figures change.
    """
    now = as_utc(now or utcnow())
    horizon = now - timedelta(days=settings.stale_workforce_days - REMINDER_LEAD_DAYS)
    rows = session.exec(select(Workforce, Site, Organisation)
                        .join(Site, col(Site.id) == Workforce.site_id)
                        .join(Organisation, col(Organisation.id) == Workforce.organisation_id)
                        .where(Workforce.figures_as_of <= horizon)
                        .order_by(col(Site.name), col(Site.id))).all()
    by_org: dict[uuid.UUID, _Reminder] = {}
    for workforce, site, org in rows:
        as_of = as_utc(workforce.figures_as_of)
        stale_on = as_of + timedelta(days=settings.stale_workforce_days)
        by_org.setdefault(org.id, _Reminder(org)).sites.append({
            "name": site.name, "municipality": site.municipality,
            "figures_as_of": as_of.date().isoformat(), "stale_on": stale_on.date().isoformat(),
            "stale": stale_on <= now})
    done = _existing_keys(session, [reminder_key(o, now.date()) for o in by_org])
    queued = 0
    for org_id, reminder in by_org.items():
        key = reminder_key(org_id, now.date())
        if key in done:
            continue
        for user in mail_recipients(session, [org_id], MailCategory.reminders):
            enqueue_email(session, user, event_type=EventType.reminder.value, event_key=key,
                          category=MailCategory.reminders, template="workforce_reminder",
                          now=now, context={"provider": reminder.org.name,
                                            "sites": reminder.sites,
                                            "stale_days": settings.stale_workforce_days})
            queued += 1
    return queued


@dataclass
class _Reminder:
    org: Organisation
    sites: list[dict[str, Any]] = field(default_factory=list)


# ---- the worker's pass ------------------------------------------------------------------------

@dataclass
class PeriodicMail:
    """The digest and the reminder, each run at most once per period by this process.

    The first pass of a UTC day queues the digests, the first pass of an ISO week the
    reminders; the event keys keep a restarted (or second) worker from queueing twice.
    """

    settings: Settings
    _digest_day: date | None = None
    _reminder_week: tuple[int, int] | None = None

    def run(self, engine: Engine, now: datetime | None = None) -> tuple[int, int]:
        """Returns (digest e-mails, reminder e-mails) queued by this pass."""
        now = as_utc(now or utcnow())
        digests = reminders = 0
        week = now.date().isocalendar()[:2]
        if self._digest_day != now.date():
            with Session(engine) as session:
                digests = queue_digests(session, self.settings, now)
                session.commit()
            self._digest_day = now.date()
        if self._reminder_week != week:
            with Session(engine) as session:
                reminders = queue_workforce_reminders(session, self.settings, now)
                session.commit()
            self._reminder_week = week
        return digests, reminders
