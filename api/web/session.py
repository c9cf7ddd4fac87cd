"""The portal's cookie session, separate from API tokens.

The cookie holds a small signed JSON object: a random CSRF token, and once logged in the
user's id and token version. It is signed with HMAC-SHA256 under a key derived from the app's
secret for this purpose only, so no API token verifies as a session and no session as a token;
the JSON API never reads this cookie. Changing the password bumps the token version and so
ends every session too. The cookie is HttpOnly, SameSite=Lax and Secure in production.

Every POST form carries the session's CSRF token in a hidden ``csrf_token`` field; a POST
whose field does not equal the cookie's token is refused with 403 before anything is read.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass, replace
from typing import TypeVar

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from api.config import Settings
from models.organisation import User

COOKIE = "koppel_session"
#: a session lasts a working day; every page view renews it
MAX_AGE_SECONDS = 8 * 3600
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True, slots=True)
class WebSession:
    csrf: str
    user_id: uuid.UUID | None = None
    version: int | None = None
    issued: int = 0

    def login(self, user: User) -> WebSession:
        # a fresh CSRF token on login: a token seen before login is worth nothing after
        return WebSession(secrets.token_urlsafe(24), user.id, user.token_version, int(time.time()))

    def user(self, session: Session) -> User | None:
        """The logged-in user, if the session still holds one (active, password unchanged)."""
        if self.user_id is None:
            return None
        user = session.get(User, self.user_id)
        if user is None or not user.is_active or user.token_version != self.version:
            return None
        return user

    def csrf_ok(self, submitted: str | None) -> bool:
        # as bytes: compare_digest refuses str with non-ASCII characters (a 500, not a 403)
        return bool(submitted) and hmac.compare_digest(self.csrf.encode(),
                                                       (submitted or "").encode())


def _key(settings: Settings) -> bytes:
    return hashlib.sha256(b"koppel-web-session\x00" + settings.secret_key.encode()).digest()


def _sign(settings: Settings, body: bytes) -> str:
    mac = hmac.new(_key(settings), body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def encode(settings: Settings, web: WebSession) -> str:
    data = {"c": web.csrf, "t": web.issued or int(time.time())}
    if web.user_id is not None:
        data |= {"u": str(web.user_id), "v": web.version}
    body = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
    body = body.rstrip(b"=")
    return body.decode() + "." + _sign(settings, body)


def decode(settings: Settings, value: str | None) -> WebSession | None:
    if not value or "." not in value or len(value) > 1000:
        return None
    body, _, mac = value.partition(".")
    if not hmac.compare_digest(_sign(settings, body.encode()), mac):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        issued = int(data["t"])
        user_id = uuid.UUID(data["u"]) if "u" in data else None
        csrf = str(data["c"])
    except (ValueError, KeyError, TypeError):
        return None
    if issued + MAX_AGE_SECONDS < time.time():
        return None
    return WebSession(csrf, user_id, data.get("v"), issued)


def current(request: Request) -> WebSession:
    """The request's session, or a new anonymous one (stored by :func:`store`)."""
    cached = getattr(request.state, "web_session", None)
    if cached is None:
        cached = decode(request.app.state.settings, request.cookies.get(COOKIE))
        if cached is None:
            cached = WebSession(secrets.token_urlsafe(24), issued=int(time.time()))
        request.state.web_session = cached
    return cached


def replace_session(request: Request, web: WebSession) -> None:
    request.state.web_session = web


ResponseT = TypeVar("ResponseT", bound=Response)


def store(request: Request, response: ResponseT) -> ResponseT:
    """Set the (renewed) session cookie on ``response``."""
    settings: Settings = request.app.state.settings
    web = replace(current(request), issued=int(time.time()))
    response.set_cookie(COOKIE, encode(settings, web), max_age=MAX_AGE_SECONDS, path="/",
                        httponly=True, samesite="lax",
                        secure=settings.environment == "production")
    return response


def clear(request: Request, response: Response) -> Response:
    settings: Settings = request.app.state.settings
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax",
                           secure=settings.environment == "production")
    return response
