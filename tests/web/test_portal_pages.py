"""The need page's partnership proposals and diagnosis, the provider's top-5 opportunities and
the directory map, through the portal's pages (no browser: tests/web/test_portal_browser.py
drives these pages in Chromium)."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from api.config import Settings
from api.services import auth, catalogue, leads, matching, organisations
from models.capability import CapabilityCreate
from models.lead import Lead, LeadCreate
from models.need import NeedCreate
from models.organisation import RegistrationCreate, User
from models.site import SiteCreate, WorkforceUpdate

PASSWORD = "portal-pages-passphrase"


def _org(db: Session, kind: str, n: int) -> User:
    base = 2_000_000 + n
    _, user = auth.register(db, RegistrationCreate.model_validate({
        "organisation": {"kind": kind, "name": f"{kind.title()} {n}",
                         "enterprise_number": f"{base:08d}{97 - base % 97:02d}"},
        "user": {"email": f"{kind}{n}@example.be", "password": PASSWORD}}))
    return user


def _provider(db: Session, n: int, postcode: str, medium: float, *,
              activity: str = "returns.apparel") -> User:
    user = _org(db, "provider", n)
    site = organisations.create_site(db, user, user.organisation_id,
                                     SiteCreate(name=f"Atelier {n}", postcode=postcode))
    catalogue.create_capability(db, user, CapabilityCreate.model_validate({
        "site_id": str(site.id), "activity": activity,
        "competences": ["laundry", "sorting", "packing"], "placement_modes": ["workshop"]}))
    organisations.set_workforce(db, user, user.organisation_id, site.id, WorkforceUpdate(
        free_fte_low=0, free_fte_medium=medium, free_fte_high=0, supervisors_available=3))
    return user


def _need(db: Session, company: User, fte: float, *, activity: str = "returns.apparel",
          title: str = "Retours") -> uuid.UUID:
    sites, _ = organisations.list_sites(db, company, company.organisation_id, limit=1,
                                        offset=0)
    site = sites[0] if sites else organisations.create_site(
        db, company, company.organisation_id, SiteCreate(name="Magazijn", postcode="8500"))
    need = catalogue.create_need(db, company, NeedCreate.model_validate({
        "site_id": str(site.id), "title": title, "activity": activity,
        "competences": ["laundry", "sorting", "packing"], "placement_mode": "workshop",
        "fte": fte, "accommodates_support": "medium"}))
    catalogue.change_need_status(db, company, need.id, "open")
    return need.id


def _login(client: TestClient, email: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post("/login", data={"csrf_token": token, "email": email,
                                    "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/app").text).group(1)


def _sent_lead(db: Session, settings: Settings, company_n: int,
               provider_n: int) -> tuple[User, User, uuid.UUID, Lead]:
    """A company's 2-FTE need and the lead it sent to a provider with 5 FTE free."""
    company = _org(db, "company", company_n)
    provider = _provider(db, provider_n, "8800", 5)
    need_id = _need(db, company, 2)
    cap = catalogue.list_capabilities(db, provider, activity=None, province=None,
                                      provider_id=provider.organisation_id, active=None,
                                      limit=1, offset=0)[0][0]
    lead = leads.send_lead(db, company, need_id, LeadCreate(capability_id=cap.id), settings)
    return company, provider, need_id, lead


def _leads(db: Session) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(Lead)).one()


def test_send_to_all_sends_the_proposals_leads_through_the_partnership_service(
        client: TestClient, db: Session) -> None:
    company = _org(db, "company", 1)
    _provider(db, 2, "8500", 6)
    _provider(db, 3, "8800", 7)
    need_id = _need(db, company, 12)  # more than either provider has free
    db.commit()
    csrf = _login(client, "company1@example.be")
    page = client.get(f"/app/needs/{need_id}").text
    assert 'id="partnerships"' in page
    forms = re.findall(r'action="/app/needs/[^"]+/partnerships/(\d+)">\s*<input type="hidden" '
                       r'name="csrf_token" value="[^"]+">\s*<input type="hidden" name="key" '
                       r'value="([^"]+)"', page)
    assert forms, "one send-to-all form per proposal"
    index, key = forms[0]

    # a proposal that changed since the page was shown: the service's 409, nothing sent
    r = client.post(f"/app/needs/{need_id}/partnerships/{index}",
                    data={"csrf_token": csrf, "key": "0" * 16})
    assert r.status_code == 409
    assert "role=\"alert\"" in r.text
    assert "proposal" in r.text.lower()
    assert _leads(db) == 0

    r = client.post(f"/app/needs/{need_id}/partnerships/{index}",
                    data={"csrf_token": csrf, "key": key}, follow_redirects=False)
    assert r.status_code == 303
    sent = db.exec(select(Lead)).all()
    assert len(sent) == 2
    assert len({lead.partnership_id for lead in sent}) == 1
    assert sum(lead.proposed_fte or 0 for lead in sent) == pytest.approx(12)
    page = client.get(f"/app/needs/{need_id}").text
    assert page.count('class="card lead-card"') == 2
    assert "voorgesteld" in page
    assert 'id="partnerships"' not in page  # the leads are out: no second proposal to send


def test_the_need_page_shows_the_matching_diagnosis_when_nothing_fits(
        client: TestClient, db: Session, settings: Settings) -> None:
    company = _org(db, "company", 4)
    _provider(db, 5, "8800", 0)  # the right activity, but no free capacity at all
    need_id = _need(db, company, 2, title="Retours")
    db.commit()
    _login(client, "company4@example.be")
    page = client.get(f"/app/needs/{need_id}").text
    diagnosis = matching.matches_for_need(db, company, settings, need_id, limit=10,
                                          include_excluded=False, lang="nl").diagnosis
    assert diagnosis is not None
    assert diagnosis.summary
    assert 'id="diagnosis"' in page
    for line in diagnosis.summary:
        assert line.replace("'", "&#39;") in page
    assert "Provider 5" in page  # the nearest related provider


def test_provider_home_lists_only_needs_it_ranks_in_the_top_five_for(
        client: TestClient, db: Session, settings: Settings) -> None:
    company = _org(db, "company", 6)
    for n in range(7, 12):  # five providers right at the client's site
        _provider(db, n, "8500", 10)
    ours = _provider(db, 12, "8800", 10)  # Roeselare: sixth for a need in Kortrijk
    crowded = _need(db, company, 2, title="Kortrijkse retours")
    db.commit()
    listed = matching.opportunities_for_provider(db, ours, settings, ours.organisation_id,
                                                 limit=10, lang="nl").items
    assert crowded in {item.need_id for item in listed}  # it would be an opportunity ...
    _login(client, "provider12@example.be")
    assert "Kortrijkse retours" not in client.get("/app").text  # ... but five rank higher

    near = _org(db, "company", 13)  # a client in Roeselare: there ours is the nearest
    organisations.create_site(db, near, near.organisation_id,
                              SiteCreate(name="Depot", postcode="8800"))
    other = _need(db, near, 2, title="Roeselaarse retours")
    db.commit()
    ranked = matching.matches_for_need(db, near, settings, other, limit=5,
                                       include_excluded=False, lang="nl").items
    assert str(ours.organisation_id) in {str(m.provider_id) for m in ranked}
    home = client.get("/app").text
    assert "Roeselaarse retours" in home.split('id="opp-h"')[1]
    assert "Kortrijkse retours" not in home


def test_the_directory_draws_every_result_on_the_map(client: TestClient,
                                                     db: Session) -> None:
    _provider(db, 14, "8500", 5)
    _provider(db, 15, "8800", 5)
    _provider(db, 16, "9000", 5)
    db.commit()
    page = client.get("/directory", params={"activity": "returns.apparel",
                                            "postcode": "8500", "radius_km": "40"}).text
    names = re.findall(r'<a href="/directory/[^"]+">([^<]+)</a>', page)
    assert names[:2] == ["Provider 14", "Provider 15"]  # nearest first, Gent beyond 40 km
    assert "Provider 16" not in names
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "https://" not in svg.replace("http://www.w3.org", "")  # nothing from elsewhere
    numbers = sorted(int(n) for n in re.findall(r'<text [^>]*>(\d+)</text>', svg))
    assert numbers == list(range(1, len(names) + 1))
    assert 'class="centre"' in svg
    assert 'class="reach"' in svg
    everywhere = client.get("/directory").text  # no postcode: every result, no centre
    svg = everywhere.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert len(re.findall(r'<text [^>]*>(\d+)</text>', svg)) == 3
    assert 'class="centre"' not in svg


def test_a_declined_lead_shows_its_reason_label_and_the_answer_in_the_need_timeline(
        client: TestClient, db: Session, settings: Settings) -> None:
    company, provider, need_id, lead = _sent_lead(db, settings, 17, 18)
    db.commit()
    csrf = _login(client, "provider18@example.be")
    assert client.get(f"/app/leads/{lead.id}").status_code == 200  # viewed
    r = client.post(f"/app/leads/{lead.id}/decline", follow_redirects=False, data={
        "csrf_token": csrf, "reason_code": "capacity", "reason_text": "Volzet tot maart"})
    assert r.status_code == 303
    page = client.get(f"/app/leads/{lead.id}").text
    assert "onvoldoende vrije capaciteit: Volzet tot maart" in page
    _login(client, "company17@example.be")
    page = client.get(f"/app/needs/{need_id}").text
    timeline = page.split('class="timeline"', 1)[1].split("</ol>", 1)[0]
    assert re.findall(r"<strong>([^<]+)</strong>", timeline) == ["verstuurd", "bekeken",
                                                                 "geweigerd"]
    home = client.get("/app").text
    assert "1 geweigerd" in home


def test_the_lead_list_counts_one_lead_in_the_singular(
        client: TestClient, db: Session, settings: Settings) -> None:
    _sent_lead(db, settings, 23, 24)
    db.commit()
    _login(client, "company23@example.be")
    page = client.get("/app/leads").text
    assert "<caption>1 aanvraag</caption>" in page
    assert '<th scope="col" role="columnheader">Verstuurd</th>' in page
    assert 'data-label="Verstuurd"' in page  # each cell's label on a phone


def test_times_are_shown_on_belgian_clocks() -> None:
    from datetime import UTC, datetime

    from api.web.pages import local_time

    assert local_time(datetime(2026, 12, 2, 6, 48, tzinfo=UTC)) == "02-12-2026 07:48"  # CET
    assert local_time(datetime(2026, 7, 1, 22, 30)) == "02-07-2026 00:30"  # naive = UTC; CEST


def test_a_refused_contract_reads_in_dutch_on_the_need_page(
        client: TestClient, db: Session, settings: Settings) -> None:
    company, provider, need_id, lead = _sent_lead(db, settings, 21, 22)
    leads.accept_lead(db, provider, lead.id)
    # the provider's figures fall after it accepted: the contract no longer fits
    organisations.set_workforce(db, provider, provider.organisation_id, lead.provider_site_id,
                                WorkforceUpdate(free_fte_low=0, free_fte_medium=0.5,
                                                free_fte_high=0, supervisors_available=3))
    db.commit()
    csrf = _login(client, "company21@example.be")
    r = client.post(f"/app/needs/{need_id}/leads/{lead.id}/contract",
                    data={"csrf_token": csrf, "fte": "2"})
    assert r.status_code == 409
    assert ("Niet genoeg vrije capaciteit op vestiging &#39;Atelier 22&#39;: 2 VTE gevraagd, "
            "0,5 VTE kan gereserveerd worden met begeleidingsgraad tot middel voor "
            "uitbesteding in het maatwerkbedrijf") in r.text
    assert "Not enough free capacity" not in r.text

    leads.withdraw_lead(db, company, lead.id)
    db.commit()
    r = client.post(f"/app/needs/{need_id}/leads/{lead.id}/contract",
                    data={"csrf_token": csrf, "fte": "1"})
    assert r.status_code == 409
    assert "Deze lead is ingetrokken en kan niet meer veranderen" in r.text
    english = client.post(f"/app/needs/{need_id}/leads/{lead.id}/contract?lang=en",
                          data={"csrf_token": csrf, "fte": "1"})
    assert "Lead is withdrawn; it cannot move to contracted (final state)" in english.text


def test_declining_asks_for_a_reason_instead_of_offering_one(
        client: TestClient, db: Session, settings: Settings) -> None:
    # no reason is chosen for the provider: a click on "Weigeren" without choosing one is
    # refused next to the field and the lead stays open
    _company, _provider, _need_id, lead = _sent_lead(db, settings, 25, 26)
    db.commit()
    csrf = _login(client, "provider26@example.be")
    page = client.get(f"/app/leads/{lead.id}").text
    select = page.split('<select id="reason_code"', 1)[1].split("</select>", 1)[0]
    assert '<option value="" selected>Kies een reden</option>' in select
    assert select.count(" selected") == 1
    assert '<label for="reason_code">Reden van weigering</label>' in page
    r = client.post(f"/app/leads/{lead.id}/decline", follow_redirects=False,
                    data={"csrf_token": csrf, "reason_code": "", "reason_text": ""})
    assert r.status_code == 422
    assert 'id="reason_code-error"' in r.text
    assert "Kies een van de mogelijkheden" in r.text
    db.expire_all()
    assert db.get(Lead, lead.id).status == "viewed"


def test_the_directory_counts_one_provider_in_the_singular(client: TestClient,
                                                          db: Session) -> None:
    _provider(db, 27, "8500", 5)
    db.commit()
    heading = client.get("/directory").text.split('<h2 id="results-h">', 1)[1].split("</h2>")[0]
    assert heading == "Resultaten: 1 maatwerkbedrijf gevonden"
    _provider(db, 28, "8800", 5)
    db.commit()
    heading = client.get("/directory").text.split('<h2 id="results-h">', 1)[1].split("</h2>")[0]
    assert heading == "Resultaten: 2 maatwerkbedrijven gevonden"


def test_deleting_a_capability_is_asked_first(client: TestClient, db: Session) -> None:
    from models.capability import Capability

    user = _provider(db, 29, "8500", 5)
    db.commit()
    (cap_id,) = db.exec(select(Capability.id).where(
        Capability.organisation_id == user.organisation_id)).all()
    csrf = _login(client, "provider29@example.be")
    listing = client.get("/app/capabilities").text
    assert f'<a href="/app/capabilities/{cap_id}/delete"' in listing  # a link, not a POST
    assert f'action="/app/capabilities/{cap_id}/delete"' not in listing
    page = client.get(f"/app/capabilities/{cap_id}/delete").text
    assert "Verwijderen kan niet ongedaan worden gemaakt" in page
    assert f'href="/app/capabilities/{cap_id}/edit"' in page  # the reversible way
    db.expire_all()
    assert db.get(Capability, cap_id) is not None  # asking deletes nothing
    r = client.post(f"/app/capabilities/{cap_id}/delete", data={"csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    db.expire_all()
    assert db.get(Capability, cap_id) is None


def test_a_provider_profile_shows_a_company_its_next_step(client: TestClient,
                                                         db: Session) -> None:
    provider = _provider(db, 30, "8500", 5)
    _org(db, "company", 31)
    db.commit()
    url = f"/directory/{provider.organisation_id}"
    assert 'href="/register"' in client.get(url).text.split('id="next-h"', 1)[1]
    _login(client, "company31@example.be")
    assert 'href="/app/needs/new"' in client.get(url).text.split('id="next-h"', 1)[1]
    _login(client, "provider30@example.be")
    assert 'id="next-h"' not in client.get(url).text  # not for a maatwerkbedrijf
