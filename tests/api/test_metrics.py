"""GET /metrics: request series by route template (bounded), engine fits, outbox backlog,
cluster runs and pool figures; staff tokens or METRICS_ALLOW_IPS only."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.main import create_app
from tests.api.test_leads import make_world
from tests.factories import register, staff


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def _scrape(actor) -> dict:  # noqa: ANN001
    r = actor.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return _samples(r.text)


def test_metrics_need_a_staff_token(client, db) -> None:  # noqa: ANN001
    assert client.get("/metrics").status_code == 401
    assert register(client, "company").get("/metrics").status_code == 403
    samples = _scrape(staff(client, db))
    assert ("koppel_db_pool_checked_out", ()) in samples
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]


def test_metrics_from_an_allowed_address_need_no_token(settings, engine, app) -> None:  # noqa: ANN001
    allowed = create_app(settings=settings.model_copy(
        update={"metrics_allow_ips": "10.1.0.0/16, testclient"}), engine=engine)
    allowed.dependency_overrides = app.dependency_overrides
    with TestClient(allowed) as c:
        r = c.get("/metrics")
        assert r.status_code == 200
        assert "koppel_http_requests_total" in r.text


def test_route_labels_are_templates_and_unknown_paths_share_one(client, db) -> None:  # noqa: ANN001
    watcher = staff(client, db)
    company = register(client, "company")
    before = _scrape(watcher)
    for i in range(7):
        assert client.get(f"/nowhere/{i}-{'x' * i}").status_code == 404
    r = company.get("/needs/6f1c1a52-3c55-4cde-9d2a-1b8e0f0c9a11")
    assert r.status_code == 404
    text = watcher.get("/metrics").text
    after = _samples(text)
    key = ("koppel_http_requests_total",
           (("method", "GET"), ("route", "unmatched"), ("status", "404")))
    assert after[key] - before.get(key, 0) == 7
    assert "nowhere" not in text
    assert "6f1c1a52" not in text
    key = ("koppel_http_requests_total",
           (("method", "GET"), ("route", "/needs/{need_id}"), ("status", "404")))
    assert after[key] - before.get(key, 0) == 1
    hist = ("koppel_http_request_duration_seconds_count",
            (("method", "GET"), ("route", "/needs/{need_id}")))
    assert after[hist] >= 1
    routes = {dict(labels)["route"] for (name, labels) in after
              if name == "koppel_http_requests_total"}
    assert not [route for route in routes if "nowhere" in route or "6f1c1a52" in route]


def test_engine_fits_outbox_backlog_and_cluster_runs(client, db) -> None:  # noqa: ANN001
    watcher = staff(client, db)
    world = make_world(client)
    for actor in (world.company, world.provider):
        r = actor.put(f"/organisations/{actor.org_id}/webhook",
                      json={"url": "https://hooks.example.be/koppel"})
        assert r.status_code == 200, r.text
    before = _scrape(watcher)
    need = world.need(fte=1.0)
    assert world.company.get(f"/needs/{need['id']}/matches").status_code == 200
    r = world.company.post(f"/needs/{need['id']}/leads",
                           json={"capability_id": world.capability["id"]})
    assert r.status_code == 201
    assert world.provider.post(f"/leads/{r.json()['id']}/accept").status_code == 200
    r = watcher.post("/cluster-runs", json={})
    assert r.status_code in (201, 202), r.text
    after = _scrape(watcher)
    fits = sum(v for (name, _), v in after.items() if name == "koppel_engine_fits_total")
    fits_before = sum(v for (name, _), v in before.items() if name == "koppel_engine_fits_total")
    assert fits - fits_before >= 1
    # lead.sent to the provider, lead.accepted to the company: two pending events
    assert after[("koppel_outbox_backlog", (("channel", "webhook"),))] == 2
    assert after[("koppel_outbox_oldest_age_seconds", (("channel", "webhook"),))] >= 0
    runs = {status: after[("koppel_cluster_runs", (("status", status),))]
            for status in ("queued", "running")}
    assert sum(runs.values()) in (0, 1)  # the test app may already have executed it
    assert re.search(r"koppel_db_pool_size \d", watcher.get("/metrics").text)
