"""Leads: a need sent to a provider capability, and its lifecycle.

sent → viewed → accepted | declined → contracted | withdrawn | expired (DESIGN §6).
What a contract reserves is computed in :mod:`api.services.lead_reservation`; how each party
sees a lead in :mod:`api.services.lead_views`.

Every transition writes an audit event and, for the organisation it concerns, a webhook event
in the outbox, all in the caller's transaction. Capacity is reserved when a lead is contracted:
row locks are always taken in the order need → workforce → lead, so two transactions never wait
on each other in a cycle (PostgreSQL `SELECT … FOR UPDATE`; on SQLite writers serialise anyway).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlmodel import Session, and_, col, or_, select

from api.config import Settings
from api.crud.common import count
from api.errors import Conflict, Forbidden, InvalidInput, NotFound
from api.services import audit, brokerage, lead_views, notifications, webhooks
from api.services.access import is_staff
from api.services.common import check_transition
from api.services.lead_reservation import (
    EPSILON,
    Capacity,
    best_reservation,
    capacity_problem,
    release,
    reserve,
)
from models.base import utcnow
from models.capability import Capability
from models.lead import (
    LEAD_TRANSITIONS,
    OPEN_LEAD_STATUSES,
    Lead,
    LeadContract,
    LeadCreate,
    LeadDecline,
)
from models.need import Need
from models.organisation import User
from models.site import Site, Workforce

# who hears about what: the party that did not act (both for flags)
RECIPIENTS: dict[str, tuple[str, ...]] = {
    "lead.sent": ("provider",),
    "lead.viewed": ("company",),
    "lead.accepted": ("company",),
    "lead.declined": ("company",),
    "lead.contracted": ("provider",),
    "lead.withdrawn": ("provider",),
    "lead.expired": ("provider",),
    "lead.flagged": ("company", "provider"),
}


# ---- events -----------------------------------------------------------------------------------

def _emit(session: Session, lead: Lead, event_type: str, now: datetime) -> None:
    """Queue ``event_type`` for each webhook recipient with an active endpoint, and the e-mails
    §14 asks for (``notifications.MAIL_RECIPIENTS``).

    The lead row is locked (or new) here, so bumping its counter gives a gap-free-enough,
    strictly increasing sequence per lead that the worker delivers in order. The counter moves
    once per recipient, subscribed or not. Every message of one transition shares the event key
    ``lead:<id>:<first sequence>``; with the channel and the recipient it is unique.
    """
    recipients = [lead.provider_id if side == "provider" else lead.company_id
                  for side in RECIPIENTS[event_type]]
    first = lead.event_sequence + 1
    lead.event_sequence += len(recipients)
    event_key = f"lead:{lead.id}:{first}"
    # one flush: the transition and the new counter go out in a single INSERT or UPDATE
    session.flush()
    # both parties, not only the recipients: present() shows both, and finds them kept
    parties = webhooks.with_active_endpoint(session, {lead.company_id, lead.provider_id})
    lead_views.keep(session, [org for org, _ in parties])
    subscribed = {org.id for org, active in parties if active}
    views: dict[uuid.UUID, dict] = {}

    def view(org_id: uuid.UUID) -> dict:
        if org_id not in views:
            views[org_id] = lead_views.present(session, [lead], viewer_org_id=org_id)[0].model_dump(
                mode="json")
        return views[org_id]

    for sequence, org_id in enumerate(recipients, start=first):
        if org_id not in subscribed:
            continue
        webhooks.enqueue(session, organisation_id=org_id, lead_id=lead.id,
                         event_type=event_type, sequence=sequence, event_key=event_key,
                         payload={"lead": view(org_id)}, now=now)
    sides = {"company": lead.company_id, "provider": lead.provider_id}
    mail_orgs = {sides[side] for side in notifications.MAIL_RECIPIENTS.get(event_type, ())}
    if mail_orgs:
        notifications.queue_lead_emails(
            session, event_type=event_type, event_key=event_key, sequence=first,
            lead_id=lead.id, parties=sides, views={o: view(o) for o in mail_orgs}, now=now)


def _record(session: Session, actor: User | None, lead: Lead, action: str, summary: str,
            on_behalf_of: uuid.UUID | None = None) -> None:
    audit.record(session, actor, entity="lead", entity_id=lead.id, action=action,
                 summary=summary, organisation_id=None if actor else lead.company_id,
                 on_behalf_of=on_behalf_of)


# ---- access -----------------------------------------------------------------------------------

def _can_see(user: User, lead: Lead) -> bool:
    return is_staff(user) or user.organisation_id in (lead.company_id, lead.provider_id)


def get_lead(session: Session, user: User, lead_id: uuid.UUID, *, lock: bool = False) -> Lead:
    """The lead ``user`` may see, with its need and their site kept in the session.

    ``lock``: the lead's row lock comes in the same round trip (``FOR UPDATE OF lead``, the
    newest committed row); only for transitions that take no need or workforce lock, which
    would have to come first (need → workforce → lead).
    """
    # the need and its site come along in the same round trip: every caller presents the lead
    stmt = (select(Lead, Need, Site).select_from(Lead)
            .join(Need, col(Need.id) == Lead.need_id)
            .join(Site, col(Site.id) == Need.site_id)
            .where(Lead.id == lead_id))
    if lock:
        stmt = stmt.with_for_update(of=Lead).execution_options(populate_existing=True)
    row = session.exec(stmt).first()
    if row is None or not _can_see(user, row[0]):
        raise NotFound(f"Lead {lead_id} not found")
    lead, need, site = row
    lead_views.keep(session, [need, site])
    return lead


def _require_side(user: User, lead: Lead, side: str, action: str) -> None:
    if user.role == "admin":
        return
    if user.organisation_id != (lead.provider_id if side == "provider" else lead.company_id):
        raise Forbidden(f"Only the {side} of this lead may {action} it")


def _require_company_side(session: Session, user: User, lead: Lead,
                          action: str) -> uuid.UUID | None:
    """The company, or staff acting for it (see brokerage); returns the company acted for."""
    if is_staff(user):
        return brokerage.acting_for(session, user, lead.company_id, f"{action} leads")
    _require_side(user, lead, "company", action)
    return None


def _check_transition(lead: Lead, action: str) -> str:
    target = LEAD_TRANSITIONS[action][1]
    check_transition("Lead", lead.status, target,
                     {to for sources, to in LEAD_TRANSITIONS.values() if lead.status in sources})
    return target


def _lock_lead(session: Session, lead_id: uuid.UUID) -> Lead:
    lead = session.get(Lead, lead_id, with_for_update=True, populate_existing=True)
    assert lead is not None  # leads are never deleted while their need exists
    return lead


def _lock_need(session: Session, need_id: uuid.UUID) -> Need:
    need = session.get(Need, need_id, with_for_update=True, populate_existing=True)
    assert need is not None  # the lead's foreign key cascades
    return need


def _lock_workforce(session: Session, site_id: uuid.UUID) -> Workforce | None:
    return session.exec(select(Workforce).where(Workforce.site_id == site_id)
                        .with_for_update()
                        .execution_options(populate_existing=True)).first()


# ---- use cases --------------------------------------------------------------------------------

def send_lead(session: Session, user: User, need_id: uuid.UUID, data: LeadCreate,
              settings: Settings, lang: str = "nl", *,
              partnership: Mapping[str, object] | None = None,
              proposed_fte: float | None = None) -> Lead:
    """Send ``need_id`` to one capability (409 when it cannot be sent).

    ``partnership`` (with ``proposed_fte``) marks the lead as one member of a partnership
    proposal: ``{"id", "covered_fte", "need_fte", "members": [{"capability_id", "site_id",
    "provider_name", "municipality", "proposed_fte"}]}``, kept in the snapshot.
    """
    from api.services.matching import score_pair

    # the need row lock serialises concurrent sends for one need (the partial unique index is
    # the last line of defence)
    need, site, for_company = brokerage.writable_need_and_site(session, user, need_id,
                                                              "send leads", lock=True)
    if need.status != "open":
        raise Conflict(f"Need is {need.status}; leads can only be sent for open needs",
                       current_status=need.status)
    # the capability and the open lead it may have for this need already, in one round trip
    # (the partial unique index allows one at most)
    row = session.exec(select(Capability, Lead.id, Lead.status)
                       .outerjoin(Lead, and_(col(Lead.capability_id) == Capability.id,
                                             col(Lead.need_id) == need.id,
                                             col(Lead.status).in_(OPEN_LEAD_STATUSES)))
                       .where(Capability.id == data.capability_id)).first()
    if row is None:
        raise InvalidInput(["body", "capability_id"], "capability not found")
    capability, existing_id, existing_status = row
    if not capability.active:
        raise Conflict("This capability is not active; its provider does not take leads on it")
    if existing_id is not None:
        raise Conflict(f"An open lead for this need and capability exists already "
                       f"({existing_status})", lead_id=str(existing_id),
                       current_status=existing_status)
    # score_pair reads the need's site too, and finds it in the session; present() needs both
    # for the webhook payload and the response, after the locals here are gone
    lead_views.keep(session, [need, site])
    scored = score_pair(session, need, capability, settings, lang)
    if scored is None:
        raise Conflict("This capability does not match the need's activity at all")
    if scored.get("excluded"):
        causes = [r.get("text") or r.get("code") for r in scored["excluded"]]
        raise Conflict("The matching engine excludes this capability for this need: "
                       + "; ".join(map(str, causes)), excluded=scored["excluded"])
    now = utcnow()
    partnership_id = None
    if partnership is not None:
        scored = {**scored, "partnership": dict(partnership)}
        partnership_id = uuid.UUID(str(partnership["id"]))
    lead = Lead(need_id=need.id, capability_id=capability.id, company_id=need.organisation_id,
                provider_id=capability.organisation_id, provider_site_id=capability.site_id,
                status="sent", snapshot=scored, sent_at=now,
                expires_at=now + timedelta(days=settings.lead_expiry_days),
                partnership_id=partnership_id, proposed_fte=proposed_fte)
    brokerage.mark(lead, user, for_company)
    session.add(lead)
    _record(session, user, lead, "send",
            f"need '{need.title}' sent to capability {capability.id} "
            f"(score {scored['score']:.2f})", on_behalf_of=for_company)
    _emit(session, lead, "lead.sent", now)
    return lead


def list_leads(session: Session, user: User, *, role: str | None, status: str | None,
               need_id: uuid.UUID | None, limit: int, offset: int) -> tuple[list[Lead], int]:
    stmt = select(Lead)
    org = user.organisation_id
    if not is_staff(user):
        if role == "inbox":
            stmt = stmt.where(Lead.provider_id == org)
        elif role == "outbox":
            stmt = stmt.where(Lead.company_id == org)
        else:
            stmt = stmt.where(or_(Lead.provider_id == org, Lead.company_id == org))
    if status:
        stmt = stmt.where(Lead.status == status)
    if need_id:
        stmt = stmt.where(Lead.need_id == need_id)
    total = count(session, stmt)
    # the page with each lead's need and its site in one round trip, kept in the session for
    # present(), which would otherwise query them once more (the parties are few and come in
    # one query there: joined here, PostgreSQL hashed the whole organisation table twice). The
    # page is chosen by id in a subquery: an aliased entity over a windowed subquery took five
    # times as long to build and to key for the statement cache (about 1 ms a page)
    newest_first = (col(Lead.sent_at).desc(), col(Lead.id).desc())
    page = stmt.with_only_columns(col(Lead.id)).order_by(*newest_first).limit(limit).offset(offset)
    rows = session.exec(select(Lead, Need, Site)
                        .join(Need, col(Need.id) == Lead.need_id)
                        .join(Site, col(Site.id) == Need.site_id)
                        .where(col(Lead.id).in_(page))
                        .order_by(*newest_first)).all()
    lead_views.keep(session, [row for found in rows for row in found[1:]])
    return [found[0] for found in rows], total


def view_lead(session: Session, user: User, lead_id: uuid.UUID) -> Lead:
    lead = get_lead(session, user, lead_id, lock=True)
    _require_side(user, lead, "provider", "view")
    if lead.status == "viewed":  # idempotent: a second look changes nothing
        return lead
    lead.status = _check_transition(lead, "view")
    now = utcnow()
    lead.viewed_at = lead.updated_at = now
    _record(session, user, lead, "view", "lead viewed by the provider")
    _emit(session, lead, "lead.viewed", now)
    return lead


def accept_lead(session: Session, user: User, lead_id: uuid.UUID) -> Lead:
    lead = get_lead(session, user, lead_id, lock=True)
    _require_side(user, lead, "provider", "accept")
    lead.status = _check_transition(lead, "accept")
    now = utcnow()
    lead.viewed_at = lead.viewed_at or now
    lead.answered_at = lead.updated_at = now
    _record(session, user, lead, "accept", "lead accepted by the provider")
    _emit(session, lead, "lead.accepted", now)
    return lead


def decline_lead(session: Session, user: User, lead_id: uuid.UUID, data: LeadDecline) -> Lead:
    lead = get_lead(session, user, lead_id, lock=True)
    _require_side(user, lead, "provider", "decline")
    lead.status = _check_transition(lead, "decline")
    now = utcnow()
    lead.decline_reason_code = data.reason_code.value
    lead.decline_reason_text = data.reason_text
    lead.answered_at = lead.closed_at = lead.updated_at = now
    _record(session, user, lead, "decline",
            f"lead declined ({data.reason_code.value}) {data.reason_text}".strip())
    _emit(session, lead, "lead.declined", now)
    return lead


def contract_lead(session: Session, user: User, lead_id: uuid.UUID, data: LeadContract) -> Lead:
    lead = get_lead(session, user, lead_id)
    for_company = _require_company_side(session, user, lead, "contract")
    need = _lock_need(session, lead.need_id)
    workforce = _lock_workforce(session, lead.provider_site_id)
    lead = _lock_lead(session, lead.id)
    lead.status = _check_transition(lead, "contract")
    if need.status != "open":
        raise Conflict(f"Need is {need.status}; only an open need can be contracted",
                       current_status=lead.status, need_status=need.status)
    uncovered = round(need.fte - need.contracted_fte, 6)
    if data.fte > uncovered + EPSILON:
        raise InvalidInput(["body", "fte"],
                           f"at most {uncovered:g} FTE of this need is still uncovered")
    capacity = Capacity.of(workforce)
    reservation = best_reservation(capacity, data.fte, need.accommodates_support,
                                   need.placement_mode)
    if workforce is None or reservation.fte < data.fte - EPSILON:
        site = session.get(Site, lead.provider_site_id)
        raise capacity_problem(capacity, data.fte, reservation, need,
                                site.name if site else str(lead.provider_site_id))
    now = utcnow()
    reserve(workforce, reservation, now)
    lead.contracted_fte = data.fte
    lead.reserved_fte_low, lead.reserved_fte_medium = reservation.low, reservation.medium
    lead.reserved_fte_high, lead.reserved_supervisors = reservation.high, reservation.supervisors
    lead.contracted_at = lead.updated_at = now
    need.contracted_fte = round(need.contracted_fte + data.fte, 6)
    need.updated_at = now
    brokerage.mark(lead, user, for_company)
    _record(session, user, lead, "contract",
            f"{data.fte:g} FTE contracted (low/medium/high {reservation.low:g}/"
            f"{reservation.medium:g}/{reservation.high:g}, supervisors "
            f"{reservation.supervisors:g})", on_behalf_of=for_company)
    if need.contracted_fte >= need.fte - EPSILON:
        need.status = "matched"
        audit.record(session, user, entity="need", entity_id=need.id, action="status.matched",
                     summary=f"need '{need.title}' fully contracted ({need.contracted_fte:g} FTE)",
                     organisation_id=need.organisation_id, on_behalf_of=for_company)
    _emit(session, lead, "lead.contracted", now)
    return lead


def _release(lead: Lead, workforce: Workforce | None, need: Need, now: datetime) -> None:
    """Give a contracted lead's reservation back to the site and its FTE back to the need."""
    release(lead, workforce, now)
    need.contracted_fte = max(0.0, round(need.contracted_fte - (lead.contracted_fte or 0), 6))
    if need.status == "matched" and need.contracted_fte < need.fte - EPSILON:
        need.status = "open"
    need.updated_at = now


def _withdraw(session: Session, actor: User | None, lead: Lead, need: Need,
              workforce: Workforce | None, why: str, now: datetime) -> None:
    was, need_was_matched = lead.status, need.status == "matched"
    lead.status = _check_transition(lead, "withdraw")
    if was == "contracted":
        _release(lead, workforce, need, now)
    lead.closed_at = lead.updated_at = now
    # withdrawing is a company-side act: whoever else did it acted for the company
    for_company = brokerage.on_behalf_of(actor, lead.company_id)
    brokerage.mark(lead, actor, for_company)
    _record(session, actor, lead, "withdraw", f"lead withdrawn ({was}) {why}".strip(),
            on_behalf_of=for_company)
    if need_was_matched and need.status == "open":
        # recorded before _emit flushes, so both audit rows go out in one INSERT
        audit.record(session, actor, entity="need", entity_id=need.id, action="status.open",
                     summary=f"need '{need.title}' reopened: a contracted lead was withdrawn",
                     organisation_id=need.organisation_id, on_behalf_of=for_company)
    _emit(session, lead, "lead.withdrawn", now)


def withdraw_lead(session: Session, user: User, lead_id: uuid.UUID) -> Lead:
    lead = get_lead(session, user, lead_id)
    _require_company_side(session, user, lead, "withdraw")
    need = _lock_need(session, lead.need_id)
    workforce = _lock_workforce(session, lead.provider_site_id)
    lead = _lock_lead(session, lead.id)
    _withdraw(session, user, lead, need, workforce, "by the company", utcnow())
    return lead


def on_need_status_changed(session: Session, user: User, need: Need) -> None:
    """Hook for need transitions (the need row is locked by the caller).

    Cancelled: open leads are withdrawn and contracted ones released. Closed: open leads are
    withdrawn; contracts stand.
    """
    if need.status not in ("cancelled", "closed"):
        return
    statuses = OPEN_LEAD_STATUSES + (("contracted",) if need.status == "cancelled" else ())
    ids = session.exec(select(Lead.id, Lead.provider_site_id).where(
        Lead.need_id == need.id, col(Lead.status).in_(statuses)).order_by(col(Lead.id))).all()
    workforces = {site_id: _lock_workforce(session, site_id)
                  for site_id in sorted({site_id for _, site_id in ids})}
    now = utcnow()
    for lead_id, site_id in ids:
        lead = _lock_lead(session, lead_id)
        if lead.status in statuses:
            _withdraw(session, user, lead, need, workforces[site_id],
                      f"because the need was {need.status}", now)


def expire_due(session: Session, now: datetime | None = None) -> int:
    """Expire leads left unanswered (sent or viewed) past their ``expires_at``; returns count."""
    now = now or utcnow()
    leads = session.exec(select(Lead).where(
        col(Lead.status).in_(("sent", "viewed")), Lead.expires_at <= now)
        .order_by(col(Lead.id)).with_for_update(skip_locked=True)).all()
    for lead in leads:
        was = lead.status
        lead.status = _check_transition(lead, "expire")
        lead.closed_at = lead.updated_at = now
        _record(session, None, lead, "expire", f"lead expired unanswered ({was})")
        _emit(session, lead, "lead.expired", now)
    return len(leads)


# ---- freshness --------------------------------------------------------------------------------

def _flag(session: Session, actor: User | None, lead: Lead, reason: str, now: datetime) -> None:
    lead.flagged, lead.flag_reason, lead.updated_at = True, reason[:500], now
    _record(session, actor, lead, "flag", reason)
    _emit(session, lead, "lead.flagged", now)


def flag_capability_leads(session: Session, user: User, capability: Capability,
                          reason: str) -> int:
    """Flag the open leads on a capability that was deactivated or deleted."""
    leads = session.exec(select(Lead).where(
        Lead.capability_id == capability.id, col(Lead.status).in_(OPEN_LEAD_STATUSES),
        col(Lead.flagged).is_(False)).order_by(col(Lead.id)).with_for_update()).all()
    now = utcnow()
    for lead in leads:
        _flag(session, user, lead, reason, now)
    return len(leads)


def flag_leads_short_of_capacity(session: Session, user: User, workforce: Workforce,
                                 before: Capacity) -> int:
    """Flag open leads whose need the site covered before a workforce update but not after.

    Called with the workforce row locked; leads are locked after it (need → workforce → lead).
    """
    leads = session.exec(select(Lead).where(
        Lead.provider_site_id == workforce.site_id, col(Lead.status).in_(OPEN_LEAD_STATUSES),
        col(Lead.flagged).is_(False)).order_by(col(Lead.id)).with_for_update()).all()
    if not leads:
        return 0
    need_ids = {lead.need_id for lead in leads}
    needs = {need.id: need for need in session.exec(
        select(Need).where(col(Need.id).in_(need_ids))).all()}
    after, now, flagged = Capacity.of(workforce), utcnow(), 0
    for lead in leads:
        need = needs[lead.need_id]
        uncovered = need.fte - need.contracted_fte
        if uncovered <= EPSILON:
            continue
        was = best_reservation(before, uncovered, need.accommodates_support,
                               need.placement_mode).fte
        now_fte = best_reservation(after, uncovered, need.accommodates_support,
                                   need.placement_mode).fte
        if now_fte < min(was, uncovered) - EPSILON:
            _flag(session, user, lead,
                  f"The provider site's free workforce now covers {now_fte:g} of the "
                  f"{uncovered:g} FTE this need still asks (was {was:g})", now)
            flagged += 1
    return flagged
