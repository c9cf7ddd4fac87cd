"""The portal's cookie session: flags, CSRF, throttled login, and no overlap with API tokens."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.middleware import RateLimits
from api.services import auth
from api.web import session as web
from models.organisation import RegistrationCreate, User

PASSWORD = "portal-session-passphrase"


def _csrf(client: TestClient, path: str = "/login") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match is not None
    return match.group(1)


def _company(db: Session, email: str = "jan@example.be") -> User:
    _, user = auth.register(db, RegistrationCreate.model_validate({
        "organisation": {"kind": "company", "name": "Webshop Jan",
                         "enterprise_number": "0777777771"},
        "user": {"email": email, "password": PASSWORD}}))
    db.commit()
    return user


def _login(client: TestClient, email: str, password: str = PASSWORD, **extra: str):  # noqa: ANN202
    return client.post("/login", data={"csrf_token": _csrf(client), "email": email,
                                       "password": password, **extra}, follow_redirects=False)


def test_the_cookie_is_httponly_lax_and_not_secure_outside_production(client: TestClient) -> None:
    cookie = client.get("/login").headers["set-cookie"]
    assert cookie.startswith(web.COOKIE + "=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie


def test_a_post_without_the_csrf_token_is_refused(client: TestClient, db: Session) -> None:
    _company(db)
    _csrf(client)
    r = client.post("/login", data={"email": "jan@example.be", "password": PASSWORD},
                    follow_redirects=False)
    assert r.status_code == 403
    assert "verlopen" in r.text
    r = client.post("/login", data={"csrf_token": "forged", "email": "jan@example.be",
                                    "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403
    # a token with characters outside ASCII is refused like any other wrong one (was a 500)
    r = client.post("/login", data={"csrf_token": "vervalst-é€", "email": "jan@example.be",
                                    "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403
    assert client.get("/app", follow_redirects=False).headers["location"].startswith("/login")


def test_a_tampered_cookie_is_a_new_anonymous_session(client: TestClient, db: Session) -> None:
    _company(db)
    assert _login(client, "jan@example.be").status_code == 303
    assert client.get("/app").status_code == 200
    value = client.cookies[web.COOKIE]
    client.cookies.set(web.COOKIE, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert client.get("/app", follow_redirects=False).status_code == 303


def test_login_goes_to_next_only_on_this_site(client: TestClient, db: Session) -> None:
    _company(db)
    assert _login(client, "jan@example.be", next="/app/leads").headers["location"] == "/app/leads"
    client.cookies.clear()
    assert _login(client, "jan@example.be", next="//evil.example").headers["location"] == "/app"


def test_the_session_is_no_api_token_and_a_password_change_ends_it(
        client: TestClient, db: Session) -> None:
    user = _company(db)
    assert _login(client, "jan@example.be").status_code == 303
    value = client.cookies[web.COOKIE]
    assert client.get("/auth/me").status_code == 401
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {value}"}).status_code == 401
    auth.revoke_tokens(db.exec(select(User).where(User.id == user.id)).one())
    db.commit()
    assert client.get("/app", follow_redirects=False).status_code == 303


def test_logout_clears_the_session(client: TestClient, db: Session) -> None:
    _company(db)
    _login(client, "jan@example.be")
    r = client.post("/logout", data={"csrf_token": _csrf(client, "/app")},
                    follow_redirects=False)
    assert r.status_code == 303
    assert f'{web.COOKIE}=""' in r.headers["set-cookie"]
    assert client.get("/app", follow_redirects=False).headers["location"].startswith("/login")


def test_login_is_throttled_per_account_like_the_token_endpoint(app, client: TestClient,  # noqa: ANN001
                                                                db: Session) -> None:
    limits = RateLimits(app.state.settings.model_copy(update={
        "rate_limit_enabled": True, "rate_limit_login_failures": 3}))
    app.state.rate_limits = limits
    _company(db)
    for _ in range(3):
        assert _login(client, "jan@example.be", "wrong-password-1").status_code == 401
    r = _login(client, "jan@example.be")  # even the right password, until the window passes
    assert r.status_code == 429
    assert "Retry-After" in r.headers
    assert 'role="alert"' in r.text


def test_the_cookie_is_secure_in_production(settings) -> None:  # noqa: ANN001
    from types import SimpleNamespace

    from fastapi.responses import Response
    from starlette.requests import Request

    production = settings.model_copy(update={"environment": "production"})
    app = SimpleNamespace(state=SimpleNamespace(settings=production))
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": [],
                       "query_string": b"", "app": app, "state": {}})
    cookie = web.store(request, Response()).headers["set-cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert web.decode(production, cookie.split(";")[0].split("=", 1)[1]) is not None
