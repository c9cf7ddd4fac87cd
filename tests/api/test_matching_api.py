"""GET /needs/{id}/matches and GET /providers/{id}/opportunities through the API."""

from __future__ import annotations

import pytest

from tests.factories import add_need, add_site, provider_with_offer, register, staff


def _provider_with_capability(client, postcode="8800", activity="returns.apparel", **kw):
    return provider_with_offer(client, postcode, low=4, medium=4, high=2, supervisors=2,
                               activity=activity, **kw)


def _check(schema: dict, value: object, components: dict, where: str = "body") -> None:
    """``value`` fits the OpenAPI ``schema``: every required property present, no other one,
    each of its type (the subset of JSON Schema FastAPI emits for these models)."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:
        errors = []
        for option in schema["anyOf"]:
            try:
                _check(option, value, components, where)
                return
            except AssertionError as exc:
                errors.append(str(exc))
        raise AssertionError(f"{where}: fits no option: {errors}")
    kind = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
    if kind in ("number", "integer"):
        assert isinstance(value, int | float), (where, value)
        assert not isinstance(value, bool), (where, value)
        assert kind == "number" or isinstance(value, int), (where, value)
    elif kind is not None:
        assert isinstance(value, types[kind]), (where, kind, value)
    if kind == "object" and "properties" in schema:
        assert isinstance(value, dict)
        assert set(schema.get("required", ())) <= set(value), (where, "missing")
        assert set(value) <= set(schema["properties"]), (where, "unexpected")
        for key, item in value.items():
            _check(schema["properties"][key], item, components, f"{where}.{key}")
    elif kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        assert isinstance(value, dict)
        for key, item in value.items():
            _check(schema["additionalProperties"], item, components, f"{where}.{key}")
    elif kind == "array" and "items" in schema:
        assert isinstance(value, list)
        for i, item in enumerate(value):
            _check(schema["items"], item, components, f"{where}[{i}]")


def test_match_pages_fit_the_published_response_schema(client):
    """The route serves the service's bytes; they must be exactly the response model: a field
    missing, renamed or of the wrong type fails here (first page, repeat, excluded, empty)."""
    _provider_with_capability(client, "8800")
    _provider_with_capability(client, "3500", placement_modes=["on_site"])  # excluded
    company = register(client, "company")
    site = add_site(company, "8870")
    need = add_need(company, site)
    nothing = add_need(company, site, activity="care.social", placement_mode="on_site",
                       competences=["customer.contact"])
    spec = client.app.openapi()
    route = spec["paths"]["/needs/{need_id}/matches"]["get"]
    schema = route["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/MatchesPublic"}
    pages = [company.get(f"/needs/{need['id']}/matches"),
             company.get(f"/needs/{need['id']}/matches"),  # the kept bytes
             company.get(f"/needs/{need['id']}/matches?include_excluded=true",
                         headers={"Accept-Language": "en"}),
             company.get(f"/needs/{nothing['id']}/matches")]
    for r in pages:
        assert r.status_code == 200, r.text
        _check(schema, r.json(), spec["components"]["schemas"])
    assert pages[0].content == pages[1].content
    assert any(item["excluded"] for item in pages[2].json()["items"])
    assert pages[3].json()["diagnosis"] is not None
    with pytest.raises(AssertionError):  # the check itself catches a mistyped field
        _check(schema, {**pages[0].json(), "language": 1}, spec["components"]["schemas"])


def test_company_sees_ranked_matches_with_components_and_reasons(client):
    near_provider, _, near_cap = _provider_with_capability(client, "8800")
    far_provider, _, far_cap = _provider_with_capability(client, "3500")  # Hasselt
    company = register(client, "company")
    need = add_need(company, add_site(company, "8870"))  # Izegem, next to Roeselare
    r = company.get(f"/needs/{need['id']}/matches")
    assert r.status_code == 200, r.text
    body = r.json()
    ids = [i["capability_id"] for i in body["items"]]
    assert ids[:2] == [near_cap["id"], far_cap["id"]]
    top = body["items"][0]
    assert set(top["components"]) == {"competence", "locality", "supervision", "capacity"}
    assert 0 < top["score"] <= 1
    assert top["excluded"] is None
    assert top["provider_name"] == near_provider.org["name"]
    assert top["reasons"]
    assert all({"code", "text", "params"} <= set(x) for x in top["reasons"])
    assert body["weights_version"] == "default"


def test_reasons_follow_accept_language(client):
    _provider_with_capability(client)
    company = register(client, "company")
    need = add_need(company, add_site(company, "8800"))
    nl = company.get(f"/needs/{need['id']}/matches").json()
    en = company.get(f"/needs/{need['id']}/matches",
                     headers={"Accept-Language": "en-GB,en;q=0.9"}).json()
    assert nl["language"] == "nl"
    assert en["language"] == "en"
    assert [r["code"] for r in nl["items"][0]["reasons"]] == \
        [r["code"] for r in en["items"][0]["reasons"]]
    assert nl["items"][0]["reasons"][0]["text"] != en["items"][0]["reasons"][0]["text"]


def test_a_capability_written_after_a_query_is_seen_by_the_next_query(client):
    company = register(client, "company")
    need = add_need(company, add_site(company, "8800"))
    first = company.get(f"/needs/{need['id']}/matches").json()
    assert first["items"] == []
    assert first["diagnosis"] is not None
    _, _, cap = _provider_with_capability(client, "8800")
    second = company.get(f"/needs/{need['id']}/matches").json()
    assert [i["capability_id"] for i in second["items"]] == [cap["id"]]


def test_nothing_fits_explains_why_and_offers_related_providers(client):
    _, _, cap = _provider_with_capability(client, "8800")  # returns.apparel only
    company = register(client, "company")
    need = add_need(company, add_site(company, "8800"), activity="care.social",
                    placement_mode="on_site", competences=["customer.contact"])
    body = company.get(f"/needs/{need['id']}/matches").json()
    assert body["items"] == []
    assert body["diagnosis"]["counts"]["no_provider_with_activity"] is True
    assert body["diagnosis"]["summary"]
    nearest = body["diagnosis"]["nearest_related"]
    assert [n["capability_id"] for n in nearest] == [cap["id"]]
    assert nearest[0]["relation"] == "other"


def test_too_far_is_reported_in_the_diagnosis(client):
    _provider_with_capability(client, "3500")  # Hasselt
    company = register(client, "company")
    need = add_need(company, add_site(company, "8800"), max_distance_km=20)
    body = company.get(f"/needs/{need['id']}/matches?include_excluded=true").json()
    assert [i for i in body["items"] if i["excluded"] is None] == []
    assert body["diagnosis"]["counts"]["too_far"] == 1
    assert body["diagnosis"]["nearest_related"][0]["municipality"] == "Hasselt"
    excluded = [i for i in body["items"] if i["excluded"]]
    assert excluded[0]["excluded"][0]["code"] == "too_far"


def test_matches_are_private_to_the_company_and_open_to_staff(client, db):
    _provider_with_capability(client)
    company, other = register(client, "company"), register(client, "company")
    provider = register(client, "provider")
    need = add_need(company, add_site(company, "8800"))
    assert other.get(f"/needs/{need['id']}/matches").status_code == 404
    assert provider.get(f"/needs/{need['id']}/matches").status_code == 404
    assert staff(client, db).get(f"/needs/{need['id']}/matches").status_code == 200
    assert client.get(f"/needs/{need['id']}/matches").status_code == 401


def test_provider_sees_its_opportunities_only(client, db):
    provider, _, cap = _provider_with_capability(client, "8800")
    other = register(client, "provider")
    company = register(client, "company")
    need = add_need(company, add_site(company, "8870"))
    add_need(company, company.sites[0], title="Nog een draft", publish=False)
    body = provider.get(f"/providers/{provider.org_id}/opportunities").json()
    assert [(i["need_id"], i["capability_id"]) for i in body["items"]] == [(need["id"], cap["id"])]
    assert body["items"][0]["need_title"] == need["title"]
    assert other.get(f"/providers/{provider.org_id}/opportunities").status_code == 404
    assert company.get(f"/providers/{provider.org_id}/opportunities").status_code == 404
    assert staff(client, db).get(f"/providers/{provider.org_id}/opportunities").status_code == 200


def test_limit_is_validated(client):
    company = register(client, "company")
    need = add_need(company, add_site(company))
    r = company.get(f"/needs/{need['id']}/matches?limit=0")
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["query", "limit"]


def test_need_without_time_pressure_takes_its_activity_s(client):
    # was: the API defaulted to "low", so the taxonomy's time pressure was never used
    company = register(client, "company")
    site = add_site(company, "8800")
    picking = add_need(company, site, activity="warehouse.orderpick", placement_mode="enclave",
                       competences=["order.picking"])
    given = add_need(company, site, activity="warehouse.orderpick", placement_mode="enclave",
                     competences=["order.picking"], time_pressure="low")
    assert (picking["time_pressure"], given["time_pressure"]) == ("high", "low")


def test_reasons_name_the_activity_by_its_taxonomy_label(client):
    # was: "Exacte activiteit (returns.apparel)"
    _provider_with_capability(client)
    company = register(client, "company")
    need = add_need(company, add_site(company, "8800"))
    nl = company.get(f"/needs/{need['id']}/matches").json()["items"][0]["reasons"][0]
    en = company.get(f"/needs/{need['id']}/matches",
                     headers={"Accept-Language": "en"}).json()["items"][0]["reasons"][0]
    assert nl["code"] == "activity_exact"
    assert nl["text"].startswith("Exacte activiteit: Retourverwerking kledij")
    assert en["text"].startswith("Exact activity match: ")
    assert "returns.apparel" not in nl["text"] + en["text"]


def test_lead_snapshot_keeps_the_language_of_the_sending_request(client):
    # was: stored in English whatever the request's language
    _, _, cap = _provider_with_capability(client)
    company = register(client, "company")
    site = add_site(company, "8800")
    texts = {}
    for lang in ("nl", "en"):
        need = add_need(company, site)
        r = company.client.post(f"/needs/{need['id']}/leads", json={"capability_id": cap["id"]},
                                headers={**company.headers, "Accept-Language": lang})
        assert r.status_code == 201, r.text
        texts[lang] = r.json()["snapshot"]["reasons"][0]["text"]
    assert texts["nl"].startswith("Exacte activiteit")
    assert texts["en"].startswith("Exact activity match")
