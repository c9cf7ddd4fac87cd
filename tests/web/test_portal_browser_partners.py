"""A need no single maatwerkbedrijf covers, and one nothing fits, in Chromium with axe-core: the
company sends a partnership proposal to all its members with one button, and reads the
diagnosis of the other need."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session, select

from api.services import auth, catalogue, organisations
from models.capability import CapabilityCreate
from models.lead import Lead
from models.need import NeedCreate
from models.organisation import RegistrationCreate
from models.site import SiteCreate, WorkforceUpdate
from tests.web.conftest import NARROW, PASSWORD, Portal, audit

COMPANY_EMAIL = "bert.claes@example.be"


@pytest.fixture
def backend(portal: Portal, request: pytest.FixtureRequest) -> str:
    return request.node.callspec.params["portal"]


@pytest.fixture
def needs(portal: Portal) -> dict[str, str]:
    """A second provider in Kortrijk, and a company there with a 12 FTE need (neither
    provider has that much free at medium support) and a green-maintenance need nobody
    offers."""
    with Session(portal.engine) as session:
        _, provider = auth.register(session, RegistrationCreate.model_validate({
            "organisation": {"kind": "provider", "name": "Maatwerk Kortrijk",
                             "enterprise_number": "0444444496"},
            "user": {"email": "ilse.provider@example.be", "password": PASSWORD}}))
        site = organisations.create_site(session, provider, provider.organisation_id,
                                         SiteCreate(name="Werkplaats Kortrijk", postcode="8500"))
        catalogue.create_capability(session, provider, CapabilityCreate.model_validate({
            "site_id": str(site.id), "activity": "returns.apparel",
            "competences": ["laundry", "sorting", "packing"], "placement_modes": ["workshop"]}))
        organisations.set_workforce(session, provider, provider.organisation_id, site.id,
                                    WorkforceUpdate(free_fte_low=0, free_fte_medium=6,
                                                    free_fte_high=0, supervisors_available=1))
        _, company = auth.register(session, RegistrationCreate.model_validate({
            "organisation": {"kind": "company", "name": "Webwinkel Zuid",
                             "enterprise_number": "0555555523"},
            "user": {"email": COMPANY_EMAIL, "password": PASSWORD}}))
        depot = organisations.create_site(session, company, company.organisation_id,
                                          SiteCreate(name="Depot Kortrijk", postcode="8500"))
        ids = {}
        for key, activity, mode, fte in (("big", "returns.apparel", "workshop", 12),
                                         ("none", "green.maintenance", "on_site", 2)):
            need = catalogue.create_need(session, company, NeedCreate.model_validate({
                "site_id": str(depot.id), "title": f"Vraag {key}", "activity": activity,
                "competences": [], "placement_mode": mode, "fte": fte,
                "accommodates_support": "medium"}))
            catalogue.change_need_status(session, company, need.id, "open")
            ids[key] = str(need.id)
        session.commit()
    return ids


def test_company_sends_a_partnership_to_all_and_reads_a_diagnosis(
        browser, portal: Portal, backend: str, needs: dict[str, str]) -> None:  # noqa: ANN001
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    page.goto(portal.url + "/login")
    page.fill("#email", COMPANY_EMAIL)
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    assert page.url.endswith("/app")

    page.goto(f"{portal.url}/app/needs/{needs['big']}")
    proposal = page.locator("#partnerships .proposal").first
    text = proposal.inner_text()
    assert "Maatwerk Leiestreek" in text
    assert "Maatwerk Kortrijk" in text
    audit(page, "need-partnerships", backend)
    proposal.locator("button", has_text="Aanvraag sturen naar allen").click()
    assert page.locator("#leads .card").count() == 2
    assert page.locator("#partnerships").count() == 0
    with Session(portal.engine) as session:
        sent = session.exec(select(Lead).where(Lead.need_id == uuid.UUID(needs["big"]))).all()
        assert len(sent) == 2
        assert len({lead.partnership_id for lead in sent}) == 1
    audit(page, "need-partnership-sent", backend)

    page.goto(f"{portal.url}/app/needs/{needs['none']}")
    assert "Geen maatwerkbedrijf past" in page.inner_text("#diagnosis")
    assert page.locator("#diagnosis li").count() >= 1
    audit(page, "need-diagnosis", backend)
    context.close()
