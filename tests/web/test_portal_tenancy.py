"""Another tenant's needs, leads and sites are 404 in the portal, as in the API."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

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
    return {"need": str(need.id), "lead": str(lead.id), "site": str(p_site.id),
            "cap": str(cap.id)}


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
            f"/app/sites/{world['site']}/workforce", f"/app/needs/{world['need']}/edit",
            f"/app/capabilities/{world['cap']}/edit", f"/app/capabilities/{world['cap']}/delete"]
    posts = [(f"/app/needs/{world['need']}/leads", {"capability_id": world["lead"]}),
             (f"/app/leads/{world['lead']}/accept", {}),
             (f"/app/leads/{world['lead']}/decline", {"reason_code": "capacity"}),
             (f"/app/leads/{world['lead']}/contract", {"fte": "1"}),
             (f"/app/leads/{world['lead']}/withdraw", {}),
             (f"/app/sites/{world['site']}/workforce",
              {"free_fte_low": "0", "free_fte_medium": "0", "free_fte_high": "0",
               "supervisors_available": "0"}),
             (f"/app/needs/{world['need']}/edit", {"title": "Overgenomen", "fte": "1"}),
             (f"/app/needs/{world['need']}/leads/{world['lead']}/contract", {"fte": "1"}),
             (f"/app/needs/{world['need']}/partnerships/0", {"key": "x"}),
             (f"/app/capabilities/{world['cap']}/edit",
              {"placement_modes": "workshop", "description": "Overgenomen"}),
             (f"/app/capabilities/{world['cap']}/delete", {})]
    for path in gets:
        assert client.get(path).status_code == 404, path
    for path, data in posts:
        r = client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)
        assert r.status_code == 404, (path, r.status_code)


def test_a_provider_cannot_open_the_need_form(client: TestClient, world: dict[str, str]) -> None:
    _login(client, "q@example.be")
    assert client.get("/app/needs/new").status_code == 403


def test_pages_of_the_other_role_are_refused_as_the_api_refuses_them(
        client: TestClient, db: Session, world: dict[str, str]) -> None:
    """A provider cannot edit the need it has a lead for (404: it cannot read the need, as
    GET /needs/{id} answers), nor contract its own lead (403, company side only); a company
    gets 403 on the provider's capability pages and the capability edit of another is 404."""
    csrf = _login(client, "p@example.be")
    assert client.get(f"/app/needs/{world['need']}/edit").status_code == 404
    r = client.post(f"/app/needs/{world['need']}/edit",
                    data={"csrf_token": csrf, "title": "Overgenomen", "fte": "2"},
                    follow_redirects=False)
    assert r.status_code == 404
    r = client.post(f"/app/needs/{world['need']}/leads/{world['lead']}/contract",
                    data={"csrf_token": csrf, "fte": "1"}, follow_redirects=False)
    assert r.status_code == 403
    assert client.get("/app/capabilities").status_code == 200
    csrf = _login(client, "a@example.be")
    assert client.get("/app/capabilities").status_code == 403
    r = client.post("/app/capabilities", data={"csrf_token": csrf, "activity": "returns.apparel",
                                               "placement_modes": "workshop"},
                    follow_redirects=False)
    assert r.status_code == 403
    assert client.get(f"/app/capabilities/{world['cap']}/edit").status_code == 404
    db.expire_all()
    need = catalogue.get_need(db, _user(db, "a@example.be"), uuid.UUID(world["need"]))
    assert need.title == "Retours"  # none of the refused requests wrote anything


def _user(db: Session, email: str) -> User:
    return db.exec(select(User).where(User.email == email)).one()


def test_a_need_edit_without_its_csrf_token_or_with_bad_input_writes_nothing(
        client: TestClient, db: Session, world: dict[str, str]) -> None:
    csrf = _login(client, "a@example.be")
    url = f"/app/needs/{world['need']}/edit"
    form = {"title": "Retours en herstellingen", "fte": "3", "accommodates_support": "high",
            "competences": ["laundry"]}
    r = client.post(url, data=form)
    assert r.status_code == 403
    r = client.post(url, data={"csrf_token": csrf, **form, "fte": "0"})
    assert r.status_code == 422
    assert 'id="fte-error"' in r.text
    assert 'value="Retours en herstellingen"' in r.text  # the input kept
    db.expire_all()
    need = catalogue.get_need(db, _user(db, "a@example.be"), uuid.UUID(world["need"]))
    assert (need.title, need.fte, need.accommodates_support) == ("Retours", 2, "medium")
    r = client.post(url, data={"csrf_token": csrf, **form}, follow_redirects=False)
    assert r.status_code == 303
    db.expire_all()
    need = catalogue.get_need(db, _user(db, "a@example.be"), uuid.UUID(world["need"]))
    assert (need.title, need.fte, need.accommodates_support, need.competences) == (
        "Retours en herstellingen", 3, "high", ["laundry"])


def test_lead_counts_on_the_home_page_are_the_users_own(db: Session,
                                                         world: dict[str, str]) -> None:
    need = uuid.UUID(world["need"])
    assert catalogue.lead_counts(db, _user(db, "a@example.be"), [need]) == {need: {"sent": 1}}
    assert catalogue.lead_counts(db, _user(db, "b@example.be"), [need]) == {}
    assert catalogue.lead_counts(db, _user(db, "a@example.be"), []) == {}
