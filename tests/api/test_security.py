"""Abuse resistance and account security: rate limits, body limit, headers, CORS, passwords,
refresh tokens and revocation."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.security import common_passwords
from tests.factories import PASSWORD, register


@pytest.fixture
def limited_client(settings, engine, app):  # noqa: ANN001, ANN201
    """The test app with small rate limits switched on."""
    limited = create_app(settings=settings.model_copy(update={
        "rate_limit_enabled": True, "rate_limit_auth_per_ip": 30,
        "rate_limit_login_failures": 3, "rate_limit_per_token": 5}), engine=engine)
    limited.dependency_overrides = app.dependency_overrides
    with TestClient(limited, raise_server_exceptions=False) as c:
        yield c


def _login(client: TestClient, email: str, password: str):  # noqa: ANN202
    return client.post("/auth/token", data={"username": email, "password": password})


# ---- rate limits ----------------------------------------------------------------------------

def test_failed_logins_per_account_are_limited_with_retry_after(limited_client) -> None:  # noqa: ANN001
    actor = register(limited_client, "company")
    email = actor.user["email"]
    for _ in range(3):
        assert _login(limited_client, email, "wrong-password-123").status_code == 401
    r = _login(limited_client, email, PASSWORD)  # even the right password, for now
    assert r.status_code == 429
    assert r.headers["content-type"] == "application/problem+json"
    assert int(r.headers["Retry-After"]) > 0
    assert r.json()["status"] == 429


def test_auth_requests_per_ip_are_limited(limited_client) -> None:  # noqa: ANN001
    statuses = [_login(limited_client, f"nobody{i}@example.be", "whatever-password").status_code
                for i in range(31)]
    assert statuses[:30] == [401] * 30
    assert statuses[30] == 429


def test_requests_per_token_are_limited_elsewhere(limited_client) -> None:  # noqa: ANN001
    actor = register(limited_client, "company")
    statuses = [actor.get("/needs").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert limited_client.get("/health").status_code == 200  # probes never throttled


def test_rate_limits_can_be_switched_off(client) -> None:  # noqa: ANN001
    statuses = {_login(client, "nobody@example.be", "whatever-password").status_code
                for _ in range(40)}
    assert statuses == {401}


# ---- request body size ----------------------------------------------------------------------

def test_body_over_the_limit_is_a_413_problem(client, settings) -> None:  # noqa: ANN001
    actor = register(client, "company")
    big = b'{"name": "' + b"x" * (settings.max_body_bytes + 10) + b'"}'
    r = client.patch(f"/organisations/{actor.org_id}", content=big,
                     headers={**actor.headers, "Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"


def test_chunked_body_over_the_limit_is_a_413_problem(client, settings) -> None:  # noqa: ANN001
    actor = register(client, "company")

    def chunks():  # noqa: ANN202 - a generator body is sent chunked, without Content-Length
        yield b'{"name": "'
        for _ in range(settings.max_body_bytes // 10_000 + 2):
            yield b"x" * 10_000
        yield b'"}'

    r = client.patch(f"/organisations/{actor.org_id}", content=chunks(),
                     headers={**actor.headers, "Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()["status"] == 413


# ---- headers and CORS -----------------------------------------------------------------------

def test_security_headers_on_api_and_dashboard(client) -> None:  # noqa: ANN001
    for path in ("/health", "/dashboard/login", "/needs"):
        r = client.get(path)
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["Referrer-Policy"] == "no-referrer"
        csp = r.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp
        assert "script-src" not in csp  # no script may run on our pages
        assert "Strict-Transport-Security" not in r.headers  # only in production


def test_hsts_in_production(settings, engine) -> None:  # noqa: ANN001
    prod = settings.model_copy(update={"environment": "production"})
    with TestClient(create_app(settings=prod, engine=engine)) as c:
        assert c.get("/health").headers["Strict-Transport-Security"].startswith("max-age=")


def test_cors_allows_only_configured_origins(settings, engine) -> None:  # noqa: ANN001
    cfg = settings.model_copy(update={"cors_origins": ["https://app.koppel.example.be"]})
    with TestClient(create_app(settings=cfg, engine=engine)) as c:
        ok = c.options("/needs", headers={"Origin": "https://app.koppel.example.be",
                                          "Access-Control-Request-Method": "GET"})
        assert ok.headers["access-control-allow-origin"] == "https://app.koppel.example.be"
        bad = c.get("/health", headers={"Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in bad.headers


# ---- passwords ------------------------------------------------------------------------------

def test_common_password_list_is_shipped_with_thousands_of_entries() -> None:
    passwords = common_passwords()
    assert len(passwords) >= 2000
    assert "password1234" in passwords
    assert "azerty123456" in passwords


@pytest.mark.parametrize("password", ["Password1234", "qwerty123456", "Welkom123456",
                                      "azertyazerty"])
def test_registration_refuses_common_passwords_naming_the_field(client, password) -> None:  # noqa: ANN001
    body = {"organisation": {"kind": "company", "name": "Webshop BV",
                             "enterprise_number": "0403.199.702"},
            "user": {"email": "an@example.be", "password": password}}
    r = client.post("/auth/register", json=body)
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "user", "password"]


def test_short_password_is_refused(client) -> None:  # noqa: ANN001
    body = {"organisation": {"kind": "company", "name": "Webshop BV",
                             "enterprise_number": "0403.199.702"},
            "user": {"email": "an@example.be", "password": "short-pw"}}
    r = client.post("/auth/register", json=body)
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "user", "password"]


# ---- tokens ---------------------------------------------------------------------------------

def test_token_response_carries_a_refresh_token_that_yields_a_new_pair(client) -> None:  # noqa: ANN001
    actor = register(client, "provider")
    pair = _login(client, actor.user["email"], PASSWORD).json()
    assert pair["refresh_token"]
    assert pair["refresh_expires_in"] > pair["expires_in"]
    r = client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert r.status_code == 200
    new = r.json()
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {new['access_token']}"})
    assert me.status_code == 200


def _refresh(client, token: str):  # noqa: ANN001, ANN202
    return client.post("/auth/refresh", json={"refresh_token": token})


def test_refresh_tokens_rotate(client) -> None:  # noqa: ANN001
    actor = register(client, "provider")
    first = _login(client, actor.user["email"], PASSWORD).json()["refresh_token"]
    r = _refresh(client, first)
    assert r.status_code == 200, r.text
    second = r.json()["refresh_token"]
    assert second != first
    r = _refresh(client, second)
    assert r.status_code == 200, r.text
    third = r.json()["refresh_token"]
    assert len({first, second, third}) == 3


def test_a_reused_refresh_token_revokes_its_family_only(client, db) -> None:  # noqa: ANN001
    import uuid

    from sqlmodel import select

    from models.audit import AuditEvent

    actor = register(client, "company")
    stolen = _login(client, actor.user["email"], PASSWORD).json()["refresh_token"]
    other_login = _login(client, actor.user["email"], PASSWORD).json()["refresh_token"]
    attackers = _refresh(client, stolen).json()["refresh_token"]  # the thief trades first
    r = _refresh(client, stolen)  # the owner's copy comes back: reuse
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert _refresh(client, attackers).status_code == 401  # the thief's next refresh fails
    assert _refresh(client, stolen).status_code == 401
    assert _refresh(client, other_login).status_code == 200  # another login is untouched
    user_id = uuid.UUID(actor.user["id"])
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "refresh.reuse",
                                              AuditEvent.actor_user_id == user_id))
    assert len(events.all()) == 1


def test_a_refresh_token_without_a_family_is_refused(client, settings) -> None:  # noqa: ANN001
    import uuid
    from datetime import UTC, datetime, timedelta

    import jwt

    actor = register(client, "company")
    now = datetime.now(UTC)
    legacy = jwt.encode({"sub": actor.user["id"], "ver": 0, "iat": now, "typ": "refresh",
                         "jti": uuid.uuid4().hex, "exp": now + timedelta(days=1)},
                        settings.secret_key, algorithm="HS256")
    assert _refresh(client, legacy).status_code == 401


def test_refresh_token_is_not_an_access_token_and_vice_versa(client) -> None:  # noqa: ANN001
    actor = register(client, "provider")
    pair = _login(client, actor.user["email"], PASSWORD).json()
    r = client.get("/auth/me", headers={"Authorization": f"Bearer {pair['refresh_token']}"})
    assert r.status_code == 401
    r = client.post("/auth/refresh", json={"refresh_token": pair["access_token"]})
    assert r.status_code == 401


def test_password_change_revokes_every_earlier_access_and_refresh_token(client) -> None:  # noqa: ANN001
    actor = register(client, "company")
    old = _login(client, actor.user["email"], PASSWORD).json()
    r = actor.post("/auth/password", json={"current_password": PASSWORD,
                                           "new_password": "another-long-passphrase"})
    assert r.status_code == 200
    new = r.json()
    old_auth = {"Authorization": f"Bearer {old['access_token']}"}
    assert client.get("/auth/me", headers=old_auth).status_code == 401
    assert actor.get("/auth/me").status_code == 401
    assert client.post("/auth/refresh",
                       json={"refresh_token": old["refresh_token"]}).status_code == 401
    assert client.get("/auth/me", headers={
        "Authorization": f"Bearer {new['access_token']}"}).status_code == 200
    assert _login(client, actor.user["email"], PASSWORD).status_code == 401
    assert _login(client, actor.user["email"], "another-long-passphrase").status_code == 200


def test_password_change_needs_the_current_password_and_a_strong_new_one(client) -> None:  # noqa: ANN001
    actor = register(client, "company")
    r = actor.post("/auth/password", json={"current_password": "not-my-password",
                                           "new_password": "another-long-passphrase"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "current_password"]
    r = actor.post("/auth/password", json={"current_password": PASSWORD,
                                           "new_password": "password123456"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "new_password"]
    assert actor.get("/auth/me").status_code == 200  # nothing revoked


def test_tokens_never_appear_in_urls_or_logs(client, caplog) -> None:  # noqa: ANN001
    actor = register(client, "company")
    with caplog.at_level("DEBUG"):
        pair = _login(client, actor.user["email"], PASSWORD).json()
        actor.get("/needs")
        client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    text = caplog.text
    assert pair["access_token"] not in text
    assert pair["refresh_token"] not in text
    assert PASSWORD not in text
    # the OpenAPI documents no token or password as a query parameter
    spec = client.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        for operation in item.values():
            for param in operation.get("parameters", []):
                if path == "/unsubscribe/{token}":
                    continue  # a signed one-category opt-out, not a credential (RFC 8058 links)
                assert param["name"].lower() not in {"token", "access_token", "password",
                                                     "refresh_token"}, path
