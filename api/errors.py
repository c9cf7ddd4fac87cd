"""Domain errors and the one place they become RFC 9457 problem responses."""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.logs import request_id
from models.common import FieldRuleError

log = logging.getLogger("koppel")

PROBLEM_TYPE_BASE = "https://koppel.example.be/problems/"
PROBLEM_JSON = "application/problem+json"


class AppError(Exception):
    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers
        self.extra = extra


class NotFound(AppError):
    status, slug, title = 404, "not-found", "Not found"


class Forbidden(AppError):
    status, slug, title = 403, "forbidden", "Forbidden"


class Unauthorized(AppError):
    status, slug, title = 401, "unauthorized", "Not authenticated"

    def __init__(self, detail: str = "Missing or invalid bearer token", **kw: Any) -> None:
        kw.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kw)


class Conflict(AppError):
    status, slug, title = 409, "conflict", "Conflict"


class InvalidInput(AppError):
    """Input that is well-formed but refers to something unusable (names the field)."""

    status, slug, title = 422, "validation-error", "Invalid input"

    def __init__(self, loc: list[str | int], msg: str) -> None:
        super().__init__(msg, errors=[{"loc": loc, "msg": msg}])


class TooManyRequests(AppError):
    status, slug, title = 429, "rate-limited", "Too many requests"


class ValidationItem(BaseModel):
    loc: list[str | int] = Field(examples=[["body", "fte"]])
    msg: str = Field(examples=["Input should be greater than 0"])


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(examples=[PROBLEM_TYPE_BASE + "validation-error"])
    title: str = Field(examples=["Invalid input"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["body.fte: Input should be greater than 0"])
    instance: str | None = Field(default=None, examples=["/needs"])
    errors: list[ValidationItem] | None = Field(
        default=None, description="For validation errors: each offending field and why",
        examples=[[{"loc": ["body", "fte"], "msg": "Input should be greater than 0"}]])
    request_id: str | None = Field(
        default=None, description="The request's id (X-Request-ID), as in the server's logs",
        examples=["3f1d2c9a8b7e4f60a1b2c3d4e5f60718"])


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "description": HTTPStatus(code).phrase}
    for code in (400, 401, 403, 404, 409, 413, 422, 429, 500, 503)
}


PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def install_problem_schemas(app: FastAPI) -> None:
    """Every error response of the OpenAPI document is an ``application/problem+json``
    ``Problem`` (422s included: ``errors`` lists ``ValidationItem`` s), so generated clients
    parse them. FastAPI on its own declares the model under ``application/json`` with an
    empty problem+json entry, and adds ``HTTPValidationError`` for 422s, which Koppel never
    sends. An error that is an HTML page (the dashboard's) declares ``text/html`` and is kept.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for code, response in operation.get("responses", {}).items():
                    if not (code == "default" or str(code)[0] in "45"):
                        continue
                    content = response.get("content") or {}
                    if content and not any("json" in media or entry.get("schema") == PROBLEM_REF
                                           for media, entry in content.items()):
                        continue  # an HTML error page
                    response["content"] = {PROBLEM_JSON: {"schema": dict(PROBLEM_REF)}}
        components = schema.get("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def problem(status: int, detail: str, *, slug: str | None = None, title: str | None = None,
            instance: str | None = None, errors: list[dict[str, Any]] | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + (slug or HTTPStatus(status).phrase.lower().replace(" ", "-")),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    if (rid := request_id()) is not None:
        body["request_id"] = rid
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _loc(loc: tuple | list) -> list[str | int]:
    return [part if isinstance(part, int) else str(part) for part in loc]


def _allowed_methods(request: Request) -> list[str]:
    """Every method of the request's path, from the OpenAPI paths (built once per app)."""
    table = getattr(request.app.state, "allowed_methods", None)
    if table is None:
        table = []
        for template, operations in request.app.openapi().get("paths", {}).items():
            escaped = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
            pattern = re.compile(f"^{escaped}$")
            methods = {m.upper() for m in operations if m.upper() in _METHODS}
            if "GET" in methods:
                methods.add("HEAD")
            table.append((pattern, methods))
        request.app.state.allowed_methods = table
    found: set[str] = set()
    for pattern, methods in table:
        if pattern.match(request.url.path):
            found |= methods
    return sorted(found)


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return problem(exc.status, exc.detail, slug=exc.slug, title=exc.title,
                       instance=request.url.path, errors=exc.errors, headers=exc.headers,
                       **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors: list[dict[str, Any]] = []
        for err in exc.errors():
            msg = str(err.get("msg", "invalid value"))
            if msg.startswith("Value error, "):
                msg = msg.removeprefix("Value error, ")
            loc = _loc(err.get("loc", ()))
            rule = (err.get("ctx") or {}).get("error")
            if isinstance(rule, FieldRuleError):  # a cross-field rule names its field
                loc.append(rule.field)
            errors.append({"loc": loc, "msg": msg})
        detail = "; ".join(".".join(map(str, e["loc"])) + ": " + e["msg"] for e in errors)
        return problem(422, detail or "Invalid input", slug="validation-error",
                       title="Invalid input", instance=request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405 and (allowed := _allowed_methods(request)):
            # FastAPI makes a route per method, and Starlette's 405 names only the first
            # route of the path: list every method the path has
            headers = {**(headers or {}), "Allow": ", ".join(allowed)}
        return problem(exc.status_code, str(exc.detail), instance=request.url.path,
                       headers=headers)

    @app.exception_handler(OperationalError)
    async def _db_down(request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable: %s", exc.__class__.__name__)
        return problem(503, "The database is unavailable; try again shortly",
                       slug="unavailable", title="Service unavailable",
                       instance=request.url.path, headers={"Retry-After": "5"})

    @app.exception_handler(PoolTimeout)
    async def _pool_busy(request: Request, exc: PoolTimeout) -> JSONResponse:
        # every pooled connection stayed in use for the whole bounded wait: the database is
        # up, this server is saturated; the client should slow down and retry
        log.warning("no pooled database connection became free in time")
        return problem(429, "The server is busy; retry shortly", slug="rate-limited",
                       title="Too many requests", instance=request.url.path,
                       headers={"Retry-After": "2"})

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # a concurrent request won a uniqueness race, or a row changed underneath us
        return problem(409, "The request conflicts with the current state of the data",
                       slug="conflict", title="Conflict", instance=request.url.path)

    @app.exception_handler(DBAPIError)
    async def _db_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return problem(503, "The database connection was lost; try again shortly",
                           slug="unavailable", title="Service unavailable",
                           instance=request.url.path, headers={"Retry-After": "5"})
        log.exception("database error")
        return problem(500, "Internal error", instance=request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return problem(500, "Internal error", instance=request.url.path)
