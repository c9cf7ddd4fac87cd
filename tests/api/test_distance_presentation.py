"""Distances between postcode points are told as what they are (DESIGN §10)."""

from __future__ import annotations

from tests.factories import add_need, add_site, provider_with_offer, register


def _world(client, need_postcode: str, provider_postcode: str):  # noqa: ANN001, ANN202
    provider_with_offer(client, provider_postcode)
    company = register(client, "company")
    need = add_need(company, add_site(company, need_postcode))
    return company, need


def _distance_reason(item: dict) -> dict:
    (reason,) = [r for r in item["reasons"] if r["code"] == "distance"]
    return reason


def test_two_sites_in_one_postcode_area_are_not_reported_as_measured_zero_km(client):
    company, need = _world(client, "8800", "8800")
    for lang, words in (("nl", "hetzelfde postcodegebied (Roeselare)"),
                        ("en", "same postcode area (Roeselare)")):
        r = company.get(f"/needs/{need['id']}/matches", headers={"Accept-Language": lang})
        assert r.status_code == 200, r.text
        (item,) = r.json()["items"]
        assert item["distance_km"] == 0.0
        assert item["distance_approximate"] is True
        reason = _distance_reason(item)
        assert words in reason["text"]
        assert "0.0 km" not in reason["text"]
        assert "0,0 km" not in reason["text"]
        assert reason["params"]["same_area"] is True
        assert reason["params"]["approximate"] is True


def test_two_parts_of_one_municipality_get_a_measured_distance(client):
    # 9050 Gentbrugge and 9030 Mariakerke, both in Gent: about 6 km apart, not 0
    company, need = _world(client, "9050", "9030")
    (item,) = company.get(f"/needs/{need['id']}/matches").json()["items"]
    assert 4.0 < item["distance_km"] < 8.0
    assert item["distance_approximate"] is False
    reason = _distance_reason(item)
    assert "same_area" not in reason["params"]


def test_a_site_at_its_municipality_centre_only_is_flagged_approximate(client):
    # 1804 (Cargovil, Vilvoorde) is no GeoNames place: the site gets Vilvoorde's centre
    company, need = _world(client, "1930", "1804")
    assert client.get("/geo/postcodes/1930").json()["approximate"] is False
    assert client.get("/geo/postcodes/1804").json()["approximate"] is True
    english = {"Accept-Language": "en"}
    (item,) = company.get(f"/needs/{need['id']}/matches", headers=english).json()["items"]
    assert item["distance_km"] > 1.0
    assert item["distance_approximate"] is True
    reason = _distance_reason(item)
    assert reason["text"].endswith("[approximate: municipality centre]")
    assert reason["params"]["same_area"] is False


def test_two_postcodes_on_one_approximate_point_are_the_same_municipality_not_area(client):
    # 1800 Vilvoorde and 1804 (placed at Vilvoorde's centre) share a point
    company, need = _world(client, "1800", "1804")
    (item,) = company.get(f"/needs/{need['id']}/matches").json()["items"]
    assert item["distance_approximate"] is True
    reason = _distance_reason(item)
    assert reason["text"].startswith("In dezelfde gemeente (Vilvoorde): afstand niet gemeten")


def test_a_provider_site_moved_to_a_municipality_centre_is_told_approximate_at_once(client):
    # the flag comes with the engine's capability profiles, which follow site writes
    provider, site, _cap = provider_with_offer(client, "1800")
    company = register(client, "company")
    need = add_need(company, add_site(company, "1930"))
    (item,) = company.get(f"/needs/{need['id']}/matches").json()["items"]
    assert item["distance_approximate"] is False
    r = provider.patch(f"/organisations/{provider.org_id}/sites/{site['id']}",
                       json={"postcode": "1804"})
    assert r.status_code == 200, r.text
    (item,) = company.get(f"/needs/{need['id']}/matches").json()["items"]
    assert item["distance_approximate"] is True
    assert _distance_reason(item)["params"]["approximate"] is True
