"""HTTP hardening: security headers, request body limit and rate limits (pure ASGI middleware).

Rate-limit and login-failure windows are moving windows of the ``limits`` library. With
``REDIS_URL`` set they live in Redis, so every worker and replica counts against one limit;
without it, in process memory (the embedded default, where each uvicorn worker counts on its
own). When Redis cannot be reached the limits fail open: requests are served unchecked, a
warning is logged and ``koppel_rate_limit_fail_open_total`` counts them; Redis is tried again
after a few seconds.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import metrics
from api.config import Settings
from api.errors import problem
from api.security import decode_token

log = logging.getLogger("koppel.limits")
T = TypeVar("T")

# ---- windows ----------------------------------------------------------------------------------


class LimitStore:
    """The storage all windows share, with fail-open handling.

    A failed storage call is logged (at most once per ``retry_seconds``), counted, and answered
    with the permissive default; for ``retry_seconds`` after a failure the storage is not asked
    at all, so an unreachable Redis costs each request nothing.
    """

    def __init__(self, redis_url: str | None, *, key_prefix: str = "koppel",
                 timeout: float = 0.25, retry_seconds: float = 5.0) -> None:
        storage: Storage
        if redis_url:
            storage = RedisStorage(redis_url, key_prefix=key_prefix, wrap_exceptions=True,
                                   socket_connect_timeout=timeout, socket_timeout=timeout)
        else:
            storage = MemoryStorage()
        self.storage = storage
        self.shared = bool(redis_url)
        self.strategy = MovingWindowRateLimiter(storage)
        self.retry_seconds = retry_seconds
        self._down_until = 0.0
        self._lock = threading.Lock()

    def call(self, fn: Callable[[], T], default: T) -> T:
        if self._down_until and time.monotonic() < self._down_until:
            metrics.LIMITER_FAIL_OPEN.inc()
            return default
        try:
            result = fn()
        except Exception as exc:  # noqa: BLE001 - any storage failure fails open, never a 500
            metrics.LIMITER_ERRORS.inc()
            metrics.LIMITER_FAIL_OPEN.inc()
            with self._lock:
                first = time.monotonic() >= self._down_until
                self._down_until = time.monotonic() + self.retry_seconds
            if first:
                log.warning("rate-limit storage unavailable, limits fail open for %g s: %s",
                            self.retry_seconds, type(exc).__name__,
                            extra={"error": str(exc)[:200]})
            return default
        self._down_until = 0.0
        return result


class Window:
    """At most ``limit`` events per ``seconds`` per key (a moving window in the store)."""

    def __init__(self, store: LimitStore, limit: int, seconds: int, name: str) -> None:
        self.store, self.limit, self.seconds = store, limit, seconds
        self.item = RateLimitItemPerSecond(limit, seconds, namespace=name)

    def _retry(self, key: str) -> int | None:
        stats = self.store.strategy.get_window_stats(self.item, key)
        if stats.remaining > 0:
            return None
        return max(1, math.ceil(stats.reset_time - time.time()))

    def retry_after(self, key: str) -> int | None:
        """Seconds until ``key`` may act again, or None if it may act now (records nothing)."""
        return self.store.call(lambda: self._retry(key), None)

    def record(self, key: str) -> None:
        self.store.call(lambda: self.store.strategy.hit(self.item, key), True)

    def hit(self, key: str) -> int | None:
        """Record one event unless over the limit; returns Retry-After seconds when refused."""
        def attempt() -> int | None:
            if self.store.strategy.hit(self.item, key):
                return None
            return self._retry(key) or 1
        return self.store.call(attempt, None)

    def reset(self, key: str) -> None:
        self.store.call(lambda: self.store.strategy.clear(self.item, key), None)


class RateLimits:
    """The app's limiters, built from Settings (``app.state.rate_limits``)."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limit_enabled
        self.secret = settings.secret_key
        self.store = LimitStore(settings.redis_url, key_prefix=settings.redis_key_prefix)
        self.auth_per_ip = Window(self.store, settings.rate_limit_auth_per_ip, 60, "auth-ip")
        self.per_token = Window(self.store, settings.rate_limit_per_token, 60, "request")
        self.directory_per_ip = Window(self.store, settings.rate_limit_directory_per_ip, 60,
                                       "directory-ip")
        self.login_failures = Window(self.store, settings.rate_limit_login_failures,
                                     settings.rate_limit_login_window_seconds, "login-fail")

    @staticmethod
    def account_key(email: str) -> str:
        return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def client_ip(scope: Scope) -> str:
    # X-Forwarded-For is applied to scope["client"] only for a peer in FORWARDED_ALLOW_IPS
    # (uvicorn's ProxyHeadersMiddleware, added in api.main); we never read that header here
    client = scope.get("client")
    return client[0] if client else "unknown"


def _token_key(scope: Scope, secret: str) -> str | None:
    """The key of a bearer token whose signature and expiry check out, else None.

    Made-up or expired bearer strings count against their client's address, so inventing
    tokens does not buy fresh limits.
    """
    scheme, _, value = (_header(scope, b"authorization") or "").partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value or decode_token(value, secret=secret) is None:
        return None
    # keyed by a digest so the limiter never holds tokens themselves
    return "tok:" + hashlib.sha256(value.encode()).hexdigest()[:32]


# Every form that checks a password shares /auth's per-address window
LOGIN_FORMS = ("/dashboard/login", "/login")


async def _send_problem(send: Send, status: int, detail: str, *, slug: str, title: str,
                        instance: str, headers: dict[str, str] | None = None) -> None:
    response = problem(status, detail, slug=slug, title=title, instance=instance,
                       headers=headers)
    await send({"type": "http.response.start", "status": response.status_code,
                "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


class RateLimitMiddleware:
    """30 requests a minute per IP on /auth/* and login forms, 120 per IP on the public
    /directory/*; elsewhere 600 a minute per valid token (or IP).

    Failed logins per account are counted by the login routes (see ``api.routes.auth``).
    """

    def __init__(self, app: ASGIApp, limits: RateLimits) -> None:
        self.app, self.limits = app, limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.limits.enabled or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith("/auth/") or (path in LOGIN_FORMS and scope["method"] == "POST"):
            window, key, what = self.limits.auth_per_ip, "ip:" + client_ip(scope), "address"
        elif path.startswith("/directory/"):
            # public and anonymous: a token would not identify anyone, so count per address
            window, key = self.limits.directory_per_ip, "ip:" + client_ip(scope)
            what = "address"
        elif path in ("/health", "/ready"):
            await self.app(scope, receive, send)  # probes are never throttled
            return
        else:
            key = _token_key(scope, self.limits.secret) or "ip:" + client_ip(scope)
            window, what = self.limits.per_token, "token" if key.startswith("tok:") else "address"
        retry = window.hit(key)
        if retry is not None:
            await _send_problem(
                send, 429, f"Too many requests from this {what}; retry in {retry} s",
                slug="rate-limited", title="Too many requests", instance=path,
                headers={"Retry-After": str(retry)})
            return
        await self.app(scope, receive, send)


# ---- request body limit ---------------------------------------------------------------------


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body exceeds the limit of {limit} bytes")


class BodySizeLimitMiddleware:
    """413 when a body is larger than ``max_body_bytes``: by Content-Length up front, and by
    counting for chunked bodies (the count raises while the route reads the body, which
    FastAPI passes on as an HTTPException, so it becomes a 413 problem like any other)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        if length is not None and (not length.strip().isdigit()
                                   or int(length) > self.max_bytes):
            await self._refuse(scope, send)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            # a route that streamed the body itself let it escape: answer if we still can
            if started:
                raise
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        await _send_problem(send, 413, f"The request body exceeds the limit of "
                            f"{self.max_bytes} bytes", slug="payload-too-large",
                            title="Payload too large", instance=scope["path"])


# ---- the last line of defence ---------------------------------------------------------------


class ErrorBoundaryMiddleware:
    """No exception reaches the ASGI server.

    Starlette answers an unhandled exception in its outermost layer, outside every middleware
    (so without the security headers), and then re-raises it to the server, which closes the
    connection. This layer sits just inside the security headers: an exception that got this
    far is logged and answered with a 500 problem, and the connection stays usable.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = finished = False

        async def tracking_send(message: Message) -> None:
            nonlocal started, finished
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                finished = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:  # noqa: BLE001 - the point of this layer
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await _send_problem(send, 500, "Internal error", slug="internal-server-error",
                                    title="Internal Server Error", instance=scope["path"])
            elif not finished:  # half a response: end it; the client sees a short body
                await send({"type": "http.response.body", "body": b"", "more_body": False})


# ---- security headers -----------------------------------------------------------------------

# The dashboard is server-rendered with inline CSS (a <style> block and style attributes) and
# inline SVG, and no script at all; hence 'unsafe-inline' for styles only.
CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
# /docs and /redoc load Swagger UI / ReDoc from the app itself (fastapi-offline's packaged
# assets) with an inline bootstrap script; they get a CSP that allows exactly that.
DOCS_CSP = ("default-src 'none'; script-src 'self' 'unsafe-inline'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
            "connect-src 'self'; worker-src blob:; frame-ancestors 'none'; base-uri 'none'")
DOCS_PATHS = ("/docs", "/redoc")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.common = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                       (b"referrer-policy", b"no-referrer")]
        if production:
            self.common.append((b"strict-transport-security",
                                b"max-age=63072000; includeSubDomains"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"].startswith(DOCS_PATHS)
        csp = (DOCS_CSP if docs else CSP).encode()

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for key, value in [*self.common, (b"content-security-policy", csp)]:
                    if key not in present:
                        headers.append((key, value))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)

