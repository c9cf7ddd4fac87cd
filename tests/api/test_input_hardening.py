"""Input the database cannot store, dates out of range and errors that never escape the app."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from tests.factories import add_site, register, staff


def _names(r) -> list[list]:  # noqa: ANN001
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    return [e["loc"] for e in r.json()["errors"]]


# ---- NUL and lone surrogates ----------------------------------------------------------------

def test_nul_in_the_login_form_names_the_field(client) -> None:  # noqa: ANN001
    r = client.post("/auth/token", content=b"username=a%00b&password=whatever-password",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert _names(r) == [["body", "username"]]


def test_nul_in_a_query_parameter_names_it(client, db) -> None:  # noqa: ANN001
    actor = staff(client, db)
    assert _names(actor.get("/audit?entity=Retour%00kledij")) == [["query", "entity"]]
    assert actor.get("/audit?entity=Retourkledij").status_code == 200


def test_nul_in_a_path_parameter_names_it(client) -> None:  # noqa: ANN001
    assert _names(client.get("/geo/postcodes/88%0000")) == [["path", "postcode"]]
    actor = register(client, "company")
    assert _names(actor.get("/needs/a%00b")) == [["path", "need_id"]]


def test_nul_and_lone_surrogates_in_json_bodies_name_each_field(client) -> None:  # noqa: ANN001
    body = (b'{"organisation": {"kind": "company", "name": "Acme\\u0000", '
            b'"enterprise_number": "0403.199.702"}, "user": {"email": "nul@example.be", '
            b'"password": "a-long-test-password", "full_name": "Lone \\ud800 surrogate"}}')
    r = client.post("/auth/register", content=body, headers={"Content-Type": "application/json"})
    assert _names(r) == [["body", "organisation", "name"], ["body", "user", "full_name"]]
    assert "organisation.name" in r.json()["detail"]


def test_nul_in_nested_writes_names_the_field(client) -> None:  # noqa: ANN001
    actor = register(client, "company")
    r = actor.post(f"/organisations/{actor.org_id}/sites",
                   json={"name": "Magazijn\x00", "postcode": "8800"})
    assert _names(r) == [["body", "name"]]
    site = add_site(actor)
    r = actor.post("/needs", json={"site_id": site["id"], "title": "x\x00",
                                   "activity": "returns.apparel", "placement_mode": "workshop",
                                   "fte": 1, "accommodates_support": "low",
                                   "competences": ["laundry", "pack\x00"]})
    assert _names(r) == [["body", "title"], ["body", "competences", 1]]


def test_escaped_text_without_nul_is_untouched(client) -> None:  # noqa: ANN001
    actor = register(client, "company")
    r = client.post(f"/organisations/{actor.org_id}/sites",
                    content=b'{"name": "Caf\\u00e9 \\ud83d\\ude00", "postcode": "8800"}',
                    headers={**actor.headers, "Content-Type": "application/json"})
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "Café \U0001f600"


@pytest.mark.parametrize("field", ["email", "password"])
def test_nul_in_the_dashboard_login_form_is_refused(client, field) -> None:  # noqa: ANN001
    data = {"email": "staff@example.be", "password": "whatever-password"}
    data[field] = "a\x00b"
    assert _names(client.post("/dashboard/login", data=data)) == [["body", field]]


# ---- dates ------------------------------------------------------------------------------------

@pytest.mark.parametrize("since", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
                                   "0.5", "0", "1e9", "1899-12-31T00:00:00Z"])
def test_audit_since_out_of_range_or_a_number_is_a_422(client, db, since) -> None:  # noqa: ANN001
    actor = staff(client, db)
    r = actor.get("/audit", params={"since": since})
    assert _names(r) == [["query", "since"]]
    assert r.headers["x-content-type-options"] == "nosniff"


def test_audit_since_in_range_with_an_offset_works(client, db) -> None:  # noqa: ANN001
    actor = staff(client, db)
    assert actor.get("/audit", params={"since": "2026-11-28T09:00:00+14:00"}).status_code == 200


@pytest.mark.parametrize("path", ["/stats/overview",
                                  "/stats/timeseries"])
@pytest.mark.parametrize(("name", "value"), [("period_to", "9999-12-31"), ("period_to", "0"),
                                             ("period_from", "0001-01-01"),
                                             ("period_from", "20261128")])
def test_stats_periods_are_bounded_dates(client, db, path, name, value) -> None:  # noqa: ANN001
    actor = staff(client, db)
    extra = {"metric": "needs_posted"} if path.endswith("timeseries") else {}
    r = actor.get(path, params={name: value, **extra})
    assert _names(r) == [["query", name]]


def test_need_dates_are_bounded_and_not_numbers(client) -> None:  # noqa: ANN001
    actor = register(client, "company")
    site = add_site(actor)
    base = {"site_id": site["id"], "title": "Retour", "activity": "returns.apparel",
            "placement_mode": "workshop", "fte": 1, "accommodates_support": "low"}
    r = actor.post("/needs", json={**base, "start_date": "9999-12-31", "end_date": 0})
    assert _names(r) == [["body", "start_date"], ["body", "end_date"]]
    r = actor.post("/needs", json={**base, "start_date": "2027-01-15", "end_date": "2199-12-31"})
    assert r.status_code == 201, r.text


# ---- errors never escape ----------------------------------------------------------------------

def _app_with_a_failing_route(app):  # noqa: ANN001, ANN202
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/boom", include_in_schema=False)
    def boom() -> dict:
        raise OverflowError("date value out of range")

    @router.get("/peer", include_in_schema=False)
    def peer(request: Request) -> dict:
        return {"port": request.client.port}

    app.include_router(router)
    return app


def test_an_unexpected_error_is_a_500_problem_with_the_security_headers(app) -> None:  # noqa: ANN001
    from fastapi.testclient import TestClient

    with TestClient(_app_with_a_failing_route(app), raise_server_exceptions=True) as c:
        r = c.get("/boom")  # raise_server_exceptions: it would raise here if it escaped
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == 500
    assert r.json()["instance"] == "/boom"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" in r.headers


def test_the_connection_stays_usable_after_an_unexpected_error(app) -> None:  # noqa: ANN001
    import socket
    import threading
    import time

    import httpx
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(_app_with_a_failing_route(app), host="127.0.0.1",
                                           port=port, log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            before = http.get("/peer").json()["port"]
            r = http.get("/boom")
            assert r.status_code == 500
            assert r.headers["x-frame-options"] == "DENY"
            assert r.headers.get("connection") != "close"
            assert http.get("/peer").json()["port"] == before  # the same TCP connection
    finally:
        server.should_exit = True
        thread.join(10)
