"""The public directory (DESIGN §13): anonymous search and profiles, never private data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.services.directory import capacity_band
from matching.scoring import haversine_km
from models.directory import CapacityBand
from models.gazetteer import lookup_postcode
from models.lead import Lead
from models.need import Need
from models.organisation import User
from models.site import Workforce
from models.webhook import OutboxEvent, WebhookEndpoint
from tests.factories import Actor, add_capability, add_need, add_site, register, set_workforce

PRIVATE_VALUES = ("Griet Geheim", "griet.geheim@example.be", "+32 470 99 99 99",
                  "Geheime Straat 7", "Vertrouwelijke retourpartij", "7.25")


@dataclass
class Directory:
    atelier: Actor  # Roeselare, apparel returns, 8 FTE free
    blanke: Actor  # Izegem displays (1 FTE) and Gent warehouse enclave (0 FTE)
    centraal: Actor  # Antwerpen general returns, no workforce figures
    dormant: Actor  # only an inactive capability
    company: Actor


@pytest.fixture
def directory(client) -> Directory:  # noqa: ANN001
    atelier = register(client, "provider", "Atelier Leie")
    atelier.patch(f"/organisations/{atelier.org_id}", json={
        "description": "Maatwerkbedrijf aan de Leie", "website": "https://atelier.example.be",
        "contact_name": "Griet Geheim", "contact_email": "griet.geheim@example.be",
        "contact_phone": "+32 470 99 99 99"})
    site = add_site(atelier, "8800", street="Geheime Straat 7")
    set_workforce(atelier, site, low=3, medium=3, high=2)
    add_capability(atelier, site, "returns.apparel", certifications=["iso9001"],
                   placement_modes=["workshop", "on_site"])
    second = add_site(atelier, "8760")
    set_workforce(atelier, second, low=7.25, medium=0, high=0)
    add_capability(atelier, second, "returns.apparel", active=False)

    blanke = register(client, "provider", "Blanke Displays")
    izegem, gent = add_site(blanke, "8870"), add_site(blanke, "9000")
    set_workforce(blanke, izegem, low=1, medium=0, high=0, supervisors=1)
    set_workforce(blanke, gent, low=0, medium=0, high=0, supervisors=0)
    add_capability(blanke, izegem, "displays.build", description="Displays in hout en karton",
                   competences=[])
    add_capability(blanke, gent, "warehouse.handling", placement_modes=["enclave"],
                   certifications=["vca"], competences=[])

    centraal = register(client, "provider", "Centraal Retour")
    add_capability(centraal, add_site(centraal, "2000"), "returns.general", competences=[])

    dormant = register(client, "provider", "Dormant Maatwerk")
    add_capability(dormant, add_site(dormant, "8800"), active=False)

    company = register(client, "company", "Modehuis Online")
    add_need(company, add_site(company, "8800"), title="Vertrouwelijke retourpartij")
    return Directory(atelier, blanke, centraal, dormant, company)


def search(client: TestClient, **params: Any) -> dict:
    r = client.get("/directory/providers", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def names(page: dict) -> list[str]:
    return [item["name"] for item in page["items"]]


# ---- search ---------------------------------------------------------------------------------

def test_search_needs_no_login_and_lists_providers_with_an_active_capability(client, directory):
    page = search(client)
    assert names(page) == ["Atelier Leie", "Blanke Displays", "Centraal Retour"]
    assert (page["total"], page["limit"], page["offset"]) == (3, 50, 0)
    atelier = page["items"][0]
    assert atelier["id"] == directory.atelier.org_id
    assert atelier["municipality"] == "Roeselare"  # not Tielt: that capability is inactive
    assert atelier["activities"] == [{
        "code": "returns.apparel", "family": "kledij",
        "label": {"nl": "Retourverwerking kledij: wassen, strijken, herstellen, plooien, "
                        "herverpakken",
                  "en": "Apparel returns processing: washing, ironing, repairing, folding, "
                        "repacking"}}]
    assert atelier["placement_modes"] == ["on_site", "workshop"]
    assert atelier["certifications"] == ["iso9001"]
    assert (atelier["distance_km"], atelier["distance_approximate"]) == (None, None)


def test_a_postcode_orders_nearest_first_with_great_circle_distances(client, directory):
    page = search(client, postcode="8800")
    assert names(page) == ["Atelier Leie", "Blanke Displays", "Centraal Retour"]
    here, izegem, antwerpen = (lookup_postcode(p) for p in ("8800", "8870", "2000"))
    distances = [item["distance_km"] for item in page["items"]]
    assert distances == [0.0, round(haversine_km(here.lat, here.lon, izegem.lat, izegem.lon), 1),
                         round(haversine_km(here.lat, here.lon, antwerpen.lat,
                                            antwerpen.lon), 1)]
    # the same gazetteer point at both ends: 0.0 km is not a measurement
    assert [item["distance_approximate"] for item in page["items"]] == [True, False, False]
    from_gent = search(client, postcode="9000")
    assert names(from_gent) == ["Blanke Displays", "Atelier Leie", "Centraal Retour"]
    assert from_gent["items"][0]["municipality"] == "Gent"  # its nearest matching site


def test_radius_keeps_providers_with_a_matching_site_that_close(client, directory):
    page = search(client, postcode="8800", radius_km=20)
    assert names(page) == ["Atelier Leie", "Blanke Displays"]
    assert page["total"] == 2
    # Blanke's Gent site is within 20 km of 9000, Atelier's Roeselare site is not
    assert names(search(client, postcode="9000", radius_km=20)) == ["Blanke Displays"]


def test_activity_family_and_mode_filter_the_capabilities(client, directory):
    assert names(search(client, activity="returns.apparel")) == ["Atelier Leie"]
    magazijn = search(client, family="magazijn")
    assert names(magazijn) == ["Blanke Displays"]
    (blanke,) = magazijn["items"]
    assert [a["code"] for a in blanke["activities"]] == ["warehouse.handling"]
    assert (blanke["municipality"], blanke["certifications"]) == ("Gent", ["vca"])
    assert names(search(client, placement_mode="enclave")) == ["Blanke Displays"]
    assert names(search(client, placement_mode="on_site")) == ["Atelier Leie"]
    assert search(client, activity="returns.apparel", family="magazijn")["total"] == 0


def test_text_search_reads_names_descriptions_and_activity_labels(client, directory):
    assert names(search(client, q="kledij")) == ["Atelier Leie"]  # the activity's nl label
    assert names(search(client, q="KARTON")) == ["Blanke Displays"]  # capability description
    assert names(search(client, q="centraal")) == ["Centraal Retour"]
    assert names(search(client, q="100%")) == []  # wildcards are literal


def test_pages_carry_the_total(client, directory):
    page = search(client, limit=1, offset=1)
    assert (names(page), page["total"], page["limit"], page["offset"]) == (
        ["Blanke Displays"], 3, 1, 1)
    past = search(client, limit=2, offset=5)
    assert (past["items"], past["total"]) == ([], 3)


def test_capacity_is_a_band_over_the_matching_sites(client, directory):
    bands = {item["name"]: item["capacity_band"] for item in search(client)["items"]}
    # Atelier 8 FTE (its inactive Tielt capability's 7.25 FTE do not count); Blanke 1 + 0;
    # Centraal has no figures
    assert bands == {"Atelier Leie": "available", "Blanke Displays": "limited",
                     "Centraal Retour": "full"}
    assert search(client, family="magazijn")["items"][0]["capacity_band"] == "full"


def test_stale_figures_never_show_as_available(client, directory):
    site = directory.atelier.sites[0]
    r = directory.atelier.put(f"/providers/{directory.atelier.org_id}/workforce/{site['id']}",
                              json={"free_fte_low": 9, "free_fte_medium": 0, "free_fte_high": 0,
                                    "supervisors_available": 1, "figures_as_of": "2020-01-01"})
    assert r.status_code == 200, r.text
    assert search(client, activity="returns.apparel")["items"][0]["capacity_band"] == "limited"


@pytest.mark.parametrize(("free", "stale", "band"), [
    (None, False, "full"), (0.0, False, "full"), (0.49, False, "full"), (0.5, False, "limited"),
    (2.99, False, "limited"), (3.0, False, "available"), (3.0, True, "limited"),
    (0.2, True, "full"),
])
def test_capacity_band_thresholds(free, stale, band):
    assert capacity_band(free, stale=stale) == CapacityBand(band)


@pytest.mark.parametrize(("params", "field"), [
    ({"activity": "returns.socks"}, "activity"),
    ({"family": "sokken"}, "family"),
    ({"placement_mode": "remote"}, "placement_mode"),
    ({"postcode": "0000"}, "postcode"),
    ({"postcode": "88a0"}, "postcode"),
    ({"radius_km": 10}, "radius_km"),
    ({"postcode": "8800", "radius_km": -1}, "radius_km"),
    ({"q": "x"}, "q"),
    ({"limit": 0}, "limit"),
])
def test_bad_filters_are_422_naming_the_field(client, params, field):
    r = client.get("/directory/providers", params=params)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert [e["loc"] for e in r.json()["errors"]] == [["query", field]]


# ---- profile --------------------------------------------------------------------------------

def test_profile_shows_description_municipalities_and_activities(client, directory):
    r = client.get(f"/directory/providers/{directory.blanke.org_id}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["name"], body["municipalities"]) == ("Blanke Displays", ["Gent", "Izegem"])
    assert [a["code"] for a in body["activities"]] == ["displays.build", "warehouse.handling"]
    assert (body["placement_modes"], body["certifications"]) == (["enclave", "workshop"], ["vca"])
    assert body["capacity_band"] == "limited"
    atelier = client.get(f"/directory/providers/{directory.atelier.org_id}").json()
    assert (atelier["description"], atelier["website"]) == ("Maatwerkbedrijf aan de Leie",
                                                            "https://atelier.example.be/")
    assert atelier["municipalities"] == ["Roeselare", "Tielt"]


def test_profile_is_404_for_companies_unknown_ids_and_unlisted_providers(client, directory):
    for org_id in (directory.company.org_id, str(uuid.uuid4()), directory.dormant.org_id):
        r = client.get(f"/directory/providers/{org_id}")
        assert r.status_code == 404, r.text
    assert client.get("/directory/providers/not-a-uuid").status_code == 422


# ---- nothing private ------------------------------------------------------------------------

# Columns of users, workforce figures, needs, leads and webhooks, plus an organisation's and a
# site's private columns. Names the public profile legitimately shares with those tables
# (an id, a description) are the only exceptions.
SHARED_NAMES = {"id", "description", "created_at", "updated_at", "organisation_id"}
PRIVATE_COLUMNS = (
    {c.name for table in (User, Workforce, Need, Lead, WebhookEndpoint, OutboxEvent)
     for c in table.__table__.columns} - SHARED_NAMES
) | {"enterprise_number", "contact_name", "contact_email", "contact_phone", "contact_language",
     "street", "lat", "lon", "postcode", "site_id", "free_fte", "fte", "users", "needs", "leads",
     "workforce"}


def _schema_properties(spec: dict, schema: dict, seen: set[str]) -> set[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return set()
        seen.add(name)
        return _schema_properties(spec, spec["components"]["schemas"][name], seen)
    found = set(schema.get("properties", {}))
    nested = [*schema.get("properties", {}).values(), *schema.get("anyOf", []),
              *schema.get("allOf", []), *schema.get("oneOf", [])]
    if isinstance(schema.get("items"), dict):
        nested.append(schema["items"])
    if isinstance(schema.get("additionalProperties"), dict):
        nested.append(schema["additionalProperties"])
    for sub in nested:
        found |= _schema_properties(spec, sub, seen)
    return found


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_private_columns_are_not_in_the_directory_schemas(client):
    spec = client.get("/openapi.json").json()
    fields = set()
    for path in ("/directory/providers", "/directory/providers/{provider_id}"):
        schema = spec["paths"][path]["get"]["responses"]["200"]["content"][
            "application/json"]["schema"]
        fields |= _schema_properties(spec, schema, set())
    assert {"name", "capacity_band", "municipality", "municipalities"} <= fields
    assert fields & PRIVATE_COLUMNS == set()
    # the list is real: it holds what would leak
    assert {"email", "password_hash", "free_fte_low", "supervisors_available", "title",
            "snapshot", "contact_email", "secret"} <= PRIVATE_COLUMNS


def test_private_data_never_appears_in_directory_responses(client, directory):
    responses = [client.get("/directory/providers", params=params)
                 for params in ({}, {"postcode": "8800"}, {"q": "leie"})]
    responses += [client.get(f"/directory/providers/{actor.org_id}")
                  for actor in (directory.atelier, directory.blanke, directory.centraal)]
    for r in responses:
        assert r.status_code == 200, r.text
        assert _keys(r.json()) & PRIVATE_COLUMNS == set()
        for value in (*PRIVATE_VALUES, directory.atelier.user["email"]):
            assert value not in r.text


# ---- rate limit -----------------------------------------------------------------------------

def test_directory_is_rate_limited_per_address(settings, engine, app, directory):
    limited = create_app(settings=settings.model_copy(update={
        "rate_limit_enabled": True, "rate_limit_directory_per_ip": 3}), engine=engine)
    limited.dependency_overrides = app.dependency_overrides
    with TestClient(limited, raise_server_exceptions=False) as c:
        statuses = [c.get("/directory/providers").status_code for _ in range(3)]
        refused = c.get(f"/directory/providers/{directory.atelier.org_id}",
                        headers={"Authorization": "Bearer another-token-changes-nothing"})
        assert statuses == [200, 200, 200]
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) >= 1
        assert c.get("/taxonomy/activities").status_code == 200  # its own budget
