"""Monitoring endpoints: staff only, exact figures on a small world, filters, CSV, 422s."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from models.cluster import Cluster, ClusterRun
from tests.factories import Actor, add_need, company_with_sites, provider_with_offer, staff

ENDPOINTS = ("/stats/overview", "/stats/regions", "/stats/activities",
             "/stats/timeseries?metric=needs_posted")


@dataclass
class World:
    staff: Actor
    company: Actor
    provider: Actor
    capability: dict
    served: dict  # returns.apparel in Roeselare, near the provider: a good candidate
    no_provider: dict  # green.maintenance, night shifts, not complementary: no candidate
    too_far: dict  # returns.apparel in Gent with max 10 km: every candidate excluded
    draft: dict


@pytest.fixture
def world(client, db) -> World:  # noqa: ANN001
    # Kortrijk, some 20 km from Roeselare
    provider, _, capability = provider_with_offer(client, "8500", low=3, medium=3, high=2,
                                                  supervisors=2)
    company, (roeselare, gent) = company_with_sites(client, "8800", "9000")
    served = add_need(company, roeselare, fte=2.0)
    no_provider = add_need(company, roeselare, activity="green.maintenance",
                           placement_mode="on_site", competences=["gardening"], fte=3.0,
                           shifts=["day", "night"], complementary=False)
    too_far = add_need(company, gent, fte=1.5, max_distance_km=10)
    draft = add_need(company, roeselare, publish=False, fte=5.0)
    return World(staff(client, db), company, provider, capability, served, no_provider, too_far,
                 draft)


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# ---- access --------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ENDPOINTS)
def test_stats_need_authentication(client, url: str) -> None:  # noqa: ANN001
    assert client.get(url).status_code == 401


@pytest.mark.parametrize("url", ENDPOINTS)
def test_stats_are_refused_to_companies_and_providers(world: World, url: str) -> None:
    assert world.company.get(url).status_code == 403
    assert world.provider.get(url).status_code == 403


@pytest.mark.parametrize("url", ENDPOINTS)
def test_stats_are_served_to_staff(world: World, url: str) -> None:
    assert world.staff.get(url).status_code == 200


# ---- figures -------------------------------------------------------------------------------

def test_overview_figures_are_exact(world: World) -> None:
    assert world.staff.get(f"/needs/{world.served['id']}/matches").json()["items"][0][
        "score"] >= 0.5
    body = world.staff.get("/stats/overview").json()

    assert body["open_needs"] == 3
    assert body["open_fte"] == 6.5
    assert body["matched_needs"] == 0
    assert body["contracted_fte"] == 0.0
    assert body["free_fte"] == {"low": 3.0, "medium": 3.0, "high": 2.0, "total": 8.0,
                                "supervisors": 2.0, "sites": 1}
    assert body["unmet"] == {"needs": 2, "fte": 4.5, "no_candidate_needs": 2,
                             "below_threshold_needs": 0, "threshold": 0.5,
                             "share_of_open_fte": round(4.5 / 6.5, 4)}
    assert body["complementary_share"] == round(3.5 / 6.5, 4)
    assert body["night_work_needs"] == 1
    assert body["leads"]["total"] == 0
    assert body["leads"]["median_hours_to_first_accept"] is None
    assert body["clusters"] == dict.fromkeys(
        ("proposed", "endorsed", "forming", "active", "dissolved"), 0)


def test_a_need_whose_best_score_is_below_the_threshold_is_unmet(world: World, app) -> None:  # noqa: ANN001
    best = world.staff.get(f"/needs/{world.served['id']}/matches").json()["items"][0]["score"]
    assert 0.5 <= best < 1.0
    app.state.settings = app.state.settings.model_copy(update={"unmet_threshold": 1.0})
    unmet = world.staff.get("/stats/overview").json()["unmet"]
    assert unmet["needs"] == 3
    assert unmet["fte"] == 6.5
    assert unmet["below_threshold_needs"] == 1
    assert unmet["no_candidate_needs"] == 2
    assert unmet["threshold"] == 1.0


def test_unmet_demand_follows_writes(world: World) -> None:
    r = world.company.post(f"/needs/{world.no_provider['id']}/status", json={"status": "closed"})
    assert r.status_code == 200, r.text
    unmet = world.staff.get("/stats/overview").json()["unmet"]
    assert unmet["needs"] == 1
    assert unmet["fte"] == 1.5


def test_lead_funnel_contracts_and_time_to_first_accept(world: World) -> None:
    lead = world.company.post(f"/needs/{world.served['id']}/leads",
                              json={"capability_id": world.capability["id"]}).json()
    assert world.provider.post(f"/leads/{lead['id']}/accept").status_code == 200
    r = world.company.post(f"/leads/{lead['id']}/contract", json={"fte": 1.0})
    assert r.status_code == 200, r.text

    body = world.staff.get("/stats/overview").json()
    assert body["leads"]["contracted"] == 1
    assert body["leads"]["total"] == 1
    assert body["leads"]["sent"] == 0
    assert body["leads"]["contracted_fte"] == 1.0
    assert 0 <= body["leads"]["median_hours_to_first_accept"] < 0.1
    assert body["contracted_fte"] == 1.0
    month = datetime.now(UTC).strftime("%Y-%m")
    series = world.staff.get("/stats/timeseries?metric=fte_contracted").json()
    assert series["points"] == [{"period": month, "value": 1.0, "by_status": None}]
    sent = world.staff.get("/stats/timeseries?metric=leads_sent").json()
    assert sent["points"] == [{"period": month, "value": 1.0, "by_status": None}]


def test_clusters_by_status_and_per_month(world: World, db) -> None:  # noqa: ANN001
    run = ClusterRun(status="succeeded")
    db.add(run)
    db.flush()
    for status in ("proposed", "active"):
        db.add(Cluster(run_id=run.id, key=uuid.uuid4().hex, kind="kledij",
                       name="Kledijcluster Roeselare", municipality="Roeselare",
                       province="west-vlaanderen", centroid_lat=50.95, centroid_lon=3.12,
                       radius_km=5, demand_fte=3.5, covered_fte=2.0, potential="high",
                       status=status))
    db.commit()

    clusters = world.staff.get("/stats/overview").json()["clusters"]
    assert clusters == {"proposed": 1, "endorsed": 0, "forming": 0, "active": 1, "dissolved": 0}
    assert world.staff.get("/stats/overview?province=limburg").json()["clusters"]["active"] == 0
    points = world.staff.get("/stats/timeseries?metric=clusters_formed").json()["points"]
    assert points == [{"period": datetime.now(UTC).strftime("%Y-%m"), "value": 2.0,
                       "by_status": {"proposed": 1, "endorsed": 0, "forming": 0, "active": 1,
                                     "dissolved": 0}}]


def test_regions_by_province(world: World) -> None:
    body = world.staff.get("/stats/regions?level=province").json()
    assert body["level"] == "province"
    assert [r["code"] for r in body["items"]] == ["oost-vlaanderen", "west-vlaanderen"]
    east, west = body["items"]
    assert (east["open_needs"], east["open_fte"], east["unmet_needs"], east["unmet_fte"]) == (
        1, 1.5, 1, 1.5)
    assert east["free_fte_low"] == 0.0
    assert (west["open_needs"], west["open_fte"], west["unmet_needs"], west["unmet_fte"]) == (
        2, 5.0, 1, 3.0)
    assert (west["free_fte_low"], west["free_fte_medium"], west["free_fte_high"],
            west["supervisors"]) == (3.0, 3.0, 2.0, 2.0)


def test_regions_by_municipality_carry_coordinates(world: World) -> None:
    items = world.staff.get("/stats/regions?level=municipality").json()["items"]
    roeselare = world.company.sites[0]
    row = next(r for r in items if r["code"] == roeselare["municipality_nis"])
    assert row["name"] == "Roeselare"
    assert row["lat"] == pytest.approx(roeselare["lat"])
    assert row["open_needs"] == 2


def test_activities_list_every_activity_with_exact_figures(world: World) -> None:
    items = world.staff.get("/stats/activities").json()["items"]
    assert len(items) == 20
    apparel = next(r for r in items if r["code"] == "returns.apparel")
    assert apparel == {**apparel, "open_needs": 2, "open_fte": 3.5, "unmet_needs": 1,
                       "unmet_fte": 1.5, "capabilities": 1, "providers": 1,
                       "family": "kledij", "contracted_fte": 0.0}
    green = next(r for r in items if r["code"] == "green.maintenance")
    assert (green["open_needs"], green["unmet_needs"], green["capabilities"]) == (1, 1, 0)


# ---- filters -------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "open_needs", "open_fte", "unmet_needs"), [
    ("province=oost-vlaanderen", 1, 1.5, 1),
    ("province=West-Vlaanderen", 2, 5.0, 1),
    ("arrondissement=36000", 2, 5.0, 1),
    ("activity=returns.apparel", 2, 3.5, 1),
    ("activity=returns.apparel&province=west-vlaanderen", 1, 2.0, 0),
    (f"period_from={date.today() + timedelta(days=2)}", 0, 0.0, 0),
    (f"period_to={date.today() - timedelta(days=2)}", 0, 0.0, 0),
    (f"period_from={date.today() - timedelta(days=2)}&period_to={date.today() + timedelta(days=2)}",
     3, 6.5, 2),
])
def test_overview_filters(world: World, query: str, open_needs: int, open_fte: float,
                          unmet_needs: int) -> None:
    body = world.staff.get(f"/stats/overview?{query}").json()
    assert (body["open_needs"], body["open_fte"], body["unmet"]["needs"]) == (
        open_needs, open_fte, unmet_needs)


def test_workforce_filtered_by_activity_counts_sites_offering_it(world: World) -> None:
    assert world.staff.get("/stats/overview?activity=returns.apparel").json()[
        "free_fte"]["total"] == 8.0
    assert world.staff.get("/stats/overview?activity=green.maintenance").json()[
        "free_fte"]["total"] == 0.0


def test_timeseries_fills_months_of_the_period(world: World) -> None:
    today = date.today()
    start = (today.replace(day=1) - timedelta(days=40)).replace(day=1)
    body = world.staff.get(f"/stats/timeseries?metric=needs_posted&period_from={start}").json()
    periods = [p["period"] for p in body["points"]]
    assert len(periods) == 3
    assert periods[-1] == today.strftime("%Y-%m")
    assert [p["value"] for p in body["points"]] == [0.0, 0.0, 3.0]  # the draft is not posted


# ---- CSV -----------------------------------------------------------------------------------

def test_overview_csv_has_a_header_and_one_row(world: World) -> None:
    r = world.staff.get("/stats/overview?format=csv")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="koppel-overview.csv"'
    header, row = _rows(r.text)
    assert header[:4] == ["open_needs", "open_fte", "matched_needs", "contracted_fte"]
    assert header[-5:] == ["filter.province", "filter.arrondissement", "filter.activity",
                           "filter.period_from", "filter.period_to"]
    values = dict(zip(header, row, strict=True))
    assert values["open_needs"] == "3"
    assert values["unmet.fte"] == "4.5"
    assert values["leads.median_hours_to_first_accept"] == ""


def test_csv_columns_do_not_depend_on_the_data(world: World) -> None:
    full = _rows(world.staff.get("/stats/regions?level=municipality&format=csv").text)
    empty = _rows(world.staff.get(
        "/stats/regions?level=municipality&province=limburg&format=csv").text)
    assert full[0] == empty[0]
    assert len(empty) == 1
    assert len(full) == 4  # header + Kortrijk (workforce), Roeselare and Gent (needs)
    assert full[0][:4] == ["level", "unmet_threshold", "code", "name"]


def test_activities_and_timeseries_csv(world: World) -> None:
    activities = _rows(world.staff.get("/stats/activities?format=csv").text)
    assert len(activities) == 21
    assert activities[0][:3] == ["unmet_threshold", "code", "label"]
    series = _rows(world.staff.get("/stats/timeseries?metric=clusters_formed&format=csv").text)
    assert series[0][:9] == ["metric", "interval", "period", "value", "by_status.proposed",
                             "by_status.endorsed", "by_status.forming", "by_status.active",
                             "by_status.dissolved"]
    needs = _rows(world.staff.get("/stats/timeseries?metric=needs_posted&format=csv").text)
    assert needs[0][:4] == ["metric", "interval", "period", "value"]
    assert needs[1][:4] == ["needs_posted", "month", date.today().strftime("%Y-%m"), "3.0"]


# ---- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "field"), [
    ("/stats/regions?level=county", "level"),
    ("/stats/timeseries?metric=happiness", "metric"),
    ("/stats/timeseries", "metric"),
    ("/stats/timeseries?metric=needs_posted&interval=week", "interval"),
    ("/stats/overview?province=atlantis", "province"),
    ("/stats/overview?arrondissement=99999", "arrondissement"),
    ("/stats/overview?arrondissement=36", "arrondissement"),
    ("/stats/activities?activity=juggling", "activity"),
    ("/stats/overview?period_from=2026-13-01", "period_from"),
    ("/stats/overview?period_from=2026-05-01&period_to=2026-04-01", "period_to"),
    ("/stats/overview?format=xml", "format"),
])
def test_bad_query_is_a_422_naming_the_field(world: World, url: str, field: str) -> None:
    r = world.staff.get(url)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert [e["loc"] for e in r.json()["errors"]] == [["query", field]]
