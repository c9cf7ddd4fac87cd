"""Another tenant's needs, leads and sites are 404 in the portal, as in the API."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.config import Settings
from api.services import auth, catalogue, leads, organisations
from models.capability import CapabilityCreate
from models.lead import LeadCreate
from models.need import NeedCreate
from models.organisation import RegistrationCreate, User
from models.site import SiteCreate, WorkforceUpdate

PASSWORD = "portal-tenancy-passphrase"


def _enterprise_number(seed: int) -> str:
    """A valid KBO number: eight digits and 97 minus their remainder modulo 97."""
    base = 1_000_000 + seed
    return f"{base:08d}{97 - base % 97:02d}"


def _org(db: Session, kind: str, email: str) -> User:
    _, user = auth.register(db, RegistrationCreate.model_validate({
        "organisation": {"kind": kind, "name": f"{kind} {email}",
                         "enterprise_number": _enterprise_number(ord(email[0]))},
        "user": {"email": email, "password": PASSWORD}}))
    return user


@pytest.fixture
def world(db: Session, settings: Settings) -> dict[str, str]:
    company, provider = _org(db, "company", "a@example.be"), _org(db, "provider", "p@example.be")
    c_site = organisations.create_site(db, company, company.organisation_id,
                                       SiteCreate(name="Magazijn", postcode="8500"))
    p_site = organisations.create_site(db, provider, provider.organisation_id,
                                       SiteCreate(name="Atelier", postcode="8800"))
    cap = catalogue.create_capability(db, provider, CapabilityCreate.model_validate({
        "site_id": str(p_site.id), "activity": "returns.apparel",
        "placement_modes": ["workshop"]}))
    organisations.set_workforce(db, provider, provider.organisation_id, p_site.id,
                                WorkforceUpdate(free_fte_low=0, free_fte_medium=5,
                                                free_fte_high=0, supervisors_available=1))
    need = catalogue.create_need(db, company, NeedCreate.model_validate({
        "site_id": str(c_site.id), "title": "Retours", "activity": "returns.apparel",
        "placement_mode": "workshop", "fte": 2, "accommodates_support": "medium"}))
    catalogue.change_need_status(db, company, need.id, "open")
    lead = leads.send_lead(db, company, need.id, LeadCreate(capability_id=cap.id), settings)
    _org(db, "company", "b@example.be")
    _org(db, "provider", "q@example.be")
    db.commit()
    return {"need": str(need.id), "lead": str(lead.id), "site": str(p_site.id)}


def _login(client: TestClient, email: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post("/login", data={"csrf_token": token, "email": email,
                                    "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/app").text).group(1)


@pytest.mark.parametrize("email", ["b@example.be", "q@example.be"])
def test_other_tenants_get_404_on_every_portal_page_with_an_id(
        client: TestClient, world: dict[str, str], email: str) -> None:
    csrf = _login(client, email)
    gets = [f"/app/needs/{world['need']}", f"/app/leads/{world['lead']}",
            f"/app/sites/{world['site']}/workforce"]
    posts = [(f"/app/needs/{world['need']}/leads", {"capability_id": world["lead"]}),
             (f"/app/leads/{world['lead']}/accept", {}),
             (f"/app/leads/{world['lead']}/decline", {"reason_code": "capacity"}),
             (f"/app/leads/{world['lead']}/contract", {"fte": "1"}),
             (f"/app/leads/{world['lead']}/withdraw", {}),
             (f"/app/sites/{world['site']}/workforce",
              {"free_fte_low": "0", "free_fte_medium": "0", "free_fte_high": "0",
               "supervisors_available": "0"})]
    for path in gets:
        assert client.get(path).status_code == 404, path
    for path, data in posts:
        r = client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)
        assert r.status_code == 404, (path, r.status_code)


def test_a_provider_cannot_open_the_need_form(client: TestClient, world: dict[str, str]) -> None:
    _login(client, "q@example.be")
    assert client.get("/app/needs/new").status_code == 403
