"""The staff pages' cluster views and forms (DESIGN §7, §15), on SQLite and PostgreSQL.

The cluster table, the cluster page with its status actions and the "start a cluster run" form
go through the same service as ``/clusters`` and ``/cluster-runs``; every POST needs the
page's CSRF token.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.routes.clusters import job_bind
from tests.api.test_clusters_api import World, build_world, clusters_of, run_clusters
from tests.factories import Actor, register, staff

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ROW = re.compile(r'<tr data-cluster="([^"]+)">')


@pytest.fixture(autouse=True)
def _jobs_on_the_test_connection(app, connection):  # noqa: ANN001
    app.dependency_overrides[job_bind] = lambda: connection


@pytest.fixture
def world(client: TestClient, db) -> World:  # noqa: ANN001
    return build_world(client, db)


def page(actor: Actor, url: str, expect: int = 200) -> str:
    actor.client.cookies.clear()
    r = actor.client.get(url, headers=actor.headers, follow_redirects=False)
    assert r.status_code == expect, r.text[:2000]
    return r.text


def form(actor: Actor, url: str, data: dict, *, csrf_from: str | None = None):  # noqa: ANN201
    if csrf_from is not None:
        data = {"csrf_token": CSRF.search(page(actor, csrf_from)).group(1), **data}
    return actor.client.post(url, data=data, headers=actor.headers, follow_redirects=False)


def status_of(actor: Actor, cluster_id: str) -> str:
    return actor.get(f"/clusters/{cluster_id}").json()["status"]


# ---- the table --------------------------------------------------------------------------

def test_table_shows_current_clusters_once_with_their_run(world: World) -> None:
    run_clusters(world.staff)
    run_clusters(world.staff)
    latest = run_clusters(world.staff)
    html = page(world.staff, "/dashboard?lang=nl")
    rows = ROW.findall(html)
    assert sorted(rows) == sorted(latest["cluster_ids"])  # three runs, each cluster once
    assert html.count(f'data-run="{latest["id"]}"') == 3
    assert "3 van 3 getoond" in html
    assert latest["created_at"][:10] in html  # the run date column
    for cluster_id in rows:
        assert f'href="/dashboard/clusters/{cluster_id}"' in html


def test_endorsed_clusters_stay_when_a_later_run_supersedes_the_proposals(world: World) -> None:
    first = run_clusters(world.staff)
    by_name = {c["name"]: c["id"] for c in clusters_of(world.staff, first)}
    endorsed = by_name["Displaycluster Izegem"]
    assert world.staff.post(f"/clusters/{endorsed}/status",
                            json={"status": "endorsed"}).status_code == 200
    second = run_clusters(world.staff)
    rows = ROW.findall(page(world.staff, "/dashboard"))
    assert sorted(rows) == sorted([endorsed, *second["cluster_ids"]])
    # the API lists the same current clusters
    api = world.staff.get("/clusters?limit=100").json()
    assert sorted(c["id"] for c in api["items"]) == sorted(rows)
    # a replaced proposal's page offers only dissolving it
    old = by_name["Kledijcluster Roeselare"]
    html = page(world.staff, f"/dashboard/clusters/{old}?lang=nl")
    assert re.findall(r'data-action="(\w+)"', html) == ["dissolved"]


# ---- the cluster page ---------------------------------------------------------------------

def test_cluster_page_shows_members_activities_coverage_and_actions(world: World) -> None:
    run = run_clusters(world.staff)
    cluster = next(c for c in clusters_of(world.staff, run)
                   if c["name"] == "Kledijcluster Roeselare")
    html = page(world.staff, f"/dashboard/clusters/{cluster['id']}?lang=nl")
    assert "Kledijcluster Roeselare" in html
    assert html.count("<tr data-need>") == cluster["need_count"] == 2
    assert html.count("<tr data-provider>") == cluster["provider_count"]
    assert "Een kledijwebshop" in html
    assert "Een sportwinkel" in html
    assert "AMAB" in html
    assert 'data-activity="returns.apparel"' in html
    share = round(100 * cluster["covered_fte"] / cluster["demand_fte"])
    assert f'data-coverage="{share}"' in html
    assert re.findall(r'data-action="(\w+)"', html) == ["endorsed", "dissolved"]
    assert html.count('name="csrf_token"') == 2
    english = page(world.staff, f"/dashboard/clusters/{cluster['id']}?lang=en")
    assert '<html lang="en">' in english
    assert "Member needs" in english


def test_status_actions_move_the_cluster_through_the_service(world: World, db) -> None:  # noqa: ANN001
    [cluster_id, *_] = run_clusters(world.staff)["cluster_ids"]
    url = f"/dashboard/clusters/{cluster_id}"
    for target in ("endorsed", "forming", "active", "dissolved"):
        r = form(world.staff, f"{url}/status", {"status": target}, csrf_from=url)
        assert r.status_code == 303, r.text
        assert r.headers["location"] == f"{url}?changed={target}"
        assert status_of(world.staff, cluster_id) == target
    html = page(world.staff, f"{url}?changed=dissolved&lang=nl")
    assert "De status is nu: ontbonden." in html
    assert "data-action=" not in html  # dissolved is final
    events = world.staff.get("/audit?entity=cluster&limit=100")
    assert events.status_code == 200, events.text
    mine = [e["action"] for e in events.json()["items"] if e["entity_id"] == cluster_id]
    assert sorted(mine) == ["active", "dissolved", "endorsed", "forming"]  # audited as the API


def test_a_transition_the_api_refuses_is_shown_as_a_message(world: World) -> None:
    [cluster_id, *_] = run_clusters(world.staff)["cluster_ids"]
    url = f"/dashboard/clusters/{cluster_id}"
    api = world.staff.post(f"/clusters/{cluster_id}/status", json={"status": "active"})
    assert api.status_code == 409
    r = form(world.staff, f"{url}/status", {"status": "active"}, csrf_from=url)
    assert r.status_code == 409
    assert api.json()["detail"] in r.text.replace("&#39;", "'").replace("&gt;", ">")
    assert 'role="alert"' in r.text
    r = form(world.staff, f"{url}/status", {"status": "superseded-ish"}, csrf_from=url)
    assert r.status_code == 422
    assert 'role="alert"' in r.text
    assert status_of(world.staff, cluster_id) == "proposed"


def test_a_post_without_the_csrf_token_changes_nothing(world: World, client: TestClient,
                                                       db) -> None:  # noqa: ANN001
    [cluster_id, *_] = run_clusters(world.staff)["cluster_ids"]
    url = f"/dashboard/clusters/{cluster_id}/status"
    assert form(world.staff, url, {"status": "endorsed"}).status_code == 403
    assert form(world.staff, url, {"status": "endorsed",
                                   "csrf_token": "x" * 64}).status_code == 403
    assert form(world.staff, url, {"status": "endorsed",
                                   "csrf_token": "é" * 64}).status_code == 403
    # another staff member's form token does not fit this caller's session
    colleague = staff(client, db)
    theirs = CSRF.search(page(colleague, f"/dashboard/clusters/{cluster_id}")).group(1)
    mine = CSRF.search(page(world.staff, f"/dashboard/clusters/{cluster_id}")).group(1)
    assert theirs != mine
    assert form(world.staff, url, {"status": "endorsed", "csrf_token": theirs}
                ).status_code == 403
    assert status_of(world.staff, cluster_id) == "proposed"


def test_others_get_403_or_404_as_the_api_answers(world: World, client: TestClient) -> None:
    run = run_clusters(world.staff)
    by_name = {c["name"]: c["id"] for c in clusters_of(world.staff, run)}
    mine = by_name["Kledijcluster Roeselare"]
    outsider = register(client, "company", "Geen lid")
    for actor, cluster_id in ((world.webshop, mine), (world.amab, mine),
                              (world.webshop, by_name["Displaycluster Izegem"]),
                              (outsider, mine)):
        api_read = actor.get(f"/clusters/{cluster_id}").status_code
        api_write = actor.post(f"/clusters/{cluster_id}/status",
                               json={"status": "endorsed"}).status_code
        expected = 403 if api_read == 200 else 404
        assert api_write == expected
        page(actor, f"/dashboard/clusters/{cluster_id}", expect=expected)
        r = form(actor, f"/dashboard/clusters/{cluster_id}/status", {"status": "endorsed"})
        assert r.status_code == 403  # no CSRF token for a page they cannot open
    assert status_of(world.staff, mine) == "proposed"
    page(world.staff, "/dashboard/clusters/00000000-0000-4000-8000-000000000000", expect=404)
    client.cookies.clear()
    r = client.get(f"/dashboard/clusters/{mine}", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/dashboard/login")


# ---- starting a run -------------------------------------------------------------------------

def test_start_a_run_from_the_dashboard_and_see_its_clusters(world: World) -> None:
    before = world.staff.get("/cluster-runs").json()["total"]
    r = form(world.staff, "/dashboard/cluster-runs", {"family": "", "province": ""},
             csrf_from="/dashboard")
    assert r.status_code == 303, r.text
    runs = world.staff.get("/cluster-runs").json()
    assert runs["total"] == before + 1
    run = runs["items"][0]
    assert r.headers["location"] == f"/dashboard?run={run['id']}#clusters"
    assert run["status"] == "succeeded"
    html = page(world.staff, f"/dashboard?run={run['id']}&lang=nl")
    assert sorted(ROW.findall(html)) == sorted(run["cluster_ids"])
    assert "klaar" in html  # the run's status


def test_a_narrow_run_from_the_form_is_narrow(world: World) -> None:
    r = form(world.staff, "/dashboard/cluster-runs",
             {"family": "display", "province": "west-vlaanderen"}, csrf_from="/dashboard")
    assert r.status_code == 303, r.text
    run = world.staff.get("/cluster-runs").json()["items"][0]
    assert run["params"] == {"families": ["display"], "province": "west-vlaanderen"}
    assert [c["name"] for c in clusters_of(world.staff, run)] == ["Displaycluster Izegem"]


def test_bad_run_fields_are_messages_and_start_nothing(world: World) -> None:
    before = world.staff.get("/cluster-runs").json()["total"]
    r = form(world.staff, "/dashboard/cluster-runs", {"family": "bouw"},
             csrf_from="/dashboard")
    assert r.status_code == 422
    assert 'role="alert"' in r.text
    assert "bouw" in r.text
    assert form(world.staff, "/dashboard/cluster-runs", {}).status_code == 403  # no CSRF
    assert form(world.webshop, "/dashboard/cluster-runs", {}).status_code == 403
    assert world.staff.get("/cluster-runs").json()["total"] == before


# ---- language ---------------------------------------------------------------------------

def test_dutch_first_with_an_english_toggle(world: World) -> None:
    html = page(world.staff, "/dashboard")
    assert '<html lang="nl">' in html
    assert "Open vragen" in html
    assert 'href="/dashboard?lang=en"' in html
    r = world.staff.client.get("/dashboard?lang=en", headers=world.staff.headers)
    assert '<html lang="en">' in r.text
    assert "Open needs" in r.text
    assert "koppel_lang=en" in r.headers["set-cookie"]
    # the choice is kept for the next page
    kept = world.staff.client.get("/dashboard", headers=world.staff.headers)
    assert '<html lang="en">' in kept.text


def test_an_unknown_run_is_a_documented_404_page(world: World) -> None:
    html = page(world.staff, "/dashboard?run=3fa85f64-5717-4562-b3fc-2c963f66afa6", expect=404)
    assert "3fa85f64-5717-4562-b3fc-2c963f66afa6" in html
    documented = world.staff.client.app.openapi()["paths"]["/dashboard"]["get"]["responses"]
    assert "404" in documented
