"""JSON-lines logging, request ids and the access line (DESIGN §16).

Every log record becomes one JSON object on stdout: ``ts``, ``level``, ``logger``, ``message``,
the request id of the request being served (if any) and the record's ``extra`` fields.
:class:`ObservabilityMiddleware` takes the request id from ``X-Request-ID`` (or makes one),
echoes it, writes one access line per request and feeds the request metrics. Nothing here
reads a header other than ``X-Request-ID``, a body or a query string, so tokens, passwords and
bodies cannot reach the access line.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import metrics

#: per request: {"request_id": …, "organisation_id": …}; the dict is shared with the worker
#: thread that runs the endpoint (thread-pool calls copy the context, not the dict)
REQUEST: ContextVar[dict[str, Any] | None] = ContextVar("koppel_request", default=None)

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime",
                                                             "taskName", "color_message"}
access_log = logging.getLogger("koppel.access")


def request_id() -> str | None:
    ctx = REQUEST.get()
    return ctx["request_id"] if ctx else None


def note_organisation(organisation_id: object) -> None:
    """Put the authenticated user's organisation on the current request's access line."""
    ctx = REQUEST.get()
    if ctx is not None and organisation_id is not None:
        ctx["organisation_id"] = str(organisation_id)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id()
        if rid is not None:
            entry["request_id"] = rid
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` (also given to uvicorn, so each worker process uses it)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "api.logs.JsonFormatter"}},
        "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json",
                                "stream": "ext://sys.stdout"}},
        "root": {"handlers": ["stdout"], "level": level.upper()},
        "loggers": {
            # uvicorn's own loggers go through the root handler; its access log is replaced by
            # ours (route templates, request ids, organisation; never query strings)
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
        },
    }


def configure_logging(level: str = "INFO") -> None:
    logging.config.dictConfig(logging_config(level))
    logging.captureWarnings(True)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]


def route_label(scope: Scope) -> str:
    """The route template that served a request (``/needs/{need_id}``), or ``unmatched``."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class ObservabilityMiddleware:
    """Request id, access line and request metrics (outermost but for forwarded headers)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = None
        for key, value in scope.get("headers", ()):
            if key == b"x-request-id":
                given = value.decode("latin-1").strip()
                break
        rid = given if given and _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        ctx: dict[str, Any] = {"request_id": rid, "organisation_id": None}
        token = REQUEST.set(ctx)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"x-request-id", rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            duration = time.perf_counter() - started
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            route = route_label(scope)
            metrics.REQUESTS.labels(method, route, str(status)).inc()
            metrics.LATENCY.labels(method, route).observe(duration)
            access_log.info("request", extra={
                "method": method, "route": route, "status": status,
                "duration_ms": round(duration * 1000, 2),
                "organisation_id": ctx["organisation_id"]})
            REQUEST.reset(token)
