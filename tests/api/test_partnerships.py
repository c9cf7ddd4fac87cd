"""GET /needs/{id}/partnerships and POST /needs/{id}/partnerships/{index}/leads."""

from __future__ import annotations

from tests.factories import add_capability, add_need, add_site, register, set_workforce, staff

ROESELARE, IZEGEM, TIELT, KORTRIJK, ANTWERPEN = "8800", "8870", "8700", "8500", "2000"


def _site_with(client, postcode, *, low=0.0, medium=0.0, high=0.0, supervisors=0.0,
               activity="returns.apparel", name=None, **kw):
    provider = register(client, "provider", name=name)
    site = add_site(provider, postcode)
    set_workforce(provider, site, low=low, medium=medium, high=high, supervisors=supervisors)
    cap = add_capability(provider, site, activity=activity, **kw)
    return provider, cap


ENCLAVE = {"placement_modes": ["enclave"], "activity": "assembly.manual",
           "competences": ["assembly", "manual.fine"], "description": "Manuele assemblage"}
ENCLAVE_NEED = {"placement_mode": "enclave", "activity": "assembly.manual",
                "competences": ["assembly", "manual.fine"], "title": "Assemblage in enclave",
                "description": "Manuele assemblage", "accommodates_support": "low"}


def _members(proposal):
    return {m["capability_id"] for m in proposal["members"]}


def _three_of_12_10_8(client):
    providers = [_site_with(client, ROESELARE, low=12, name="Roeselare Werkt"),
                 _site_with(client, IZEGEM, low=10, name="Izegem Maatwerk"),
                 _site_with(client, TIELT, low=8, name="Tielt Atelier")]
    company = register(client, "company")
    need = add_need(company, add_site(company, ROESELARE), fte=30, accommodates_support="low")
    return company, need, providers


def test_three_providers_of_12_10_8_cover_a_30_fte_need_together(client):
    company, need, providers = _three_of_12_10_8(client)
    r = company.get(f"/needs/{need['id']}/partnerships?limit=3")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["uncovered_fte"] == 30.0
    assert body["best_single_fte"] == 12.0
    assert len(body["items"]) == 1
    proposal = body["items"][0]
    assert proposal["covered_fte"] == 30.0
    assert proposal["uncovered_fte"] == 0.0
    assert [(m["municipality"], m["fte"]) for m in proposal["members"]] == [
        ("Roeselare", 12.0), ("Izegem", 10.0), ("Tielt", 8.0)]
    assert [m["fte_by_support"] for m in proposal["members"]] == [
        {"low": 12.0, "medium": 0.0, "high": 0.0}, {"low": 10.0, "medium": 0.0, "high": 0.0},
        {"low": 8.0, "medium": 0.0, "high": 0.0}]
    assert _members(proposal) == {cap["id"] for _p, cap in providers}
    assert proposal["reasons"][0]["text"] == "Samen dekken ze 30 van 30 VTE (12 + 10 + 8)"
    assert body["notice"] is None
    assert body["diagnosis"] is None
    en = company.get(f"/needs/{need['id']}/partnerships",
                     headers={"Accept-Language": "en"}).json()
    assert en["items"][0]["reasons"][0]["text"] == \
        "Together they cover 30 of 30 FTE (12 + 10 + 8)"


def test_no_proposal_when_a_single_provider_covers_the_need(client):
    _site_with(client, ROESELARE, low=40, name="Groot Atelier")
    _site_with(client, IZEGEM, low=10)
    company = register(client, "company")
    need = add_need(company, add_site(company, ROESELARE), fte=30, accommodates_support="low")
    body = company.get(f"/needs/{need['id']}/partnerships").json()
    assert body["items"] == []
    assert body["notice"]["code"] == "single_provider_covers"
    assert body["notice"]["params"] == {"provider": "Groot Atelier"}
    assert body["diagnosis"] is None


def test_enclave_team_gets_the_site_that_has_the_supervisor(client):
    # Izegem has workers but no free supervisor: an enclave cannot go there; Tielt, the third
    # site, has the supervisor its part of the team needs
    enclave = ENCLAVE
    _p, roeselare = _site_with(client, ROESELARE, low=12, supervisors=1, **enclave)
    _p, izegem = _site_with(client, IZEGEM, low=10, supervisors=0, **enclave)
    _p, tielt = _site_with(client, TIELT, low=10, supervisors=1, **enclave)
    company = register(client, "company")
    need = add_need(company, add_site(company, ROESELARE), fte=20, **ENCLAVE_NEED)
    body = company.get(f"/needs/{need['id']}/partnerships").json()
    assert [_members(p) for p in body["items"]] == [{roeselare["id"], tielt["id"]}]
    proposal = body["items"][0]
    assert [(m["municipality"], m["fte"], m["supervisors"]) for m in proposal["members"]] == [
        ("Roeselare", 12.0, 1), ("Tielt", 8.0, 1)]
    texts = [r["text"] for r in proposal["reasons"] if r["code"] == "partnership_supervisor"]
    assert "Tielt brengt de enclavebegeleider (1 begeleider voor 8 VTE)" in texts
    assert izegem["id"] not in {m["capability_id"] for p in body["items"] for m in p["members"]}


def test_far_provider_never_replaces_near_ones_for_high_binding_work(client):
    kw = {"activity": "displays.build", "competences": ["assembly", "packing"],
          "description": "Displays bouwen en monteren"}
    near = [_site_with(client, pc, low=fte, **kw)[1]
            for pc, fte in ((ROESELARE, 12), (IZEGEM, 10), (TIELT, 8))]
    _p, far = _site_with(client, ANTWERPEN, low=12, **kw)
    company = register(client, "company")
    need = add_need(company, add_site(company, ROESELARE), fte=30, activity="displays.build",
                    competences=["assembly", "packing"], title="Displays bouwen",
                    description="Displays bouwen en monteren", accommodates_support="low")
    body = company.get(f"/needs/{need['id']}/partnerships?limit=10").json()
    sets = [_members(p) for p in body["items"]]
    assert sets[0] == {c["id"] for c in near}
    # every other proposal covering 30 needs the far site: they all come after the near one
    assert len(sets) == 4
    assert all(far["id"] in s for s in sets[1:])


def test_excluded_candidates_never_appear(client):
    _p, a = _site_with(client, ROESELARE, low=12)
    _p, b = _site_with(client, IZEGEM, low=10)
    _p, c = _site_with(client, TIELT, low=8)
    # near and large, but only on-site work: excluded for a workshop need
    _p, wrong_mode = _site_with(client, ROESELARE, low=20, placement_modes=["on_site"])
    # large but beyond the need's 40 km
    _p, too_far = _site_with(client, ANTWERPEN, low=20)
    company = register(client, "company")
    need = add_need(company, add_site(company, ROESELARE), fte=30, accommodates_support="low",
                    max_distance_km=40)
    body = company.get(f"/needs/{need['id']}/partnerships?limit=10").json()
    seen = {m["capability_id"] for p in body["items"] for m in p["members"]}
    assert seen == {a["id"], b["id"], c["id"]}
    assert wrong_mode["id"] not in seen
    assert too_far["id"] not in seen


def test_diagnosis_says_what_is_missing_when_no_combination_covers_it(client):
    enclave = ENCLAVE
    _site_with(client, ROESELARE, low=8, high=6, supervisors=1, **enclave)
    _site_with(client, IZEGEM, low=20, supervisors=1, **enclave)
    _site_with(client, ANTWERPEN, low=20, supervisors=3, **enclave)
    _site_with(client, TIELT, high=4, supervisors=2, **enclave)  # nobody at an accepted level
    _site_with(client, KORTRIJK, low=6, supervisors=0, **enclave)  # nobody to supervise them
    company = register(client, "company")
    need = add_need(company, add_site(company, ROESELARE), fte=40, max_distance_km=40,
                    **ENCLAVE_NEED)
    body = company.get(f"/needs/{need['id']}/partnerships",
                       headers={"Accept-Language": "en"}).json()
    assert body["items"][0]["covered_fte"] == 23.0  # 8 + 15 (one supervisor carries 15 low)
    d = body["diagnosis"]
    assert d["fte"] == {"uncovered": 40.0, "best_covered": 23.0, "above_accepted_level": 10.0,
                        "without_supervisor": 11.0, "too_far": 20.0}
    assert d["counts"]["too_far"] == 1
    assert d["counts"]["no_free_capacity_at_level"] == 1
    assert d["counts"]["no_supervision"] == 1
    assert d["counts"]["supervisors_short"] == 2  # one more in Izegem, one in Kortrijk
    assert d["summary"] == [
        "The best combination covers 23 of 40 FTE",
        "10 FTE are free at support levels above what the workplace accommodates (low)",
        "11 FTE lack a supervisor: 2 more supervisor(s) needed",
        "1 provider(s) with 20 free FTE are too far away"]
    assert [n["municipality"] for n in d["nearest_related"]] == ["Antwerpen"]


def test_other_companies_get_404_and_staff_may_look(client, db):
    _company, need, _providers = _three_of_12_10_8(client)
    other = register(client, "company")
    assert other.get(f"/needs/{need['id']}/partnerships").status_code == 404
    provider = register(client, "provider")
    assert provider.get(f"/needs/{need['id']}/partnerships").status_code == 404
    assert staff(client, db).get(f"/needs/{need['id']}/partnerships").status_code == 200
    assert other.post(f"/needs/{need['id']}/partnerships/0/leads",
                      json={"key": "x"}).status_code == 404


def test_sending_a_proposal_sends_one_lead_per_member_with_its_fte(client):
    company, need, providers = _three_of_12_10_8(client)
    proposal = company.get(f"/needs/{need['id']}/partnerships").json()["items"][0]
    r = company.post(f"/needs/{need['id']}/partnerships/0/leads", json={"key": proposal["key"]})
    assert r.status_code == 201, r.text
    body = r.json()
    leads = body["leads"]
    assert [lead["proposed_fte"] for lead in leads] == [12.0, 10.0, 8.0]
    assert len({lead["partnership"]["id"] for lead in leads}) == 1
    assert body["partnership_id"] == leads[0]["partnership"]["id"]
    assert all(lead["partnership"]["members_visible"] for lead in leads)  # the company sees all
    # the provider sees that it is a partnership, the other names once it accepted
    izegem, _cap = providers[1]
    inbox = izegem.get("/leads?role=inbox").json()["items"]
    assert len(inbox) == 1
    part = inbox[0]["partnership"]
    assert (part["member_count"], part["members_visible"], part["other_members"]) == (3, False,
                                                                                      None)
    assert inbox[0]["proposed_fte"] == 10.0
    accepted = izegem.post(f"/leads/{inbox[0]['id']}/accept").json()
    assert [(m["municipality"], m["proposed_fte"])
            for m in accepted["partnership"]["other_members"]] == [("Roeselare", 12.0),
                                                                    ("Tielt", 8.0)]


def test_a_stale_proposal_is_refused_and_sends_nothing(client):
    company, need, providers = _three_of_12_10_8(client)
    proposal = company.get(f"/needs/{need['id']}/partnerships").json()["items"][0]
    tielt, tielt_cap = providers[2]
    set_workforce(tielt, tielt.sites[0], low=6, medium=0, high=0, supervisors=0)
    r = company.post(f"/needs/{need['id']}/partnerships/0/leads", json={"key": proposal["key"]})
    assert r.status_code == 409
    assert "proposals changed" in r.json()["detail"]
    assert company.post(f"/needs/{need['id']}/partnerships/5/leads",
                        json={"key": proposal["key"]}).status_code == 409
    assert company.get(f"/leads?role=outbox&need_id={need['id']}").json()["total"] == 0


def test_one_member_failing_sends_no_lead_and_names_the_member(client):
    company, need, providers = _three_of_12_10_8(client)
    proposal = company.get(f"/needs/{need['id']}/partnerships").json()["items"][0]
    izegem_cap = providers[1][1]
    single = company.post(f"/needs/{need['id']}/leads", json={"capability_id": izegem_cap["id"]})
    assert single.status_code == 201
    r = company.post(f"/needs/{need['id']}/partnerships/0/leads", json={"key": proposal["key"]})
    assert r.status_code == 409
    problem = r.json()
    assert problem["member_index"] == 1
    assert problem["capability_id"] == izegem_cap["id"]
    assert "Izegem Maatwerk" in problem["detail"]
    assert company.get(f"/leads?role=outbox&need_id={need['id']}").json()["total"] == 1


def test_overview_counts_needs_covered_by_partnerships(client, db):
    company, need, providers = _three_of_12_10_8(client)
    proposal = company.get(f"/needs/{need['id']}/partnerships").json()["items"][0]
    leads = company.post(f"/needs/{need['id']}/partnerships/0/leads",
                         json={"key": proposal["key"]}).json()["leads"]
    officer = staff(client, db)
    assert officer.get("/stats/overview").json()["partnerships"] == {"needs": 0, "fte": 0.0}
    by_provider = {p.org_id: p for p, _cap in providers}
    for lead in leads[:2]:  # Roeselare 12 and Izegem 10
        provider = by_provider[lead["provider_id"]]
        assert provider.post(f"/leads/{lead['id']}/accept").status_code == 200
        r = company.post(f"/leads/{lead['id']}/contract", json={"fte": lead["proposed_fte"]})
        assert r.status_code == 200, r.text
        if lead is leads[0]:
            # one contracted member is not yet a partnership at work
            assert officer.get("/stats/overview").json()["partnerships"] == {"needs": 0,
                                                                             "fte": 0.0}
    assert officer.get("/stats/overview").json()["partnerships"] == {"needs": 1, "fte": 22.0}


def test_a_workforce_write_after_a_query_is_seen_by_the_next_query(client):
    company, need, providers = _three_of_12_10_8(client)
    url = f"/needs/{need['id']}/partnerships"
    assert company.get(url).json()["items"][0]["covered_fte"] == 30.0
    tielt, _cap = providers[2]
    set_workforce(tielt, tielt.sites[0], low=6, medium=0, high=0, supervisors=0)
    body = company.get(url).json()
    assert body["items"][0]["covered_fte"] == 28.0
    assert body["diagnosis"]["fte"]["uncovered"] == 30.0
