"""Every persona's job through the portal's pages in Chromium, with axe-core on each page.

A company registers, adds a site, posts a need with the guided form and edits it, opens its
matches and sends a lead; the provider (another browser context) opens and accepts it; the
company sees the contact and contracts 2 FTE on the need page (the lead's timeline beside it),
its home shows the need's coverage and lead counts, and the provider's workforce page shows
2 FTE fewer. The provider adds, edits and deletes a capability and sets, rotates and removes
its webhook (the secret shown once). Refused forms (unknown postcode, FTE 0, no CSRF token, no
placement mode, a bad URL) show the message next to the field and write nothing.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from models.capability import Capability
from models.lead import Lead
from models.need import Need
from models.site import Site
from models.webhook import WebhookEndpoint
from tests.web.conftest import NARROW, PASSWORD, PROVIDER_EMAIL, Portal, audit, error_of

COMPANY_EMAIL = "an.peeters@example.be"


def _count(portal: Portal, model) -> int:  # noqa: ANN001
    with Session(portal.engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def backend(portal: Portal, request: pytest.FixtureRequest) -> str:
    return request.node.callspec.params["portal"]


def test_public_pages_in_dutch_and_english(browser, portal: Portal, backend: str) -> None:  # noqa: ANN001
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    page.goto(portal.url + "/")
    assert page.get_attribute("html", "lang") == "nl"
    assert page.inner_text("h1") == "Werk uitbesteden aan een maatwerkbedrijf"
    audit(page, "landing", backend)
    page.select_option("#activity", "returns.apparel")
    page.fill("#postcode", "8500")
    page.fill("#radius_km", "30")
    page.click("form.search button[type=submit]")
    assert "1 maatwerkbedrijf gevonden" in page.inner_text("#results-h")
    assert "Maatwerk Leiestreek" in page.inner_text(".cards")
    audit(page, "directory", backend)
    page.click("text=Maatwerk Leiestreek")
    assert page.inner_text("h1") == "Maatwerk Leiestreek"
    assert "Roeselare" in page.inner_text(".facts")
    # the next step for a company that has no account yet
    assert page.get_attribute("#next-h + p + p a.button", "href") == "/register"
    audit(page, "profile", backend)
    page.goto(portal.url + "/directory?postcode=0000")
    assert "0000" in error_of(page, "postcode")
    audit(page, "directory-error", backend)
    page.goto(portal.url + "/?lang=en")
    assert page.get_attribute("html", "lang") == "en"
    page.goto(portal.url + "/directory")  # the cookie keeps the language
    assert page.inner_text("h1") == "Find providers"
    context.close()


def test_company_and_provider_do_their_jobs(browser, portal: Portal, backend: str) -> None:  # noqa: ANN001
    company = browser.new_context(viewport=NARROW)
    page = company.new_page()
    page.goto(portal.url + "/register")
    audit(page, "register", backend)
    page.fill("#name", "Modehuis Online")
    page.fill("#enterprise_number", "0777777771")
    page.fill("#full_name", "An Peeters")
    page.fill("#email", COMPANY_EMAIL)
    page.fill("#password", "short")
    page.click("form.stack button[type=submit]")
    assert error_of(page, "password")  # too short: next to the field, input kept
    assert page.input_value("#name") == "Modehuis Online"
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    assert page.url.endswith("/app")
    audit(page, "company-home-empty", backend)

    # a site with an unknown postcode is refused next to the field, and nothing is written
    sites = _count(portal, Site)
    page.fill("#name", "Magazijn Kortrijk")
    page.fill("#postcode", "9999")
    page.click("form.card button[type=submit]")
    assert "9999" in error_of(page, "postcode")
    assert page.input_value("#name") == "Magazijn Kortrijk"
    assert _count(portal, Site) == sites
    audit(page, "company-site-error", backend)
    page.fill("#postcode", "8500")
    page.click("form.card button[type=submit]")
    assert "8500 Kortrijk" in page.inner_text("#sites-h + ul")
    assert _count(portal, Site) == sites + 1

    # the guided need form: the activity first, then its details
    page.click("text=" + "Nieuwe vraag plaatsen")
    audit(page, "need-step1", backend)
    page.check("input[value='returns.apparel']")
    page.click("form.stack button[type=submit]")
    audit(page, "need-step2", backend)
    modes = page.eval_on_selector_all("input[name=placement_mode]", "els => els.map(e => e.value)")
    assert modes == ["workshop", "on_site"]  # only the activity's own placement modes
    assert page.is_checked("input[name=competences][value=laundry]")  # typical: pre-ticked
    assert "begeleider" in page.inner_text("fieldset:has(input[name=accommodates_support])")
    page.check("input[name=placement_mode][value=workshop]")
    page.check("input[name=accommodates_support][value=medium]")
    page.fill("#title", "Retourkledij verwerken")
    needs = _count(portal, Need)
    page.fill("#fte", "0")
    page.click("form.stack button[type=submit]")
    assert "0" in error_of(page, "fte")
    assert page.input_value("#title") == "Retourkledij verwerken"
    assert _count(portal, Need) == needs
    audit(page, "need-error", backend)

    # a form without its CSRF token is refused (403) and writes nothing
    page.fill("#fte", "3")
    page.evaluate("document.querySelector('form.stack input[name=csrf_token]').remove()")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("form.stack button[type=submit]")
    assert answer.value.status == 403
    assert "verlopen" in page.inner_text("#form-error")
    assert _count(portal, Need) == needs
    page.fill("#fte", "3")
    page.click("form.stack button[type=submit]")
    assert re.search(r"/app/needs/[0-9a-f-]{36}$", page.url)
    need_url = page.url

    # the company edits the need: a refused change keeps the input and writes nothing
    page.click("text=Vraag aanpassen")
    audit(page, "need-edit", backend)
    assert page.input_value("#title") == "Retourkledij verwerken"
    assert page.input_value("#fte") == "3"
    assert page.is_checked("input[name=competences][value=laundry]")
    page.fill("#title", "Retourkledij verwerken en herstellen")
    page.fill("#fte", "0")
    page.click("form.stack button[type=submit]")
    assert "0" in error_of(page, "fte")
    assert page.input_value("#title") == "Retourkledij verwerken en herstellen"
    with Session(portal.engine) as session:
        stored = session.exec(select(Need)).one()
        assert (stored.title, stored.fte) == ("Retourkledij verwerken", 3)
    audit(page, "need-edit-error", backend)
    page.fill("#fte", "4")
    page.click("form.stack button[type=submit]")
    assert page.url.startswith(need_url)
    assert page.inner_text("h1") == "Retourkledij verwerken en herstellen"
    assert "4 VTE" in page.inner_text("main > p:has(.status)")
    with Session(portal.engine) as session:
        assert session.exec(select(Need)).one().fte == 4

    # ranked matches with the four components, reasons and distance; send a lead
    card = page.locator("ol.matches > li").first
    assert "Maatwerk Leiestreek" in card.inner_text()
    terms = card.locator("dl.components dt").all_inner_texts()  # labelled as the distance is
    assert terms == ["Competenties", "Nabijheid", "Begeleiding", "Capaciteit", "Afstand"]
    assert "km" in card.inner_text()
    audit(page, "need-matches", backend)
    card.locator("button", has_text="Aanvraag sturen").click()
    assert page.locator("#leads .card").count() == 1
    assert _count(portal, Lead) == 1

    # the provider, in a browser of its own, sees the lead and accepts it
    provider = browser.new_context(viewport=NARROW)
    ppage = provider.new_page()
    ppage.goto(portal.url + "/app")
    assert "/login" in ppage.url  # not logged in: to the login form
    audit(ppage, "login", backend)
    ppage.fill("#email", PROVIDER_EMAIL)
    ppage.fill("#password", "wrong-password-123")
    ppage.click("form.stack button[type=submit]")
    assert "niet juist" in ppage.inner_text("#form-error")
    ppage.fill("#password", PASSWORD)
    ppage.click("form.stack button[type=submit]")
    assert ppage.url.endswith("/app")
    assert "Retourkledij verwerken" in ppage.inner_text("table")
    assert "Retourkledij verwerken" in ppage.inner_text("#opp-h ~ ul")  # also an opportunity
    audit(ppage, "provider-home", backend)
    ppage.click("table a:text('Retourkledij verwerken')")
    audit(ppage, "provider-lead", backend)
    assert ppage.locator("form[action$=withdraw]").count() == 0  # the company's, not its own
    ppage.click("button:text('Aanvaarden')")
    assert "aanvaard" in ppage.inner_text("main .status")
    assert COMPANY_EMAIL in ppage.inner_text("#contact")

    # the company sees the provider's contact and contracts 2 FTE
    page.goto(need_url)
    page.click("#leads a")
    assert PROVIDER_EMAIL in page.inner_text("#contact")
    # one tap calls the provider from a phone
    assert page.get_attribute("#contact a[href^='tel:']", "href") == "tel:+3251123456"
    page.fill("#fte", "0")
    page.click("form.stack button[type=submit]")
    assert error_of(page, "fte")
    audit(page, "company-lead", backend)

    # ... and contracts 2 FTE on the need page, where the accepted lead has its contract form
    page.goto(need_url)
    lead_card = page.locator("#leads .card").first
    timeline = lead_card.locator(".timeline").inner_text()
    assert [line.split()[0] for line in timeline.splitlines()] == ["verstuurd", "bekeken",
                                                                    "aanvaard"]
    audit(page, "need-accepted", backend)
    field = lead_card.locator("input[name=fte]")
    field_id = field.get_attribute("id")
    field.fill("-1")
    lead_card.locator("button", has_text="Contract afsluiten").click()
    assert error_of(page, field_id)
    assert page.locator(f"#{field_id}").input_value() == "-1"
    field = page.locator("#leads .card input[name=fte]").first
    field.fill("2")
    page.locator("#leads .card button", has_text="Contract afsluiten").click()
    lead_card = page.locator("#leads .card").first
    assert "gecontracteerd" in lead_card.inner_text()
    assert "2 VTE gecontracteerd" in page.inner_text("main > p:has(.status)")

    # the company's home: each need's status, its leads by status and its coverage
    page.goto(portal.url + "/app")
    row = page.locator(".need-row").first
    assert "2 / 4 VTE" in row.inner_text()
    assert "1 gecontracteerd" in row.inner_text()
    audit(page, "company-home", backend)

    # the provider's workforce page shows 2 FTE fewer at the need's support level
    ppage.goto(f"{portal.url}/app/sites/{portal.provider_site_id}/workforce")
    free = sum(float(ppage.input_value(f"#free_fte_{level}"))
               for level in ("low", "medium", "high"))
    assert free == pytest.approx(9 - 2)
    audit(ppage, "workforce", backend)
    ppage.click("button:text('Cijfers kloppen nog')")
    assert ppage.locator("[role=status]").count() == 1
    ppage.fill("#free_fte_medium", "-1")
    ppage.click("form.card button[type=submit]")
    assert error_of(ppage, "free_fte_medium")

    # the company's need is not the provider's to see: 404, as the API answers
    assert ppage.goto(need_url).status == 404
    ppage.goto(portal.url + "/app/sites")
    assert "Atelier Roeselare" in ppage.inner_text("#sites-h + ul")
    audit(ppage, "provider-sites", backend)
    ppage.goto(portal.url + "/app/settings")
    audit(ppage, "settings", backend)
    ppage.check("input[name=language][value=en]")
    ppage.check("input[name=opportunity_digest]")
    ppage.click("form.stack button[type=submit]")
    assert ppage.inner_text("[role=status]") == "Saved."  # the portal follows the new language
    assert ppage.is_checked("input[name=opportunity_digest]")
    _provider_capabilities_and_webhook(ppage, portal, backend)
    page.goto(portal.url + "/app/leads")
    assert "Maatwerk Leiestreek" in page.inner_text("table")
    # on a phone each lead is a block of labelled lines: its status is on screen, not beyond
    # the edge in a scrolling table, and screen readers still get a table (4 column headers)
    status = page.locator("table .status").first.bounding_box()
    assert status is not None
    assert status["x"] + status["width"] <= NARROW["width"], status
    assert page.get_by_role("columnheader").count() == 4
    assert page.get_by_role("cell", name="Maatwerk Leiestreek").count() == 1
    audit(page, "company-leads", backend)

    # logging out ends the session
    ppage.click("button:text('Log out')")
    ppage.goto(portal.url + "/app")
    assert "/login" in ppage.url
    provider.close()
    company.close()


def _provider_capabilities_and_webhook(ppage, portal: Portal, backend: str) -> None:  # noqa: ANN001
    """The provider (in English by now) adds, edits and deletes a capability, and sets its
    webhook: the secret is shown once."""
    ppage.goto(portal.url + "/app/capabilities")
    assert "Apparel returns" in ppage.inner_text(".caps")
    audit(ppage, "capabilities", backend)
    caps = _count(portal, Capability)
    ppage.select_option("#activity", "packaging.copacking")
    ppage.fill("#description", "Handmatig verpakken")
    ppage.click("form.card button[type=submit]")  # no placement mode ticked
    assert ppage.inner_text("#placement_modes-error")  # next to the placement modes
    assert ppage.input_value("#description") == "Handmatig verpakken"
    assert _count(portal, Capability) == caps
    audit(ppage, "capability-error", backend)
    ppage.check("form.card input[name=placement_modes][value=workshop]")
    ppage.click("form.card button[type=submit]")
    assert ppage.inner_text("[role=status]") == "Capability added."
    assert _count(portal, Capability) == caps + 1
    card = ppage.locator(".caps .card", has_text="Handmatig verpakken")
    card.locator("a", has_text="Edit").click()
    audit(ppage, "capability-edit", backend)
    ppage.fill("#service_radius_km", "-5")
    ppage.click("form.stack button[type=submit]")
    assert error_of(ppage, "service_radius_km")
    ppage.fill("#service_radius_km", "40")
    ppage.click("form.stack button[type=submit]")
    card = ppage.locator(".caps .card", has_text="Handmatig verpakken")
    assert "up to 40 km" in card.inner_text()
    card.locator("a", has_text="Delete").click()  # asked first: it cannot be undone
    assert "cannot be undone" in ppage.inner_text("main")
    assert _count(portal, Capability) == caps + 1
    audit(ppage, "capability-delete", backend)
    ppage.click("button:text('Yes, delete')")
    assert ppage.inner_text("[role=status]") == "Capability deleted."
    assert _count(portal, Capability) == caps

    ppage.goto(portal.url + "/app/settings")
    ppage.fill("#url", "not a url")
    ppage.click("#webhook form.stack button[type=submit]")
    assert error_of(ppage, "url")
    assert _count(portal, WebhookEndpoint) == 0
    ppage.fill("#url", "http://127.0.0.1:9/koppel")
    ppage.click("#webhook form.stack button[type=submit]")
    secret = ppage.inner_text("#webhook-secret")
    assert secret.startswith("whsec_")
    audit(ppage, "settings-webhook", backend)
    with Session(portal.engine) as session:
        assert session.exec(select(WebhookEndpoint)).one().secret == secret
    ppage.goto(portal.url + "/app/settings")  # shown once: not again
    assert ppage.locator("#webhook-secret").count() == 0
    assert "http://127.0.0.1:9/koppel" in ppage.inner_text("#webhook")
    ppage.click("button:text('Save with a new secret')")
    assert ppage.inner_text("#webhook-secret") not in ("", secret)  # rotated
    ppage.goto(portal.url + "/app/settings")
    ppage.click("button:text('Remove the webhook')")
    assert ppage.inner_text("#webhook [role=status]") == "Webhook removed."
    assert _count(portal, WebhookEndpoint) == 0
