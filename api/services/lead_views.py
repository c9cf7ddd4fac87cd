"""Leads as each viewer may see them: the public form, contact details by consent.

Builds :class:`models.lead.LeadPublic` for a list of leads with as few queries as possible:
rows the request's session holds already (see :func:`keep`) are reused, the rest are loaded
in one query per table.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import inspect
from sqlmodel import Session, col, select

from api.services.access import is_staff
from models.base import as_utc
from models.lead import (
    Lead,
    LeadNeed,
    LeadPartnership,
    LeadPartnershipMember,
    LeadParty,
    LeadPublic,
    LeadReservation,
    LeadSnapshot,
)
from models.need import Need
from models.organisation import Organisation, User
from models.site import Site

# session.info key of the rows kept for present() to reuse (see keep)
_KEPT_ROWS = "koppel.leads.kept_rows"


def contacts_exchanged(lead: Lead) -> bool:
    """Both parties see each other's contact person once the provider accepted (DESIGN §6).

    Never before: a sent or viewed lead, a declined one, or one withdrawn or expired before an
    answer shows neither side's contact. A lead withdrawn after it was accepted keeps them
    visible: they were shared already, and the two may need to settle the withdrawal. Only an
    acceptance or a decline sets ``answered_at``, so an answered lead that is not declined
    was accepted.
    """
    return lead.status in ("accepted", "contracted") or (
        lead.answered_at is not None and lead.status != "declined")


def present(session: Session, leads: Sequence[Lead], *, viewer: User | None = None,
            viewer_org_id: uuid.UUID | None = None) -> list[LeadPublic]:
    """Leads as ``viewer`` (or, for webhooks, organisation ``viewer_org_id``) may see them.

    Each party always sees its own contact person and sees the other party's once the lead is
    accepted (:func:`contacts_exchanged`). Staff see everything.
    """
    if not leads:
        return []
    staff = viewer is not None and is_staff(viewer)
    org_id = viewer.organisation_id if viewer is not None else viewer_org_id
    needs, sites = _needs_and_sites(session, {lead.need_id for lead in leads})
    orgs = _rows(session, Organisation,
                 {lead.company_id for lead in leads} | {lead.provider_id for lead in leads})
    out = []
    for lead in leads:
        need = needs[lead.need_id]
        exchanged = contacts_exchanged(lead)
        company_contact = staff or org_id == lead.company_id or (
            org_id == lead.provider_id and exchanged)
        provider_contact = staff or org_id == lead.provider_id or (
            org_id == lead.company_id and exchanged)
        out.append(LeadPublic(
            id=lead.id, need_id=lead.need_id, capability_id=lead.capability_id,
            company_id=lead.company_id, provider_id=lead.provider_id,
            provider_site_id=lead.provider_site_id, status=lead.status,
            snapshot=LeadSnapshot.model_validate(lead.snapshot),
            decline_reason_code=lead.decline_reason_code,
            decline_reason_text=lead.decline_reason_text, contracted_fte=lead.contracted_fte,
            reserved=LeadReservation(low=lead.reserved_fte_low, medium=lead.reserved_fte_medium,
                                     high=lead.reserved_fte_high,
                                     supervisors=lead.reserved_supervisors),
            flagged=lead.flagged, flag_reason=lead.flag_reason,
            sent_at=as_utc(lead.sent_at), viewed_at=as_utc(lead.viewed_at),
            answered_at=as_utc(lead.answered_at), contracted_at=as_utc(lead.contracted_at),
            closed_at=as_utc(lead.closed_at), expires_at=as_utc(lead.expires_at),
            brokered_by_user_id=lead.brokered_by_user_id,
            need=LeadNeed(id=need.id, title=need.title, description=need.description,
                          activity=need.activity, placement_mode=need.placement_mode,
                          fte=need.fte, contracted_fte=need.contracted_fte,
                          accommodates_support=need.accommodates_support,
                          municipality=sites[need.site_id].municipality, status=need.status),
            company=_party(orgs[lead.company_id], company_contact),
            provider=_party(orgs[lead.provider_id], provider_contact),
            created_at=as_utc(lead.created_at), updated_at=as_utc(lead.updated_at),
            proposed_fte=lead.proposed_fte,
            partnership=_partnership(lead, staff or org_id == lead.company_id),
        ))
    return out


def _partnership(lead: Lead, company_side: bool) -> LeadPartnership | None:
    """The partnership as the viewer may see it: a provider sees the other members' names
    once it accepted its own lead (consent, as for contact details); the company always."""
    data = (lead.snapshot or {}).get("partnership")
    if lead.partnership_id is None or not data:
        return None
    visible = company_side or contacts_exchanged(lead)
    members = data.get("members", [])
    others = [LeadPartnershipMember(provider_name=m["provider_name"],
                                    municipality=m["municipality"],
                                    proposed_fte=m["proposed_fte"])
              for m in members if m.get("site_id") != str(lead.provider_site_id)]
    return LeadPartnership(id=lead.partnership_id, member_count=len(members),
                           covered_fte=data["covered_fte"], need_fte=data["need_fte"],
                           members_visible=visible, other_members=others if visible else None)


def _by_id(session: Session, model, ids: Iterable[uuid.UUID]) -> dict:  # noqa: ANN001
    ids = list(ids)
    return {row.id: row for row in session.exec(select(model).where(model.id.in_(ids))).all()}


def keep(session: Session, rows: Iterable[object]) -> None:
    """Hold ``rows`` for the rest of the session (one request), for present() to reuse.

    The session references unchanged rows only weakly: without this, the need get_lead loaded
    would be garbage-collected by the time present() looks for it in the identity map.
    """
    kept = session.info.setdefault(_KEPT_ROWS, {})
    kept.update((id(row), row) for row in rows)


def _in_session(session: Session, model, ids: Iterable[uuid.UUID]) -> dict:  # noqa: ANN001
    """The rows among ``ids`` the session holds already, fully loaded: no query needed.

    A query would hand back these very objects anyway (without refreshing them), so reading
    them from the identity map shows exactly the same values. Expired or partly loaded rows
    are left out for the caller to query, which loads what they miss.
    """
    found = {}
    for id_ in ids:
        row = session.identity_map.get(session.identity_key(model, id_))
        if row is not None and not inspect(row).unloaded:
            found[id_] = row
    return found


def _rows(session: Session, model, ids: Iterable[uuid.UUID]) -> dict:  # noqa: ANN001
    """Rows by id: those in the session as they are, the others in one query."""
    ids = set(ids)
    found = _in_session(session, model, ids)
    missing = ids - found.keys()
    if missing:
        found.update(_by_id(session, model, missing))
    return found


def _needs_and_sites(session: Session, need_ids: set[uuid.UUID]) -> tuple[dict, dict]:
    """The needs and their sites by id; needs not in the session come with their site."""
    needs = _in_session(session, Need, need_ids)
    sites: dict = {}
    missing = need_ids - needs.keys()
    if missing:
        rows = session.exec(select(Need, Site).join(Site, col(Site.id) == Need.site_id)
                            .where(col(Need.id).in_(missing))).all()
        for need, site in rows:
            needs[need.id], sites[site.id] = need, site
    sites.update(_rows(session, Site, {n.site_id for n in needs.values()} - sites.keys()))
    return needs, sites


def _party(org: Organisation, with_contact: bool) -> LeadParty:
    if not with_contact:
        return LeadParty(id=org.id, name=org.name)
    return LeadParty(id=org.id, name=org.name, contact_name=org.contact_name,
                     contact_email=org.contact_email, contact_phone=org.contact_phone,
                     contact_language=org.contact_language)
