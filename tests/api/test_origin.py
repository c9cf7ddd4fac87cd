"""A need's origin (new, reshored, kept): validation, and monitoring by origin on a fixed world."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from api.services.dashboard_text import month_label
from tests.factories import (
    Actor,
    add_need,
    add_site,
    company_with_sites,
    need_body,
    provider_with_offer,
    register,
    staff,
)


@dataclass
class World:
    staff: Actor
    company: Actor


def _contract(company: Actor, provider: Actor, capability: dict, need: dict, fte: float) -> None:
    r = company.post(f"/needs/{need['id']}/leads", json={"capability_id": capability["id"]})
    assert r.status_code == 201, r.text
    lead = r.json()
    assert provider.post(f"/leads/{lead['id']}/accept").status_code == 200
    r = company.post(f"/leads/{lead['id']}/contract", json={"fte": fte})
    assert r.status_code == 200, r.text


@pytest.fixture
def world(client, db) -> World:  # noqa: ANN001
    provider, _, capability = provider_with_offer(client, "8500")  # Kortrijk
    company, (roeselare, gent) = company_with_sites(client, "8800", "9000")
    # West Flanders (Roeselare): one need of each origin, each partly contracted
    new = add_need(company, roeselare, fte=2.0)
    reshored = add_need(company, roeselare, fte=3.0, origin="reshored", origin_country="CZ")
    kept = add_need(company, roeselare, fte=2.0, origin="kept")
    # East Flanders (Gent): reshored without a country, kept green maintenance, a kept draft
    add_need(company, gent, fte=0.5, origin="reshored")
    add_need(company, gent, activity="green.maintenance", placement_mode="on_site",
             competences=["gardening"], fte=1.0, origin="kept")
    add_need(company, gent, fte=4.0, origin="kept", publish=False)
    _contract(company, provider, capability, new, 1.0)
    _contract(company, provider, capability, reshored, 1.5)
    _contract(company, provider, capability, kept, 0.5)
    return World(staff(client, db), company)


def _figures(open_needs: int, open_fte: float, contracted_fte: float) -> dict:
    return {"open_needs": open_needs, "open_fte": open_fte, "contracted_fte": contracted_fte}


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# ---- monitoring ----------------------------------------------------------------------------

def test_overview_shows_needs_and_fte_by_origin(world: World) -> None:
    body = world.staff.get("/stats/overview").json()
    assert body["origin"] == {"new": _figures(1, 2.0, 1.0), "reshored": _figures(2, 3.5, 1.5),
                              "kept": _figures(2, 3.0, 0.5)}
    assert body["open_needs"] == 5
    assert body["contracted_fte"] == 3.0


def test_overview_by_origin_follows_the_filters(world: World) -> None:
    body = world.staff.get("/stats/overview?province=oost-vlaanderen").json()
    assert body["origin"] == {"new": _figures(0, 0.0, 0.0), "reshored": _figures(1, 0.5, 0.0),
                              "kept": _figures(1, 1.0, 0.0)}
    body = world.staff.get("/stats/overview?province=limburg").json()
    assert body["origin"]["kept"] == _figures(0, 0.0, 0.0)


def test_regions_show_origin_per_province(world: World) -> None:
    items = {r["code"]: r for r in world.staff.get("/stats/regions?level=province")
             .json()["items"]}
    assert items["west-vlaanderen"]["origin"] == {
        "new": _figures(1, 2.0, 1.0), "reshored": _figures(1, 3.0, 1.5),
        "kept": _figures(1, 2.0, 0.5)}
    assert items["oost-vlaanderen"]["origin"] == {
        "new": _figures(0, 0.0, 0.0), "reshored": _figures(1, 0.5, 0.0),
        "kept": _figures(1, 1.0, 0.0)}


def test_activities_show_origin_per_activity(world: World) -> None:
    items = {r["code"]: r for r in world.staff.get("/stats/activities").json()["items"]}
    assert items["returns.apparel"]["origin"] == {
        "new": _figures(1, 2.0, 1.0), "reshored": _figures(2, 3.5, 1.5),
        "kept": _figures(1, 2.0, 0.5)}
    assert items["green.maintenance"]["origin"] == {
        "new": _figures(0, 0.0, 0.0), "reshored": _figures(0, 0.0, 0.0),
        "kept": _figures(1, 1.0, 0.0)}
    assert items["displays.build"]["origin"]["new"] == _figures(0, 0.0, 0.0)


@pytest.mark.parametrize(("metric", "value"), [
    ("fte_reshored", 1.5), ("fte_kept", 0.5), ("fte_contracted", 3.0)])
def test_timeseries_of_contracted_fte_by_origin(world: World, metric: str, value: float) -> None:
    month = datetime.now(UTC).strftime("%Y-%m")
    series = world.staff.get(f"/stats/timeseries?metric={metric}").json()
    assert series["metric"] == metric
    assert series["points"] == [{"period": month, "value": value, "by_status": None}]


def test_csv_exports_carry_the_origin_figures(world: World) -> None:
    (overview,) = _rows(world.staff.get("/stats/overview?format=csv").text)
    assert overview["origin.reshored.open_fte"] == "3.5"
    assert overview["origin.kept.contracted_fte"] == "0.5"
    assert overview["origin.new.open_needs"] == "1"
    regions = {r["code"]: r for r in _rows(
        world.staff.get("/stats/regions?level=province&format=csv").text)}
    assert regions["oost-vlaanderen"]["origin.reshored.open_needs"] == "1"
    assert regions["west-vlaanderen"]["origin.reshored.contracted_fte"] == "1.5"
    activities = {r["code"]: r for r in _rows(
        world.staff.get("/stats/activities?format=csv").text)}
    assert activities["green.maintenance"]["origin.kept.open_fte"] == "1.0"
    assert activities["displays.build"]["origin.kept.open_fte"] == "0.0"
    (point,) = _rows(world.staff.get("/stats/timeseries?metric=fte_reshored&format=csv").text)
    assert (point["metric"], point["value"]) == ("fte_reshored", "1.5")


def test_csv_origin_columns_do_not_depend_on_the_data(world: World) -> None:
    full = world.staff.get("/stats/regions?level=province&format=csv").text.splitlines()[0]
    empty = world.staff.get(
        "/stats/regions?level=province&province=limburg&format=csv").text.splitlines()[0]
    assert full == empty
    assert "origin.new.open_needs,origin.new.open_fte,origin.new.contracted_fte" in full


# ---- validation ----------------------------------------------------------------------------

def test_origin_defaults_to_new_and_a_reshored_country_is_normalised(client) -> None:  # noqa: ANN001
    company = register(client, "company")
    site = add_site(company)
    assert add_need(company, site)["origin"] == "new"
    need = add_need(company, site, origin="reshored", origin_country="pl")
    assert (need["origin"], need["origin_country"]) == ("reshored", "PL")
    assert company.get(f"/needs/{need['id']}").json()["origin_country"] == "PL"


@pytest.mark.parametrize(("extra", "field"), [
    ({"origin": "abroad"}, "origin"),
    ({"origin": "new", "origin_country": "CZ"}, "origin_country"),
    ({"origin_country": "CZ"}, "origin_country"),  # origin defaults to new
    ({"origin": "kept", "origin_country": "CZ"}, "origin_country"),
    ({"origin": "reshored", "origin_country": "XX"}, "origin_country"),
    ({"origin": "reshored", "origin_country": "BE"}, "origin_country"),
    ({"origin": "reshored", "origin_country": "Czechia"}, "origin_country"),
])
def test_bad_origin_is_a_422_naming_the_field(client, extra: dict, field: str) -> None:  # noqa: ANN001
    company = register(client, "company")
    site = add_site(company)
    r = company.post("/needs", json=need_body(site, **extra))
    assert r.status_code == 422, r.text
    assert [e["loc"] for e in r.json()["errors"]] == [["body", field]]
    assert company.get("/needs").json()["total"] == 0


def test_patching_origin_keeps_country_and_origin_consistent(client) -> None:  # noqa: ANN001
    company = register(client, "company")
    site = add_site(company)
    need = add_need(company, site)
    r = company.patch(f"/needs/{need['id']}", json={"origin_country": "CZ"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "origin_country"]
    r = company.patch(f"/needs/{need['id']}", json={"origin": "reshored", "origin_country": "RO"})
    assert (r.json()["origin"], r.json()["origin_country"]) == ("reshored", "RO")
    r = company.patch(f"/needs/{need['id']}", json={"origin": "kept"})
    assert r.status_code == 200
    assert (r.json()["origin"], r.json()["origin_country"]) == ("kept", None)
    r = company.patch(f"/needs/{need['id']}", json={"origin": "unknown"})
    assert r.json()["errors"][0]["loc"] == ["body", "origin"]


def test_export_contains_the_origin(client) -> None:  # noqa: ANN001
    company = register(client, "company")
    add_need(company, add_site(company), origin="reshored", origin_country="CN")
    (need,) = company.get(f"/organisations/{company.org_id}/export").json()["needs"]
    assert (need["origin"], need["origin_country"]) == ("reshored", "CN")


def test_dashboard_shows_a_reshored_tile_and_the_origin_chart(world: World) -> None:
    page = world.staff.get("/dashboard?lang=en")
    assert page.status_code == 200
    assert 'data-kpi="reshored_contracted_fte" data-value="1.5"' in page.text
    chart = page.text.split('data-series="fte_by_origin"', 1)[1].split("</section>", 1)[0]
    month = month_label(datetime.now(UTC).strftime("%Y-%m"), "en")  # "Dec 2026"
    assert chart.count(f"<title>{month}: reshored 1,5, kept 0,5</title>") == 2
    assert "total 2" in chart
    assert not any(marker in chart for marker in ("http://", "https://", "<script"))


def test_demo_needs_get_about_ten_percent_reshored_and_kept(db) -> None:  # noqa: ANN001
    from sqlmodel import func, select

    from api.services.demo import load_demo
    from models.need import Need

    assert load_demo(db).loaded
    rows = dict(db.exec(select(Need.origin, func.count()).group_by(Need.origin)).all())
    assert rows == {"new": 58, "reshored": 7, "kept": 7}
    countries = db.exec(select(Need.origin_country).where(Need.origin == "reshored")
                        .order_by(Need.title)).all()
    assert countries == ["CZ", "PL", "RO", None, "CN", "SK", "HU"]
    assert db.exec(select(func.count()).select_from(Need).where(
        Need.origin != "reshored", Need.origin_country.is_not(None))).one() == 0
