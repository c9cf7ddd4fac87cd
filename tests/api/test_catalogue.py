"""Sites, workforce, capabilities and needs through the API: validation, tenancy, lifecycle."""

from __future__ import annotations

from sqlmodel import func, select

from models.audit import AuditEvent
from models.need import Need
from tests.factories import (
    add_capability,
    add_need,
    add_site,
    need_body,
    register,
    set_workforce,
    staff,
)


def test_site_postcode_resolves_to_municipality_and_province(client):
    company = register(client, "company")
    site = add_site(company, "8800", public_transport_access="poor")
    assert site["municipality"] == "Roeselare"
    assert site["arrondissement"] == "Roeselare"
    assert site["province"] == "west-vlaanderen"
    assert 50.8 < site["lat"] < 51.1
    assert 3.0 < site["lon"] < 3.3


def test_unknown_postcode_is_422_on_write_and_404_on_lookup(client):
    company = register(client, "company")
    r = company.post(f"/organisations/{company.org_id}/sites",
                     json={"name": "Depot", "postcode": "0001"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "postcode"]
    assert client.get("/geo/postcodes/0001").status_code == 404
    assert client.get("/geo/postcodes/8700").json()["municipality"] == "Tielt"


def test_need_lifecycle_draft_open_cancelled_and_illegal_move_is_409(client):
    company = register(client, "company")
    site = add_site(company)
    need = add_need(company, site, publish=False)
    assert need["status"] == "draft"
    r = company.post(f"/needs/{need['id']}/status", json={"status": "open"})
    assert r.json()["status"] == "open"
    r = company.post(f"/needs/{need['id']}/status", json={"status": "draft"})
    assert r.status_code == 409
    assert r.json()["current_status"] == "open"
    assert "open" in r.json()["detail"]
    r = company.post(f"/needs/{need['id']}/status", json={"status": "cancelled"})
    assert r.json()["status"] == "cancelled"
    assert company.patch(f"/needs/{need['id']}", json={"fte": 3}).status_code == 409


def test_need_validation_names_each_field(client):
    company = register(client, "company")
    site = add_site(company)
    cases = {
        "fte": 0,
        "activity": "returns.socks",
        "competences": ["juggling"],
        "placement_mode": "teleport",
        "accommodates_support": "extreme",
        "max_distance_km": -5,
        "shifts": ["siesta"],
        "certifications_required": ["iso0000"],
    }
    for field, value in cases.items():
        r = company.post("/needs", json=need_body(site, **{field: value}))
        assert r.status_code == 422, field
        assert r.json()["errors"][0]["loc"][:2] == ["body", field], r.json()


def test_need_mode_must_fit_activity_and_dates_ordered(client):
    company = register(client, "company")
    site = add_site(company)
    r = company.post("/needs", json=need_body(site, activity="displays.build",
                                              placement_mode="enclave"))
    assert r.status_code == 422
    assert "enclave" in r.json()["detail"]
    r = company.post("/needs", json=need_body(site, start_date="2027-05-01",
                                              end_date="2027-01-01"))
    assert r.status_code == 422
    assert "end_date" in r.json()["detail"]


def test_rejected_write_leaves_nothing_behind(client, db):
    company = register(client, "company")
    site = add_site(company)
    before = db.exec(select(func.count()).select_from(Need)).one()
    r = company.post("/needs", json=need_body(site, fte=-1))
    assert r.status_code == 422
    assert db.exec(select(func.count()).select_from(Need)).one() == before


def test_body_cannot_set_owner_status_or_id(client):
    company = register(client, "company")
    site = add_site(company)
    for extra in ({"status": "open"}, {"organisation_id": company.org_id},
                  {"id": "6f1c1a52-3c55-4cde-9d2a-1b8e0f0c9a11"}, {"created_at": "2020-01-01"}):
        r = company.post("/needs", json=need_body(site, **extra))
        assert r.status_code == 422, extra


def test_company_cannot_see_or_touch_another_companys_need(client):
    a, b = register(client, "company"), register(client, "company")
    need = add_need(a, add_site(a))
    for call in (b.get(f"/needs/{need['id']}"), b.patch(f"/needs/{need['id']}", json={"fte": 1}),
                 b.post(f"/needs/{need['id']}/status", json={"status": "cancelled"}),
                 b.get(f"/organisations/{a.org_id}"), b.get(f"/organisations/{a.org_id}/sites")):
        assert call.status_code == 404
    assert b.get("/needs").json()["total"] == 0
    r = b.post("/needs", json=need_body(a.sites[0]))
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "site_id"]


def test_provider_cannot_post_needs_and_company_cannot_publish_capabilities(client):
    provider, company = register(client, "provider"), register(client, "company")
    psite, csite = add_site(provider), add_site(company)
    assert provider.post("/needs", json=need_body(psite)).status_code == 403
    r = company.post("/capabilities", json={"site_id": csite["id"], "activity": "returns.apparel",
                                            "placement_modes": ["workshop"]})
    assert r.status_code == 403


def test_provider_workforce_and_capabilities_are_private_to_it_but_staff_read_all(client, db):
    p1, p2 = register(client, "provider"), register(client, "provider")
    site = add_site(p1, "8870")
    set_workforce(p1, site, low=4, medium=2, high=1, supervisors=1)
    cap = add_capability(p1, site, activity="returns.electronics",
                         competences=["electronics.test"])
    assert p2.get(f"/capabilities/{cap['id']}").status_code == 404
    assert p2.get(f"/providers/{p1.org_id}/workforce").status_code == 404
    r = p2.put(f"/providers/{p1.org_id}/workforce/{site['id']}", json={
        "free_fte_low": 1, "free_fte_medium": 1, "free_fte_high": 1, "supervisors_available": 1})
    assert r.status_code == 404
    admin = staff(client, db)
    assert admin.get(f"/capabilities/{cap['id']}").status_code == 200
    wf = admin.get(f"/providers/{p1.org_id}/workforce").json()
    assert [w["free_fte_low"] for w in wf] == [4]
    # staff read but do not write another organisation's data
    assert admin.patch(f"/capabilities/{cap['id']}", json={"active": False}).status_code == 403


def test_workforce_rejects_negative_figures(client):
    provider = register(client, "provider")
    site = add_site(provider)
    r = provider.put(f"/providers/{provider.org_id}/workforce/{site['id']}", json={
        "free_fte_low": -1, "free_fte_medium": 0, "free_fte_high": 0, "supervisors_available": 0})
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "free_fte_low"]


def test_capability_mode_must_fit_activity(client):
    provider = register(client, "provider")
    site = add_site(provider)
    r = provider.post("/capabilities", json={"site_id": site["id"], "activity": "displays.build",
                                             "placement_modes": ["enclave"]})
    assert r.status_code == 422
    cap = add_capability(provider, site, activity="displays.build", competences=["woodworking"])
    r = provider.patch(f"/capabilities/{cap['id']}", json={"placement_modes": ["on_site"]})
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "placement_modes"]


def test_list_filters_and_pagination(client):
    company = register(client, "company")
    roeselare, gent = add_site(company, "8800"), add_site(company, "9000")
    for i in range(3):
        add_need(company, roeselare, title=f"Retour {i}")
    add_need(company, gent, activity="displays.build", placement_mode="workshop",
             competences=["woodworking"], publish=False)
    page = company.get("/needs", params={"limit": 2, "offset": 0}).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (4, 2, 0, 2)
    assert company.get("/needs", params={"status": "draft"}).json()["total"] == 1
    assert company.get("/needs", params={"activity": "displays.build"}).json()["total"] == 1
    assert company.get("/needs", params={"province": "oost-vlaanderen"}).json()["total"] == 1
    r = company.get("/needs", params={"province": "atlantis"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["query", "province"]
    assert company.get("/needs", params={"limit": 0}).status_code == 422


def test_writes_are_audited(client, db):
    company = register(client, "company")
    need = add_need(company, add_site(company))
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.entity_id == need["id"])
                      .order_by(AuditEvent.at)).all()
    assert actions == ["create", "status.open"]


def test_site_in_use_cannot_be_deleted(client):
    company = register(client, "company")
    site = add_site(company)
    add_need(company, site)
    r = company.delete(f"/organisations/{company.org_id}/sites/{site['id']}")
    assert r.status_code == 409


def test_taxonomy_is_public_and_complete(client):
    acts = client.get("/taxonomy/activities").json()
    assert len(acts["items"]) == 20
    apparel = next(a for a in acts["items"] if a["code"] == "returns.apparel")
    assert apparel["binding"] == "medium"
    assert apparel["family"] == "kledij"
    comps = client.get("/taxonomy/competences").json()
    assert len(comps["items"]) == 29
