"""Cluster runs and the cluster lifecycle through the API (DESIGN §7), on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.config import Settings
from api.db import make_engine
from api.main import create_app
from api.migrate import upgrade
from api.security import configure_password_hashing
from api.services import clusters as service
from api.services.auth import create_staff
from models.audit import AuditEvent
from models.base import utcnow
from models.cluster import Cluster, ClusterRun, ClusterRunCreate
from models.organisation import User
from models.taxonomy import activity
from tests.conftest import new_database_url
from tests.factories import (
    FAST_PASSWORD_HASHING,
    PASSWORD,
    SMALL_POOLS,
    Actor,
    add_capability,
    add_need,
    add_site,
    login,
    provider_with_offer,
    register,
    set_workforce,
    staff,
)

APPAREL_FREE = {"low": 1.0, "medium": 2.0, "high": 1.0}


@dataclass
class World:
    staff: Actor
    amab: Actor  # apparel provider, Roeselare: two capabilities on one site
    mivas: Actor  # display provider, Izegem
    webshop: Actor  # apparel need, Roeselare
    retailer: Actor  # apparel need, Izegem
    fmcg: Actor  # display need, Izegem
    hospital: Actor  # care need, Antwerpen (no provider)
    needs: dict[str, dict]


def build_world(client: TestClient, db) -> World:  # noqa: ANN001
    amab = register(client, "provider", "AMAB")
    site = add_site(amab, "8800", name="Atelier Roeselare")
    set_workforce(amab, site, low=APPAREL_FREE["low"], medium=APPAREL_FREE["medium"],
                  high=APPAREL_FREE["high"], supervisors=1)
    add_capability(amab, site, "returns.apparel")
    add_capability(amab, site, "returns.general", competences=["sorting", "packing"],
                   description="Retours sorteren en herverpakken")
    mivas = register(client, "provider", "Mivas")
    site = add_site(mivas, "8870", name="Atelier Izegem")
    set_workforce(mivas, site, low=2, medium=2, high=2, supervisors=1)
    add_capability(mivas, site, "displays.build", competences=["woodworking", "assembly"],
                   description="Displays bouwen in hout en karton")

    webshop = register(client, "company", "Een kledijwebshop")
    retailer = register(client, "company", "Een sportwinkel")
    fmcg = register(client, "company", "Een FMCG-producent")
    hospital = register(client, "company", "Een ziekenhuis")
    needs = {
        # 3 + 2.5 FTE of apparel work against 3 usable FTE (low + medium) at AMAB
        "apparel_roeselare": add_need(webshop, add_site(webshop, "8800"), fte=3.0),
        "apparel_izegem": add_need(retailer, add_site(retailer, "8870"), fte=2.5),
        "display_izegem": add_need(
            fmcg, add_site(fmcg, "8870"), title="Displays bouwen", activity="displays.build",
            competences=["woodworking", "assembly"], description="Houten displays", fte=2.0),
        "care_antwerpen": add_need(
            hospital, add_site(hospital, "2000"), title="Wasserij in het ziekenhuis",
            activity="care.support", competences=["laundry"], placement_mode="enclave",
            description="Enclave in de wasserij", fte=4.0),
    }
    return World(staff(client, db), amab, mivas, webshop, retailer, fmcg, hospital, needs)


@pytest.fixture
def world(client, db) -> World:  # noqa: ANN001
    return build_world(client, db)


def run_clusters(actor: Actor, body: dict | None = None) -> dict:
    r = actor.post("/cluster-runs", json=body or {})
    assert r.status_code == 202, r.text
    r = actor.get(r.headers["Location"])
    assert r.status_code == 200, r.text
    return r.json()


def clusters_of(actor: Actor, run: dict) -> list[dict]:
    details = []
    for cluster_id in run["cluster_ids"]:
        r = actor.get(f"/clusters/{cluster_id}")
        assert r.status_code == 200, r.text
        details.append(r.json())
    return details


# ---- runs -----------------------------------------------------------------------------------

def test_run_is_accepted_queued_and_succeeds_after_the_response(world):
    r = world.staff.post("/cluster-runs", json={})
    assert r.status_code == 202, r.text
    queued = r.json()
    assert (queued["status"], queued["progress"], queued["cluster_ids"]) == ("queued", 0.0, [])
    assert r.headers["Location"] == f"/cluster-runs/{queued['id']}"

    run = world.staff.get(r.headers["Location"]).json()
    assert run["status"] == "succeeded"
    assert run["progress"] == 1.0
    assert run["error"] is None
    assert run["started_at"] is not None
    assert run["finished_at"] is not None
    assert run["cluster_count"] == len(run["cluster_ids"]) == 3
    assert run["params"] == {"families": None, "province": None}


def test_run_proposes_one_granular_named_cluster_per_family_and_area(world):
    run = run_clusters(world.staff)
    clusters = {c["name"]: c for c in clusters_of(world.staff, run)}
    assert sorted(clusters) == ["Displaycluster Izegem", "Kledijcluster Roeselare",
                                "Zorgcluster Antwerpen"]
    apparel = clusters["Kledijcluster Roeselare"]
    assert apparel["kind"] == "kledij"
    assert apparel["province"] == "west-vlaanderen"
    assert {n["need_id"] for n in apparel["needs"]} == {
        world.needs["apparel_roeselare"]["id"], world.needs["apparel_izegem"]["id"]}
    assert apparel["demand_fte"] == 5.5
    # AMAB's low + medium workers (the needs accommodate up to medium) cover 3 of 5.5 FTE
    assert apparel["covered_fte"] == pytest.approx(3.0)
    assert [p["provider_name"] for p in apparel["providers"]] == ["AMAB"]
    assert set(apparel["potential_criteria"]) == {"market_demand", "investment",
                                                  "competence_fit", "binding"}
    care = clusters["Zorgcluster Antwerpen"]
    assert (care["covered_fte"], care["mean_score"], care["providers"]) == (0.0, None, [])
    assert care["unassigned"] == {world.needs["care_antwerpen"]["id"]: 4.0}


def test_each_cluster_is_of_one_kind(world):
    run = run_clusters(world.staff)
    for cluster in clusters_of(world.staff, run):
        assert {activity(n["activity"]).family for n in cluster["needs"]} == {cluster["kind"]}


def test_persisted_assignments_never_exceed_free_capacity_or_demand(world):
    run = run_clusters(world.staff)
    used: dict[tuple[str, str], float] = defaultdict(float)
    covered: dict[str, float] = defaultdict(float)
    demand = {}
    for cluster in clusters_of(world.staff, run):
        for a in cluster["assignments"]:
            used[a["site_id"], a["level"]] += a["fte"]
            covered[a["need_id"]] += a["fte"]
        demand.update({n["need_id"]: n["demand_fte"] for n in cluster["needs"]})
    amab_site = world.amab.sites[0]["id"]
    for level, free in APPAREL_FREE.items():
        assert used.get((amab_site, level), 0.0) <= free + 1e-9
    # the needs accept at most medium support: AMAB's high-support worker is never sent
    assert (amab_site, "high") not in used
    assert all(covered[n] <= demand[n] + 1e-9 for n in covered)


def test_same_input_gives_the_same_clusters(world):
    def fingerprint(run: dict) -> list:
        return [(c["key"], c["name"], c["kind"], c["demand_fte"], c["covered_fte"],
                 c["mean_score"], c["potential"], sorted(n["need_id"] for n in c["needs"]),
                 [(a["need_id"], a["site_id"], a["level"], a["fte"]) for a in c["assignments"]])
                for c in clusters_of(world.staff, run)]

    first, second = run_clusters(world.staff), run_clusters(world.staff)
    assert first["id"] != second["id"]
    assert fingerprint(first) == fingerprint(second)


def test_families_and_province_narrow_the_run(world):
    body = {"families": ["zorg", "display"], "province": "West-Vlaanderen"}
    run = run_clusters(world.staff, body)
    assert run["params"] == {"families": ["display", "zorg"], "province": "west-vlaanderen"}
    assert [c["name"] for c in clusters_of(world.staff, run)] == ["Displaycluster Izegem"]


@pytest.mark.parametrize(("body", "field"), [
    ({"families": ["bouw"]}, "families"),
    ({"families": []}, "families"),
    ({"province": "atlantis"}, "province"),
    ({"region": "vlaanderen"}, "region"),
])
def test_bad_run_parameters_are_422_naming_the_field(client, db, body, field):
    r = staff(client, db).post("/cluster-runs", json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert [e["loc"] for e in r.json()["errors"]] == [["body", field]]


@pytest.mark.parametrize("query", ["kind=bouw", "province=atlantis", "status=dreaming"])
def test_bad_cluster_filters_are_422_naming_the_parameter(client, db, query):
    r = staff(client, db).get(f"/clusters?{query}")
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"] == ["query", query.split("=")[0]]


def test_only_staff_start_and_read_runs(world):
    for actor in (world.webshop, world.amab):
        assert actor.post("/cluster-runs", json={}).status_code == 403
    run = run_clusters(world.staff)
    assert world.webshop.get(f"/cluster-runs/{run['id']}").status_code == 403
    assert world.staff.get("/cluster-runs").json()["total"] == 1


def test_starting_a_run_is_audited(world, db):
    run = run_clusters(world.staff, {"families": ["kledij"]})
    events = db.exec(select(AuditEvent).where(AuditEvent.entity == "cluster_run",
                                              AuditEvent.entity_id == run["id"])).all()
    assert [(e.action, e.actor_user_id is not None) for e in events] == [("start", True)]


def test_a_failing_run_is_marked_failed_with_its_error(world, monkeypatch):
    def explode(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("solver on fire")

    monkeypatch.setattr(service, "propose_clusters", explode)
    run = run_clusters(world.staff)
    assert run["status"] == "failed"
    assert run["error"] == "RuntimeError: solver on fire"
    assert run["progress"] == 0.5
    assert run["finished_at"] is not None
    assert run["cluster_ids"] == []


def test_run_pending_executes_each_queued_run_exactly_once(world, db, connection, settings):
    user = db.get(User, uuid.UUID(world.staff.user["id"]))
    first = service.start_run(db, user, ClusterRunCreate(families=["kledij"]))
    second = service.start_run(db, user, ClusterRunCreate())
    db.commit()

    assert service.run_pending(connection, settings) == 2
    assert service.run_pending(connection, settings) == 0
    assert service.execute_run(connection, first.id, settings) is False  # already done
    db.expire_all()
    assert [db.get(ClusterRun, r.id).status for r in (first, second)] == ["succeeded"] * 2
    assert [db.get(ClusterRun, r.id).cluster_count for r in (first, second)] == [1, 3]


def test_a_run_whose_worker_died_is_marked_failed(world, db, connection, settings):
    stale = ClusterRun(status="running", progress=0.5, started_at=utcnow() - timedelta(hours=2))
    stale.updated_at = utcnow() - timedelta(hours=1)
    db.add(stale)
    db.commit()
    service.run_pending(connection, settings)
    db.expire_all()
    row = db.get(ClusterRun, stale.id)
    assert row.status == "failed"
    assert row.error.startswith("abandoned")


# ---- visibility -----------------------------------------------------------------------------

def test_members_see_only_the_clusters_they_are_in(world, client):
    run = run_clusters(world.staff)
    by_name = {c["name"]: c["id"] for c in clusters_of(world.staff, run)}
    outsider = register(client, "company", "Geen lid")

    def names(actor: Actor) -> list[str]:
        page = actor.get("/clusters").json()
        assert page["total"] == len(page["items"])
        return sorted(c["name"] for c in page["items"])

    assert names(world.staff) == sorted(by_name)
    assert names(world.webshop) == names(world.retailer) == ["Kledijcluster Roeselare"]
    assert names(world.amab) == ["Kledijcluster Roeselare"]
    assert names(world.mivas) == names(world.fmcg) == ["Displaycluster Izegem"]
    assert names(outsider) == []
    assert world.webshop.get(f"/clusters/{by_name['Kledijcluster Roeselare']}").status_code == 200
    assert world.webshop.get(f"/clusters/{by_name['Displaycluster Izegem']}").status_code == 404
    assert outsider.get(f"/clusters/{by_name['Zorgcluster Antwerpen']}").status_code == 404


def test_cluster_list_filters_and_pages(world):
    run = run_clusters(world.staff)
    run_clusters(world.staff)

    def total(query: str) -> int:
        r = world.staff.get(f"/clusters?{query}")
        assert r.status_code == 200, r.text
        return r.json()["total"]

    # the second run superseded the first run's proposals: listed only with history=true
    assert total(f"run_id={run['id']}") == 0
    assert total(f"run_id={run['id']}&history=true") == 3
    assert total("kind=kledij") == 1
    assert total("kind=kledij&history=true") == 2
    assert total(f"kind=zorg&province=antwerpen&run_id={run['id']}&history=true") == 1
    assert total("province=limburg") == 0
    assert total("status=proposed") == 3
    assert total("status=proposed&history=true") == 6
    page = world.staff.get(f"/clusters?run_id={run['id']}&limit=2&offset=2&history=true").json()
    assert (len(page["items"]), page["total"], page["limit"], page["offset"]) == (1, 3, 2, 2)
    item = page["items"][0]
    assert item["need_count"] == 1
    assert "assignments" not in item


def test_a_run_supersedes_only_proposed_clusters_in_its_scope(world):
    first = run_clusters(world.staff)
    by_name = {c["name"]: c["id"] for c in clusters_of(world.staff, first)}
    endorsed = by_name["Kledijcluster Roeselare"]
    r = world.staff.post(f"/clusters/{endorsed}/status", json={"status": "endorsed"})
    assert r.status_code == 200, r.text
    # a run for displays in West-Flanders replaces the display proposal only
    narrow = run_clusters(world.staff, {"families": ["display"], "province": "west-vlaanderen"})

    def current() -> dict[str, str]:
        page = world.staff.get("/clusters?limit=200").json()
        assert page["total"] == len(page["items"])
        return {c["id"]: c["name"] for c in page["items"]}

    [display] = narrow["cluster_ids"]
    assert current() == {endorsed: "Kledijcluster Roeselare", display: "Displaycluster Izegem",
                         by_name["Zorgcluster Antwerpen"]: "Zorgcluster Antwerpen"}
    # a full run replaces every remaining proposal; the endorsed cluster stays
    full = run_clusters(world.staff)
    names = sorted(current().values())
    assert names == ["Displaycluster Izegem", "Kledijcluster Roeselare",
                     "Kledijcluster Roeselare", "Zorgcluster Antwerpen"]
    assert set(current()) == {endorsed, *full["cluster_ids"]}
    history = world.staff.get("/clusters?history=true&limit=200").json()
    assert history["total"] == 3 + 1 + 3
    # a superseded cluster is still readable for history
    assert world.staff.get(f"/clusters/{by_name['Displaycluster Izegem']}").status_code == 200


def test_a_superseded_proposal_can_only_be_dissolved_and_is_not_counted(world):
    first = run_clusters(world.staff)
    by_name = {c["name"]: c["id"] for c in clusters_of(world.staff, first)}
    old = by_name["Kledijcluster Roeselare"]
    proposed = world.staff.get("/stats/overview").json()["clusters"]["proposed"]
    assert proposed == 3
    run_clusters(world.staff)  # replaces all three proposals
    assert world.staff.get("/stats/overview").json()["clusters"]["proposed"] == 3
    r = world.staff.post(f"/clusters/{old}/status", json={"status": "endorsed"})
    assert r.status_code == 409, r.text
    assert "later run" in r.json()["detail"]
    assert world.staff.get(f"/clusters/{old}").json()["status"] == "proposed"
    r = world.staff.post(f"/clusters/{old}/status", json={"status": "dissolved"})
    assert r.status_code == 200, r.text


# ---- lifecycle ------------------------------------------------------------------------------

@dataclass
class SmallWorld:
    staff: Actor
    amab: Actor
    webshop: Actor
    cluster_id: str


@pytest.fixture
def small(client, db) -> SmallWorld:  # noqa: ANN001
    """One provider, one company, one need: one apparel cluster, freshly proposed."""
    amab, _, _ = provider_with_offer(client, "8800", name="AMAB")
    webshop = register(client, "company", "Een kledijwebshop")
    add_need(webshop, add_site(webshop, "8870"))
    staff_actor = staff(client, db)
    [cluster_id] = run_clusters(staff_actor)["cluster_ids"]
    return SmallWorld(staff_actor, amab, webshop, cluster_id)


def move(small: SmallWorld, *statuses: str) -> None:
    for status in statuses:
        r = small.staff.post(f"/clusters/{small.cluster_id}/status", json={"status": status})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == status


def test_staff_move_a_cluster_through_its_lifecycle(small, db):
    move(small, "endorsed", "forming", "active", "dissolved")
    page = small.staff.get("/clusters?status=dissolved&kind=kledij").json()
    assert [c["id"] for c in page["items"]] == [small.cluster_id]
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.entity == "cluster",
                                                      AuditEvent.entity_id == small.cluster_id)
                      ).all()
    assert sorted(actions) == ["active", "dissolved", "endorsed", "forming"]


@pytest.mark.parametrize("path", [[], ["endorsed"], ["endorsed", "forming"]])
def test_any_living_cluster_may_be_dissolved(small, path):
    move(small, *path, "dissolved")


@pytest.mark.parametrize(("path", "target", "current"), [
    ([], "active", "proposed"),
    ([], "proposed", "proposed"),
    (["endorsed", "forming"], "endorsed", "forming"),
    (["dissolved"], "endorsed", "dissolved"),
    (["dissolved"], "dissolved", "dissolved"),
])
def test_illegal_transition_is_409_naming_the_current_status(small, path, target, current):
    move(small, *path)
    r = small.staff.post(f"/clusters/{small.cluster_id}/status", json={"status": target})
    assert r.status_code == 409, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["current_status"] == current


def test_only_staff_change_status_and_non_members_get_404(small, client):
    url = f"/clusters/{small.cluster_id}/status"
    assert small.webshop.post(url, json={"status": "endorsed"}).status_code == 403
    assert small.amab.post(url, json={"status": "endorsed"}).status_code == 403
    outsider = register(client, "provider", "Geen lid")
    assert outsider.post(url, json={"status": "endorsed"}).status_code == 404
    assert small.staff.get(f"/clusters/{small.cluster_id}").json()["status"] == "proposed"


# ---- jobs against a real engine -------------------------------------------------------------

@contextmanager
def committed_world(backend: str, tmp_path_factory, request):  # noqa: ANN001
    """A fresh database outside the test transaction: a staff login, one need, one provider."""
    url = new_database_url(backend, tmp_path_factory, request)
    upgrade(url)
    engine = make_engine(url, **SMALL_POOLS)
    settings = Settings(environment="test", database_url=url, secret_key="test-secret-" + "x" * 32,
                        **FAST_PASSWORD_HASHING)
    configure_password_hashing(settings)  # the staff account too
    try:
        with Session(engine) as session:
            create_staff(session, "jobs@example.be", PASSWORD)
            session.commit()
        with TestClient(create_app(settings=settings, engine=engine)) as client:
            provider_with_offer(client, "8800", name="AMAB")
            company = register(client, "company")
            add_need(company, add_site(company, "8870"))
            token = login(client, "jobs@example.be")
            yield engine, settings, client, {"Authorization": f"Bearer {token}"}
    finally:
        engine.dispose()


def test_background_run_finds_its_committed_row(backend, tmp_path_factory, request):
    """The request commits before the response is sent and background tasks run after it."""
    with committed_world(backend, tmp_path_factory, request) as (_engine, _s, client, headers):
        r = client.post("/cluster-runs", json={}, headers=headers)
        assert r.status_code == 202, r.text
        run = client.get(r.headers["Location"], headers=headers).json()
    assert (run["status"], run["cluster_count"], run["error"]) == ("succeeded", 1, None)


def test_concurrent_workers_execute_each_queued_run_once(backend, tmp_path_factory, request):
    with committed_world(backend, tmp_path_factory, request) as (engine, settings, _c, _h):
        with Session(engine, expire_on_commit=False) as session:
            user = session.exec(select(User).where(User.email == "jobs@example.be")).one()
            runs = [service.start_run(session, user, ClusterRunCreate()) for _ in range(4)]
            session.commit()
        with ThreadPoolExecutor(max_workers=3) as pool:
            executed = list(pool.map(lambda _: service.run_pending(engine, settings), range(3)))
        with Session(engine) as session:
            rows = [session.get(ClusterRun, r.id) for r in runs]
            clusters = session.exec(select(Cluster.run_id)).all()
    assert sum(executed) == 4
    assert [(r.status, r.cluster_count, r.error) for r in rows] == [("succeeded", 1, None)] * 4
    assert sorted(clusters) == sorted(r.id for r in runs)  # one cluster stored per run
