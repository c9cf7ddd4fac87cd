"""Input the database cannot store, dates out of range and errors that never escape the app."""

from __future__ import annotations

import pytest

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
