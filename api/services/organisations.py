"""Organisations, their sites and providers' workforce figures."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.crud.common import paginate
from api.errors import Conflict, Forbidden, InvalidInput, NotFound
from api.services import audit, leads
from api.services.access import (
    check_write,
    get_organisation,
    get_readable,
    get_writable,
    is_staff,
)
from api.services.common import apply_update
from api.services.lead_reservation import Capacity
from models.base import utcnow
from models.capability import Capability
from models.gazetteer import lookup_postcode
from models.need import Need
from models.organisation import Organisation, OrganisationUpdate, User
from models.site import Site, SiteCreate, SiteUpdate, Workforce, WorkforceUpdate

# ---- organisations --------------------------------------------------------------------------

def list_organisations(session: Session, user: User, *, kind: str | None, limit: int,
                       offset: int) -> tuple[list[Organisation], int]:
    stmt = select(Organisation)
    if not is_staff(user):
        stmt = stmt.where(Organisation.id == user.organisation_id)
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    return paginate(session, stmt, limit=limit, offset=offset,
                    order_by=(Organisation.name, Organisation.id))


def update_organisation(session: Session, user: User, org_id: uuid.UUID,
                        patch: OrganisationUpdate) -> Organisation:
    org = get_organisation(session, user, org_id)
    check_write(user, org.id, "Organisation")
    if patch.brokered_by_department is not None:
        # the company's own consent: neither staff nor an admin may give it in its name
        if user.organisation_id != org.id:
            raise Forbidden("Only the company itself may allow or revoke brokering by the "
                            "department")
        if org.kind != "company":
            raise InvalidInput(["body", "brokered_by_department"],
                               "only companies can be brokered by the department")
    changes = apply_update(org, patch,
                           nullable=frozenset({"website", "contact_name", "contact_email",
                                               "contact_phone"}))
    audit.record(session, user, entity="organisation", entity_id=org.id, action="update",
                 summary=f"changed {', '.join(sorted(changes)) or 'nothing'}",
                 organisation_id=org.id)
    if "brokered_by_department" in changes:
        allowed = changes["brokered_by_department"]
        audit.record(session, user, entity="organisation", entity_id=org.id,
                     action="brokering.allow" if allowed else "brokering.revoke",
                     summary="department staff may act for the company" if allowed
                     else "department staff may no longer act for the company",
                     organisation_id=org.id)
    return org


# ---- sites ----------------------------------------------------------------------------------

def _resolve(site: Site, postcode: str) -> None:
    place = lookup_postcode(postcode)
    if place is None:  # validated by the schema already; kept as a guard
        raise NotFound(f"postcode {postcode} unknown")
    site.postcode = place.postcode
    site.municipality_nis = place.municipality_nis
    site.municipality = place.municipality
    site.arrondissement_nis = place.arrondissement_nis
    site.arrondissement = place.arrondissement
    site.province = place.province
    site.lat, site.lon = place.lat, place.lon
    site.coordinates_approximate = place.approximate


def list_sites(session: Session, user: User, org_id: uuid.UUID, *, limit: int,
               offset: int) -> tuple[list[Site], int]:
    get_organisation(session, user, org_id)
    stmt = select(Site).where(Site.organisation_id == org_id)
    return paginate(session, stmt, limit=limit, offset=offset, order_by=(Site.name, Site.id))


def create_site(session: Session, user: User, org_id: uuid.UUID, data: SiteCreate) -> Site:
    org = get_organisation(session, user, org_id)
    check_write(user, org.id, "Organisation")
    if org.kind == "department":
        raise Conflict("The department has no sites")
    site = Site(organisation_id=org.id, name=data.name, street=data.street,
                public_transport_access=data.public_transport_access.value,
                postcode=data.postcode, municipality_nis="", municipality="",
                arrondissement_nis="", arrondissement="", province="", lat=0.0, lon=0.0)
    _resolve(site, data.postcode)
    session.add(site)
    session.flush()
    audit.record(session, user, entity="site", entity_id=site.id, action="create",
                 summary=f"site '{site.name}' in {site.municipality}", organisation_id=org.id)
    return site


def get_site(session: Session, user: User, org_id: uuid.UUID, site_id: uuid.UUID) -> Site:
    site = get_readable(session, Site, site_id, "Site", user)
    if site.organisation_id != org_id:
        raise NotFound(f"Site {site_id} not found")
    return site


def update_site(session: Session, user: User, org_id: uuid.UUID, site_id: uuid.UUID,
                patch: SiteUpdate) -> Site:
    site = get_site(session, user, org_id, site_id)
    check_write(user, site.organisation_id, "Site")
    changes = apply_update(site, patch)
    if "postcode" in changes:
        _resolve(site, changes["postcode"])
    audit.record(session, user, entity="site", entity_id=site.id, action="update",
                 summary=f"changed {', '.join(sorted(changes)) or 'nothing'}",
                 organisation_id=site.organisation_id)
    return site


def delete_site(session: Session, user: User, org_id: uuid.UUID, site_id: uuid.UUID) -> None:
    site = get_site(session, user, org_id, site_id)
    check_write(user, site.organisation_id, "Site")
    in_use = session.exec(select(func.count()).select_from(Need).where(
        Need.site_id == site.id)).one() + session.exec(select(func.count()).select_from(
            Capability).where(Capability.site_id == site.id)).one()
    if in_use:
        raise Conflict(f"Site is used by {in_use} need(s) or capability(ies); remove those first")
    workforce = session.exec(select(Workforce).where(Workforce.site_id == site.id)).first()
    if workforce is not None:
        session.delete(workforce)
    session.delete(site)
    audit.record(session, user, entity="site", entity_id=site_id, action="delete",
                 summary=f"site '{site.name}' deleted", organisation_id=site.organisation_id)


# ---- workforce ------------------------------------------------------------------------------

def _provider(session: Session, user: User, provider_id: uuid.UUID) -> Organisation:
    org = get_organisation(session, user, provider_id)
    if org.kind != "provider":
        raise NotFound(f"Provider {provider_id} not found")
    return org


def list_workforce(session: Session, user: User, provider_id: uuid.UUID) -> list[Workforce]:
    _provider(session, user, provider_id)
    return list(session.exec(select(Workforce).where(Workforce.organisation_id == provider_id)
                             .order_by(col(Workforce.site_id))).all())


def set_workforce(session: Session, user: User, provider_id: uuid.UUID, site_id: uuid.UUID,
                  data: WorkforceUpdate) -> Workforce:
    org = _provider(session, user, provider_id)
    check_write(user, org.id, "Provider")
    site = get_writable(session, Site, site_id, "Site", user)
    if site.organisation_id != org.id:
        raise NotFound(f"Site {site_id} not found")
    workforce = session.exec(select(Workforce).where(Workforce.site_id == site.id)
                             .with_for_update()).first()
    before = Capacity.of(workforce)
    if workforce is None:
        workforce = Workforce(site_id=site.id, organisation_id=org.id)
        session.add(workforce)
    workforce.free_fte_low = data.free_fte_low
    workforce.free_fte_medium = data.free_fte_medium
    workforce.free_fte_high = data.free_fte_high
    workforce.supervisors_available = data.supervisors_available
    workforce.figures_as_of = (
        datetime(data.figures_as_of.year, data.figures_as_of.month, data.figures_as_of.day,
                 tzinfo=UTC) if data.figures_as_of else utcnow())
    workforce.updated_at = utcnow()
    session.flush()
    audit.record(session, user, entity="workforce", entity_id=site.id, action="set",
                 summary=(f"free FTE low/medium/high {data.free_fte_low}/{data.free_fte_medium}/"
                          f"{data.free_fte_high}, supervisors {data.supervisors_available}"),
                 organisation_id=org.id)
    leads.flag_leads_short_of_capacity(session, user, workforce, before)
    return workforce
