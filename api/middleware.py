"""HTTP hardening: security headers, request body limit and rate limits (pure ASGI middleware).

The rate limiter keeps sliding windows in process memory. That is deliberate (no extra
service to run) and means each uvicorn worker counts on its own: with ``--workers W`` a
client can get up to W times a limit before it sees a 429. Put a shared limiter (the load
balancer, or a Redis-backed one) in front when that matters.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.config import Settings
from api.errors import problem

log = logging.getLogger("koppel")

# ---- sliding windows ------------------------------------------------------------------------


class SlidingWindow:
    """At most ``limit`` events per ``window`` seconds per key (a log of event times).

    Thread-safe: sync routes run in FastAPI's thread pool. Memory is bounded by
    ``limit`` timestamps per key; keys idle for a whole window are pruned as we go.
    """

    def __init__(self, limit: int, window: float, *, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000) -> None:
        self.limit, self.window, self.clock, self.max_keys = limit, window, clock, max_keys
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._next_prune = 0.0

    def _trim(self, events: deque[float], now: float) -> None:
        while events and events[0] <= now - self.window:
            events.popleft()

    def _prune(self, now: float) -> None:
        if now < self._next_prune and len(self._events) < self.max_keys:
            return
        self._next_prune = now + self.window
        for key in [k for k, ev in self._events.items() if not ev or ev[-1] <= now - self.window]:
            del self._events[key]

    def retry_after(self, key: str) -> int | None:
        """Seconds until ``key`` may act again, or None if it may act now (records nothing)."""
        now = self.clock()
        with self._lock:
            events = self._events.get(key)
            if events is None:
                return None
            self._trim(events, now)
            if len(events) < self.limit:
                return None
            return max(1, math.ceil(events[0] + self.window - now))

    def record(self, key: str) -> None:
        now = self.clock()
        with self._lock:
            self._prune(now)
            events = self._events.setdefault(key, deque(maxlen=self.limit))
            self._trim(events, now)
            events.append(now)

    def hit(self, key: str) -> int | None:
        """Record one event unless over the limit; returns Retry-After seconds when refused."""
        now = self.clock()
        with self._lock:
            self._prune(now)
            events = self._events.setdefault(key, deque(maxlen=self.limit))
            self._trim(events, now)
            if len(events) >= self.limit:
                return max(1, math.ceil(events[0] + self.window - now))
            events.append(now)
            return None

    def reset(self, key: str) -> None:
        with self._lock:
            self._events.pop(key, None)


class RateLimits:
    """The app's limiters, built from Settings (``app.state.rate_limits``)."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limit_enabled
        self.auth_per_ip = SlidingWindow(settings.rate_limit_auth_per_ip, 60)
        self.per_token = SlidingWindow(settings.rate_limit_per_token, 60)
        self.login_failures = SlidingWindow(settings.rate_limit_login_failures,
                                            settings.rate_limit_login_window_seconds)

    @staticmethod
    def account_key(email: str) -> str:
        return email.strip().lower()


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def client_ip(scope: Scope) -> str:
    # uvicorn's --proxy-headers (on in `koppel serve`) already put a trusted proxy's
    # X-Forwarded-For into scope["client"]; we never read that header ourselves
    client = scope.get("client")
    return client[0] if client else "unknown"


def _token_key(scope: Scope) -> str | None:
    scheme, _, value = (_header(scope, b"authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    # keyed by a digest so the limiter never holds tokens themselves
    return "tok:" + hashlib.sha256(value.strip().encode()).hexdigest()[:32]


async def _send_problem(send: Send, status: int, detail: str, *, slug: str, title: str,
                        instance: str, headers: dict[str, str] | None = None) -> None:
    response = problem(status, detail, slug=slug, title=title, instance=instance,
                       headers=headers)
    await send({"type": "http.response.start", "status": response.status_code,
                "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


class RateLimitMiddleware:
    """30 requests a minute per IP on /auth/*; elsewhere 600 a minute per token (or IP).

    Failed logins per account are counted by the login routes (see ``api.routes.auth``).
    """

    def __init__(self, app: ASGIApp, limits: RateLimits) -> None:
        self.app, self.limits = app, limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.limits.enabled or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith("/auth/"):
            window, key, what = self.limits.auth_per_ip, "ip:" + client_ip(scope), "address"
        elif path in ("/health", "/ready"):
            await self.app(scope, receive, send)  # probes are never throttled
            return
        else:
            key = _token_key(scope) or "ip:" + client_ip(scope)
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

