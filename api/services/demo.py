"""Loading the demo data set (DESIGN §12) once; re-running leaves existing data alone.

Every record is validated through the same Create schemas the API uses, so the demo data can
never hold what a client could not have entered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from api.demo_data import build_demo_dataset
from api.security import hash_password
from api.services import audit
from api.services.auth import department
from models.audit import AuditEvent
from models.capability import Capability, CapabilityCreate
from models.gazetteer import lookup_postcode
from models.need import Need, NeedCreate
from models.organisation import Organisation, OrganisationCreate, User
from models.site import Site, SiteCreate, Workforce

DEMO_MARKER_ACTION = "demo.load"
# countries work came back from, as in the seeds: Tsjechië (003:10-11), Polen (003:17-18); the rest
# illustrative. None: reshored without a recorded country.
RESHORED_FROM: tuple[str | None, ...] = ("CZ", "PL", "RO", None, "CN", "SK", "HU")


@dataclass
class DemoSummary:
    loaded: bool
    counts: dict[str, int] = field(default_factory=dict)
    logins: dict[str, tuple[str, str]] = field(default_factory=dict)

    def describe(self) -> str:
        if not self.loaded:
            return "Demo data already present; nothing loaded."
        return "Loaded " + ", ".join(f"{n} {k}" for k, n in self.counts.items()) + "."


def _site_row(org: Organisation, raw: dict) -> Site:
    data = SiteCreate.model_validate({k: raw[k] for k in ("name", "street", "postcode",
                                                          "public_transport_access") if k in raw})
    place = lookup_postcode(data.postcode)
    assert place is not None  # SiteCreate validated it
    return Site(organisation_id=org.id, name=data.name, street=data.street,
                postcode=place.postcode, municipality_nis=place.municipality_nis,
                municipality=place.municipality, arrondissement_nis=place.arrondissement_nis,
                arrondissement=place.arrondissement, province=place.province, lat=place.lat,
                lon=place.lon, coordinates_approximate=place.approximate,
                public_transport_access=data.public_transport_access.value)


def load_demo(session: Session, *, progress: Callable[[str], None] = lambda _m: None,
              random_state: int = 2026) -> DemoSummary:
    dataset = build_demo_dataset(random_state)
    logins = demo_logins(dataset)
    marker = session.exec(select(AuditEvent).where(
        AuditEvent.action == DEMO_MARKER_ACTION)).first()
    if marker is not None:
        return DemoSummary(loaded=False, logins=logins)

    counts = dict.fromkeys(("organisations", "users", "sites", "capabilities", "needs"), 0)
    demo_needs: list[Need] = []
    now = datetime.now(UTC)
    orgs = dataset["organisations"]
    for i, raw in enumerate(orgs, 1):
        if raw["kind"] == "department":
            # the department may exist already (a staff account created first): count it
            # only when this load creates it, so the counts are what the load added
            existed = session.exec(select(Organisation.id).where(
                Organisation.kind == "department")).first() is not None
            org = department(session)
            counts["organisations"] += int(not existed)
        else:
            org_in = OrganisationCreate.model_validate({k: raw[k] for k in (
                "kind", "name", "enterprise_number", "nace_codes", "description", "website",
                "contact_email", "contact_phone") if raw.get(k) is not None})
            # exclude_none: an unset contact_language takes the column default ('nl')
            org = Organisation.model_validate(org_in.model_dump(mode="json", exclude_none=True),
                                              update={"illustrative": raw.get("illustrative",
                                                                              False)})
            session.add(org)
            counts["organisations"] += 1
        session.flush()
        for user in raw.get("users", []):
            session.add(User(email=user["email"].lower(), full_name=user.get("full_name", ""),
                             organisation_id=org.id, role=_role(org.kind),
                             password_hash=hash_password(user["password"])))
            counts["users"] += 1
        for raw_site in raw.get("sites", []):
            site = _site_row(org, raw_site)
            session.add(site)
            session.flush()
            counts["sites"] += 1
            if wf := raw_site.get("workforce"):
                age = timedelta(days=float(wf.get("age_days", 7)))
                session.add(Workforce(
                    site_id=site.id, organisation_id=org.id,
                    free_fte_low=wf["free_fte_low"], free_fte_medium=wf["free_fte_medium"],
                    free_fte_high=wf["free_fte_high"],
                    supervisors_available=wf["supervisors_available"], figures_as_of=now - age))
            for raw_cap in raw_site.get("capabilities", []):
                cap_in = CapabilityCreate.model_validate({**raw_cap, "site_id": site.id})
                session.add(Capability.model_validate(
                    cap_in.model_dump(mode="json"),
                    update={"organisation_id": org.id, "site_id": site.id}))
                counts["capabilities"] += 1
            for raw_need in raw_site.get("needs", []):
                status = raw_need.get("status", "open")
                need_in = NeedCreate.model_validate(
                    {k: v for k, v in raw_need.items() if k != "status"} | {"site_id": site.id})
                need = Need.model_validate(
                    need_in.model_dump(mode="json"),
                    update={"organisation_id": org.id, "site_id": site.id, "status": status,
                            "start_date": need_in.start_date, "end_date": need_in.end_date})
                session.add(need)
                demo_needs.append(need)
                counts["needs"] += 1
        if i % 10 == 0 or i == len(orgs):
            progress(f"{i}/{len(orgs)} organisations read, {counts['organisations']} added")
    staff_org = department(session)
    for user in dataset.get("staff_users", []):
        if session.exec(select(User).where(User.email == user["email"].lower())).first() is None:
            session.add(User(email=user["email"].lower(), full_name=user.get("full_name", ""),
                             organisation_id=staff_org.id, role="staff",
                             password_hash=hash_password(user["password"])))
            counts["users"] += 1
    session.flush()
    _mark_origins(demo_needs)
    audit.record(session, None, entity="demo", entity_id=None, action=DEMO_MARKER_ACTION,
                 summary="demo data set loaded: " + ", ".join(f"{n} {k}"
                                                              for k, n in counts.items()))
    session.flush()
    return DemoSummary(loaded=True, counts=counts, logins=logins)


def demo_origins(titles: list[str]) -> dict[str, tuple[str, str | None]]:
    """Illustrative origins for the demo needs: by sorted title, the 4th of every ten is
    reshored (with a country from :data:`RESHORED_FROM` in turn) and the 8th kept; the rest
    stay new. About 10 % each, the same on every load."""
    marked: dict[str, tuple[str, str | None]] = {}
    for i, title in enumerate(sorted(titles)):
        if i % 10 == 3:
            marked[title] = ("reshored", RESHORED_FROM[(i // 10) % len(RESHORED_FROM)])
        elif i % 10 == 7:
            marked[title] = ("kept", None)
    return marked


def _mark_origins(needs: list[Need]) -> None:
    """Give the demo needs origins unless the data set declares them itself."""
    if any(need.origin != "new" for need in needs):
        return
    marked = demo_origins([need.title for need in needs])
    for need in needs:
        if need.title in marked:
            need.origin, need.origin_country = marked[need.title]


def _role(kind: str) -> str:
    return {"company": "company", "provider": "provider", "department": "staff"}[kind]


def demo_logins(dataset: dict) -> dict[str, tuple[str, str]]:
    """role → (e-mail, password) of the logins `koppel demo` prints."""
    passwords = {u["email"]: u["password"] for o in dataset["organisations"]
                 for u in o.get("users", [])}
    passwords |= {u["email"]: u["password"] for u in dataset.get("staff_users", [])}
    return {role: (email, passwords[email]) for role, email in dataset["demo_logins"].items()}
