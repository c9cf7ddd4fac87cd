"""Data export and erasure of one organisation (GDPR articles 15, 17 and 20).

Erasure overwrites personal data in place instead of deleting rows: needs, capabilities,
sites (municipality), workforce FTE and leads stay as anonymised rows, so monitoring figures
(demand, supply, contracts by region and activity) do not change retroactively.
"""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from api.errors import Conflict, Forbidden
from api.services import audit, catalogue, lead_views
from api.services.access import get_organisation
from api.services.auth import revoke_tokens
from models.audit import AuditEvent
from models.base import utcnow
from models.capability import Capability, CapabilityPublic, CapabilityUpdate
from models.lead import Lead
from models.need import NEED_TRANSITIONS, Need, NeedPublic
from models.organisation import Organisation, OrganisationPublic, User
from models.privacy import ExportedUser, OrganisationExport
from models.site import Site, SitePublic, Workforce, WorkforcePublic
from models.webhook import DeliveryStatus, OutboxEvent, WebhookEndpoint, WebhookEndpointPublic

ERASED = "[erased]"


def _rows(session: Session, model, org_id: uuid.UUID, order) -> list:  # noqa: ANN001
    return list(session.exec(select(model).where(model.organisation_id == org_id)
                             .order_by(*order)).all())


def export(session: Session, user: User, org_id: uuid.UUID) -> OrganisationExport:
    """All of an organisation's data; its own members and staff may ask (404 otherwise)."""
    org = get_organisation(session, user, org_id)
    sent = list(session.exec(select(Lead).where(Lead.company_id == org.id)
                             .order_by(col(Lead.sent_at), col(Lead.id))).all())
    received = list(session.exec(select(Lead).where(Lead.provider_id == org.id)
                                 .order_by(col(Lead.sent_at), col(Lead.id))).all())
    webhook = session.exec(select(WebhookEndpoint)
                           .where(WebhookEndpoint.organisation_id == org.id)).first()
    result = OrganisationExport(
        exported_at=utcnow(),
        organisation=OrganisationPublic.model_validate(org),
        users=[ExportedUser.model_validate(u) for u in _rows(session, User, org.id,
                                                             (User.created_at, User.id))],
        sites=[SitePublic.model_validate(s) for s in _rows(session, Site, org.id,
                                                           (Site.name, Site.id))],
        workforce=[WorkforcePublic.model_validate(w)
                   for w in _rows(session, Workforce, org.id, (Workforce.site_id,))],
        capabilities=[CapabilityPublic.model_validate(c)
                      for c in _rows(session, Capability, org.id,
                                     (Capability.created_at, Capability.id))],
        needs=[NeedPublic.model_validate(n) for n in _rows(session, Need, org.id,
                                                           (Need.created_at, Need.id))],
        leads_sent=lead_views.present(session, sent, viewer=user),
        leads_received=lead_views.present(session, received, viewer=user),
        webhook=WebhookEndpointPublic.model_validate(webhook) if webhook else None,
        audit_events=audit.present(session, _rows(session, AuditEvent, org.id,
                                                  (AuditEvent.at, AuditEvent.id))),
    )
    audit.record(session, user, entity="organisation", entity_id=org.id, action="export",
                 summary="organisation data exported", organisation_id=org.id)
    return result


def _check_may_erase(user: User, org: Organisation) -> None:
    if org.kind == "department":
        raise Conflict("The department cannot be erased")
    # the organisation's own users, or an administrator; plain staff may read but not erase
    if user.role != "admin" and user.organisation_id != org.id:
        raise Forbidden("Only the organisation itself or an administrator may erase it")


def erase(session: Session, user: User, org_id: uuid.UUID) -> None:
    """Erase an organisation's personal data; keep anonymised statistics rows.

    Open needs are cancelled (their open leads withdrawn and contracts released) and
    capabilities deactivated through the normal services, so webhooks and capacity stay
    consistent; then names, contact persons (name, e-mail, phone), users' phones and free
    text are blanked, users deactivated with their email replaced, the webhook removed and
    every token of the organisation's users revoked.
    """
    org = get_organisation(session, user, org_id)
    _check_may_erase(user, org)
    members = _rows(session, User, org.id, (User.created_at, User.id))
    identifying = [org.name, org.contact_name, org.contact_email, org.contact_phone,
                   *(m.email for m in members), *(m.full_name for m in members),
                   *(m.phone for m in members)]

    for need in _rows(session, Need, org.id, (Need.created_at, Need.id)):
        if "cancelled" in NEED_TRANSITIONS[need.status]:
            catalogue.change_need_status(session, user, need.id, "cancelled")
        need.title, need.description, need.updated_at = ERASED, "", utcnow()
    for cap in _rows(session, Capability, org.id, (Capability.created_at, Capability.id)):
        if cap.active:
            catalogue.update_capability(session, user, cap.id, CapabilityUpdate(active=False))
        cap.description, cap.updated_at = "", utcnow()
    for site in _rows(session, Site, org.id, (Site.name, Site.id)):
        site.name, site.street, site.updated_at = ERASED, "", utcnow()
    for lead in session.exec(select(Lead).where(Lead.provider_id == org.id)).all():
        lead.decline_reason_text = ""

    webhook = session.exec(select(WebhookEndpoint)
                           .where(WebhookEndpoint.organisation_id == org.id)).first()
    if webhook is not None:
        session.delete(webhook)
    for event in session.exec(select(OutboxEvent).where(
            OutboxEvent.organisation_id == org.id,
            OutboxEvent.status == DeliveryStatus.pending.value)).all():
        session.delete(event)

    for member in members:
        member.email = f"erased-{member.id}@invalid"
        member.full_name = ""
        member.phone = None
        member.password_hash = "!erased"  # not an argon2 hash: nothing verifies against it
        member.is_active = False
        revoke_tokens(member)

    org.name = f"Erased organisation {str(org.id)[:8]}"
    org.enterprise_number = None
    org.description = ""
    org.website = org.contact_name = org.contact_email = org.contact_phone = None
    org.brokered_by_department = False  # an erased company no longer asks anyone to act for it
    org.updated_at = utcnow()

    # audit summaries written earlier may quote the name or an email address
    for entry in session.exec(select(AuditEvent)
                              .where(AuditEvent.organisation_id == org.id)).all():
        summary = entry.summary
        for value in identifying:
            if value and len(value) >= 3:
                summary = summary.replace(value, ERASED)
        entry.summary = summary
    session.flush()
    audit.record(session, user, entity="organisation", entity_id=org.id, action="erase",
                 summary=f"personal data erased; {len(members)} user(s) deactivated",
                 organisation_id=org.id)
