from __future__ import annotations

from tests.factories import PASSWORD, enterprise_number, register


def test_register_then_token_then_me(client):
    actor = register(client, "company")
    r = actor.get("/auth/me")
    assert r.status_code == 200
    assert r.json()["role"] == "company"
    assert r.json()["organisation_id"] == actor.org_id


def test_register_rejects_bad_enterprise_number_naming_the_field(client):
    r = client.post("/auth/register", json={
        "organisation": {"kind": "provider", "name": "X vzw", "enterprise_number": "0123.456.789"},
        "user": {"email": "x@example.be", "password": PASSWORD}})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == 422
    assert body["errors"][0]["loc"] == ["body", "organisation", "enterprise_number"]
    assert "mod-97" in body["errors"][0]["msg"]


def test_department_kind_cannot_self_register(client):
    r = client.post("/auth/register", json={
        "organisation": {"kind": "department", "name": "WSE",
                         "enterprise_number": enterprise_number(999)},
        "user": {"email": "d@example.be", "password": PASSWORD}})
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "organisation", "kind"]


def test_duplicate_email_is_409_and_leaves_no_second_organisation(client, db):
    actor = register(client, "company")
    r = client.post("/auth/register", json={
        "organisation": {"kind": "company", "name": "Dup BV",
                         "enterprise_number": enterprise_number(4242)},
        "user": {"email": actor.user["email"], "password": PASSWORD}})
    assert r.status_code == 409
    from sqlmodel import select

    from models.organisation import Organisation

    assert db.exec(select(Organisation).where(Organisation.name == "Dup BV")).first() is None


def test_wrong_password_is_401_problem(client):
    actor = register(client, "provider")
    r = client.post("/auth/token", data={"username": actor.user["email"], "password": "nope"})
    assert r.status_code == 401
    assert r.json()["title"] == "Not authenticated"


def test_missing_and_garbage_tokens_are_401(client):
    assert client.get("/auth/me").status_code == 401
    r = client.get("/auth/me", headers={"Authorization": "Bearer not-a-jwt"})
    assert r.status_code == 401


def test_expired_token_is_rejected(client, settings):
    import uuid

    from api.security import create_access_token

    actor = register(client, "company")
    token = create_access_token(uuid.UUID(actor.user["id"]), 0, secret=settings.secret_key,
                                minutes=-1)
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_token_whose_signature_was_checked_before_still_expires(monkeypatch):
    import time
    import uuid
    from types import SimpleNamespace

    from api import security

    secret = "s" * 40
    token = security.create_access_token(uuid.uuid4(), 0, secret=secret, minutes=1)
    assert security.decode_token(token, secret=secret) is not None
    assert security.decode_token(token, secret=secret) is not None  # remembered
    assert security.decode_token(token, secret=secret, expected_type="refresh") is None
    assert security.decode_token(token, secret="t" * 40) is None
    assert security.decode_token(token[:-2] + "xx", secret=secret) is None
    later = time.time() + 61
    monkeypatch.setattr(security, "time", SimpleNamespace(time=lambda: later))
    assert security.decode_token(token, secret=secret) is None
