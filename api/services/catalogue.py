"""Capabilities (provider side) and needs (company side)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlmodel import Session, col, func, select

from api.crud.common import page, paginate
from api.errors import Conflict, InvalidInput
from api.services import audit, brokerage, leads
from api.services.access import get_readable, get_writable, is_staff, require_role
from api.services.common import apply_update, check_transition
from models import taxonomy
from models.capability import (
    Capability,
    CapabilityCreate,
    CapabilityUpdate,
    check_modes_fit_activity,
)
from models.lead import Lead
from models.need import NEED_TRANSITIONS, Need, NeedCreate, NeedTally, NeedUpdate
from models.organisation import Organisation, User
from models.site import Site


def _own_site(session: Session, user: User, site_id: uuid.UUID) -> Site:
    site = session.get(Site, site_id)
    if site is None or site.organisation_id != user.organisation_id:
        raise InvalidInput(["body", "site_id"], "site not found among your organisation's sites")
    return site


def _scoped(stmt, model, user: User, *, organisation_id: uuid.UUID | None):  # noqa: ANN001, ANN202
    if not is_staff(user):
        stmt = stmt.where(model.organisation_id == user.organisation_id)
    if organisation_id is not None:
        stmt = stmt.where(model.organisation_id == organisation_id)
    return stmt


def _listing(model: type[Capability] | type[Need], user: User, *,
             organisation_id: uuid.UUID | None, activity: str | None,
             province: str | None):  # noqa: ANN202
    """The capabilities or needs ``user`` may list, filtered by owner, activity and the
    province of their site: both lists filter alike."""
    stmt = _scoped(select(model), model, user, organisation_id=organisation_id)
    if activity:
        stmt = stmt.where(model.activity == activity)
    if province:
        stmt = stmt.join(Site, Site.id == model.site_id).where(Site.province == province)
    return stmt


# ---- capabilities ---------------------------------------------------------------------------

def list_capabilities(session: Session, user: User, *, activity: str | None,
                      province: str | None, provider_id: uuid.UUID | None,
                      active: bool | None, limit: int,
                      offset: int) -> tuple[list[Capability], int]:
    stmt = _listing(Capability, user, organisation_id=provider_id, activity=activity,
                    province=province)
    if active is not None:
        stmt = stmt.where(Capability.active == active)
    return paginate(session, stmt, limit=limit, offset=offset,
                    order_by=(Capability.activity, Capability.id))


def create_capability(session: Session, user: User, data: CapabilityCreate) -> Capability:
    require_role(user, "provider", action="publish capabilities")
    site = _own_site(session, user, data.site_id)
    cap = Capability.model_validate(data.model_dump(mode="json"),
                                    update={"organisation_id": site.organisation_id})
    cap.site_id = site.id
    session.add(cap)
    session.flush()
    audit.record(session, user, entity="capability", entity_id=cap.id, action="create",
                 summary=f"{cap.activity} at site '{site.name}'")
    return cap


def get_capability(session: Session, user: User, cap_id: uuid.UUID) -> Capability:
    return get_readable(session, Capability, cap_id, "Capability", user)


def update_capability(session: Session, user: User, cap_id: uuid.UUID,
                      patch: CapabilityUpdate) -> Capability:
    cap = get_writable(session, Capability, cap_id, "Capability", user)
    if patch.placement_modes is not None:
        try:
            check_modes_fit_activity(cap.activity, [m.value for m in patch.placement_modes])
        except ValueError as exc:
            raise InvalidInput(["body", "placement_modes"], str(exc)) from exc
    changes = apply_update(cap, patch, nullable=frozenset({"service_radius_km"}))
    for key in ("placement_modes", "certifications", "shifts"):
        if key in changes:
            setattr(cap, key, [str(v) for v in changes[key]])
    audit.record(session, user, entity="capability", entity_id=cap.id, action="update",
                 summary=f"changed {', '.join(sorted(changes)) or 'nothing'}",
                 organisation_id=cap.organisation_id)
    if changes.get("active") is False:
        leads.flag_capability_leads(session, user, cap, "The provider deactivated this capability")
    return cap


def delete_capability(session: Session, user: User, cap_id: uuid.UUID) -> None:
    cap = get_writable(session, Capability, cap_id, "Capability", user)
    leads.flag_capability_leads(session, user, cap, "The provider deleted this capability")
    session.delete(cap)
    audit.record(session, user, entity="capability", entity_id=cap_id, action="delete",
                 summary=f"{cap.activity} capability deleted", organisation_id=cap.organisation_id)


# ---- needs ----------------------------------------------------------------------------------

def list_needs(session: Session, user: User, *, status: str | None, activity: str | None,
               province: str | None, organisation_id: uuid.UUID | None, limit: int,
               offset: int) -> tuple[list[Need], int]:
    stmt = _listing(Need, user, organisation_id=organisation_id, activity=activity,
                    province=province)
    if status:
        stmt = stmt.where(Need.status == status)
    order = (col(Need.created_at).desc(), col(Need.id).desc())
    if activity or province:
        return paginate(session, stmt, limit=limit, offset=offset, order_by=order)
    # filtered by organisation and status only: the trigger-kept tally has the exact total
    total = _scoped(select(func.coalesce(func.sum(NeedTally.needs), 0)), NeedTally, user,
                    organisation_id=organisation_id)
    if status:
        total = total.where(NeedTally.status == status)
    return (page(session, stmt, limit=limit, offset=offset, order_by=order),
            int(session.exec(total).one()))


def _need_site(session: Session, user: User, data: NeedCreate) -> tuple[Site, uuid.UUID | None]:
    """The site a new need is posted at, and the company a staff broker posts it for.

    The site names the company: a company posts at its own sites, department staff at a site
    of a company that allows brokering (see api.services.brokerage).
    """
    if not is_staff(user):
        require_role(user, "company", action="post needs")
        return _own_site(session, user, data.site_id), None
    site = session.get(Site, data.site_id)
    org = session.get(Organisation, site.organisation_id) if site is not None else None
    if site is None or org is None or org.kind != "company":
        raise InvalidInput(["body", "site_id"], "site not found among the companies' sites")
    return site, brokerage.acting_for(session, user, org.id, "post needs")


def create_need(session: Session, user: User, data: NeedCreate) -> Need:
    site, for_company = _need_site(session, user, data)
    # not given: the activity's time pressure from the taxonomy (DESIGN §4.8)
    pressure = (str(data.time_pressure.value) if data.time_pressure is not None
                else taxonomy.known_activity(data.activity).time_pressure)
    need = Need.model_validate(data.model_dump(), update={
        "organisation_id": site.organisation_id, "status": "draft", "time_pressure": pressure})
    need.site_id = site.id
    for key in ("placement_mode", "accommodates_support", "origin"):
        setattr(need, key, str(getattr(data, key).value))
    need.shifts = [str(s) for s in data.shifts]
    need.certifications_required = [str(c) for c in data.certifications_required]
    brokerage.mark(need, user, for_company)
    session.add(need)
    session.flush()
    audit.record(session, user, entity="need", entity_id=need.id, action="create",
                 summary=f"need '{need.title}' ({need.activity}, {need.fte:g} FTE, "
                 f"{need.origin}) as draft", on_behalf_of=for_company)
    return need


def get_need(session: Session, user: User, need_id: uuid.UUID) -> Need:
    return get_readable(session, Need, need_id, "Need", user)


def lead_counts(session: Session, user: User,
                need_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    """``{need id: {lead status: number of leads}}`` for those of ``need_ids`` the user may
    read (one grouped query; a need without leads is absent)."""
    ids = list(need_ids)
    if not ids:
        return {}
    stmt = _scoped(select(Lead.need_id, Lead.status, func.count())
                   .join(Need, col(Need.id) == Lead.need_id)
                   .where(col(Lead.need_id).in_(ids)), Need, user, organisation_id=None)
    out: dict[uuid.UUID, dict[str, int]] = {}
    for need_id, status, count in session.exec(stmt.group_by(Lead.need_id, Lead.status)).all():
        out.setdefault(need_id, {})[str(status)] = int(count)
    return out


def update_need(session: Session, user: User, need_id: uuid.UUID, patch: NeedUpdate) -> Need:
    need, for_company = brokerage.writable_need(session, user, need_id, "edit needs")
    if need.status in ("closed", "cancelled"):
        raise Conflict(f"Need is {need.status}; it can no longer be changed",
                       current_status=need.status)
    changes = apply_update(need, patch, nullable=frozenset(
        {"max_distance_km", "start_date", "end_date", "origin_country"}))
    for key in ("accommodates_support", "time_pressure", "origin"):
        if key in changes:
            setattr(need, key, str(changes[key]))
    for key in ("shifts", "certifications_required"):
        if key in changes:
            setattr(need, key, [str(v) for v in changes[key]])
    if need.start_date and need.end_date and need.end_date < need.start_date:
        raise InvalidInput(["body", "end_date"], "end_date must not be before start_date")
    if need.origin != "reshored" and need.origin_country is not None:
        if "origin_country" in changes:
            raise InvalidInput(["body", "origin_country"],
                               "origin_country is only allowed when origin is 'reshored'")
        need.origin_country = None  # no longer reshored: the country of origin goes too
    brokerage.mark(need, user, for_company)
    audit.record(session, user, entity="need", entity_id=need.id, action="update",
                 summary=f"changed {', '.join(sorted(changes)) or 'nothing'}",
                 organisation_id=need.organisation_id, on_behalf_of=for_company)
    return need


def change_need_status(session: Session, user: User, need_id: uuid.UUID, target: str) -> Need:
    need, for_company = brokerage.writable_need(session, user, need_id, "change needs",
                                                lock=True)
    check_transition("Need", need.status, target, NEED_TRANSITIONS[need.status])
    previous, need.status = need.status, target
    brokerage.mark(need, user, for_company)
    audit.record(session, user, entity="need", entity_id=need.id, action=f"status.{target}",
                 summary=f"need '{need.title}' {previous} → {target}",
                 organisation_id=need.organisation_id, on_behalf_of=for_company)
    leads.on_need_status_changed(session, user, need)
    return need


def delete_need(session: Session, user: User, need_id: uuid.UUID) -> None:
    need, for_company = brokerage.writable_need(session, user, need_id, "delete needs")
    if need.status != "draft":
        raise Conflict(f"Only draft needs can be deleted; this one is {need.status} "
                       "(cancel it instead)", current_status=need.status)
    session.delete(need)
    audit.record(session, user, entity="need", entity_id=need_id, action="delete",
                 summary=f"draft need '{need.title}' deleted", organisation_id=need.organisation_id,
                 on_behalf_of=for_company)
