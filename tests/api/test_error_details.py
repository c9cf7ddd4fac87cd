"""Details of error answers: Allow on 405, cross-field rules naming their field, full detail,
registration races, FTE bounds and keyboard-walk passwords."""

from __future__ import annotations

import uuid

import pytest

from api.security import keyboard_walk_share, password_problem
from tests.factories import PASSWORD, add_site, enterprise_number, need_body, register


def _locs(r) -> list[list]:  # noqa: ANN001
    assert r.status_code == 422, r.text
    return [e["loc"] for e in r.json()["errors"]]


def test_405_allow_lists_every_method_of_the_path(client) -> None:  # noqa: ANN001
    r = client.options("/needs")
    assert r.status_code == 405
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST"}
    r = client.delete("/needs")
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST"}


def test_cross_field_rules_name_their_field(client) -> None:  # noqa: ANN001
    actor = register(client, "company")
    site = add_site(actor)
    r = actor.post("/needs", json=need_body(site, activity="care.social",
                                            placement_mode="workshop"))
    assert _locs(r) == [["body", "placement_mode"]]
    r = actor.post("/needs", json=need_body(site, start_date="2027-02-01",
                                            end_date="2027-01-01"))
    assert _locs(r) == [["body", "end_date"]]
    provider = register(client, "provider")
    r = provider.post("/capabilities", json={"site_id": str(uuid.uuid4()),
                                             "activity": "care.social",
                                             "placement_modes": ["workshop"]})
    assert _locs(r) == [["body", "placement_modes"]]
    r = provider.post(f"/leads/{uuid.uuid4()}/decline", json={"reason_code": "other"})
    assert _locs(r) == [["body", "reason_text"]]


def test_detail_lists_every_field_of_errors(client) -> None:  # noqa: ANN001
    actor = register(client, "company")
    body = {"site_id": "x", "title": "", "activity": "nope", "placement_mode": "nope",
            "fte": -1, "accommodates_support": "nope", "time_pressure": "nope",
            "max_distance_km": -1}
    r = actor.post("/needs", json=body)
    errors = r.json()["errors"]
    assert len(errors) >= 7
    for error in errors:
        assert ".".join(map(str, error["loc"])) in r.json()["detail"]


@pytest.mark.parametrize("fte", [1e-320, 0.001, 0.09, 0])
def test_fte_below_a_tenth_is_refused(client, fte) -> None:  # noqa: ANN001
    actor = register(client, "company")
    site = add_site(actor)
    assert _locs(actor.post("/needs", json=need_body(site, fte=fte))) == [["body", "fte"]]


def test_fte_of_a_tenth_is_accepted(client) -> None:  # noqa: ANN001
    actor = register(client, "company")
    site = add_site(actor)
    assert actor.post("/needs", json=need_body(site, fte=0.1)).status_code == 201


def test_the_loser_of_a_registration_race_gets_a_409_naming_the_field(client,  # noqa: ANN001
                                                                       monkeypatch) -> None:
    from api.services import auth

    first = register(client, "company")
    # as if the other request inserted between our check and our insert
    monkeypatch.setattr(auth, "_email_taken", lambda _session, _email: False)
    r = client.post("/auth/register", json={
        "organisation": {"kind": "company", "name": "Tweede",
                         "enterprise_number": enterprise_number(900_000)},
        "user": {"email": first.user["email"], "password": PASSWORD}})
    assert r.status_code == 409, r.text
    assert r.json()["errors"] == [{"loc": ["body", "user", "email"],
                                   "msg": "already registered"}]


@pytest.mark.parametrize("password", ["azertyuiop12", "qwertyuiop99", "1234567890ab",
                                      "poiuytreza!!", "abcdefghijkl", "qsdfghjklm12"])
def test_keyboard_walks_are_refused(password: str) -> None:
    assert keyboard_walk_share(password) >= 0.75
    assert password_problem(password) is not None


@pytest.mark.parametrize("password", ["correct horse battery", "a-long-test-password",
                                      "Kortrijk-Retour-2026", "zomer bij de Leie"])
def test_ordinary_passphrases_pass(password: str) -> None:
    assert password_problem(password) is None
    assert keyboard_walk_share(password) < 0.75


def test_registering_with_a_keyboard_walk_is_a_422(client) -> None:  # noqa: ANN001
    r = client.post("/auth/register", json={
        "organisation": {"kind": "company", "name": "Azerty",
                         "enterprise_number": enterprise_number(900_001)},
        "user": {"email": "walk@example.be", "password": "azertyuiop12"}})
    assert _locs(r) == [["body", "user", "password"]]
