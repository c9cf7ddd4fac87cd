"""Request input that no field may carry: characters the database cannot store.

PostgreSQL refuses NUL (U+0000) in text, and a lone UTF-16 surrogate (``"\\ud800"`` in JSON)
cannot be encoded to UTF-8 at all; either reached the driver as a 500. Rather than a check
on every string field, :func:`unstorable_input` looks at what a request brings in (path
parameters, query parameters, a JSON body, a URL-encoded form) before FastAPI validates it,
and names each offending field the way a validation error does (``["query", "entity"]``,
``["body", "sites", 0, "name"]``). :func:`refuse_unstorable_input` is an application-wide
dependency (``FastAPI(dependencies=...)``), solved before every route's own dependencies and
body validation, so the check holds for every endpoint, present and future.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.datastructures import UploadFile
from starlette.requests import Request

MESSAGE = ("contains a character that cannot be stored (NUL U+0000 or an unpaired UTF-16 "
           "surrogate)")
_REFUSED = re.compile("[\x00\ud800-\udfff]")
FORM_TYPE = "application/x-www-form-urlencoded"


def refused(value: str) -> bool:
    return _REFUSED.search(value) is not None


def _error(loc: list[str | int]) -> dict[str, Any]:
    return {"type": "string_unstorable_character", "loc": tuple(loc), "msg": MESSAGE,
            "input": None}


def _walk(value: Any, loc: list[str | int], out: list[dict[str, Any]]) -> None:
    if isinstance(value, str):
        if refused(value):
            out.append(_error(loc))
    elif isinstance(value, dict):
        for key, item in value.items():
            if refused(key):
                out.append(_error([*loc, repr(key)]))
            else:
                _walk(item, [*loc, key], out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, [*loc, index], out)


def _json_may_refuse(body: bytes) -> bool:
    # a JSON text can only carry NUL or a surrogate as a \u escape (a raw NUL is invalid
    # JSON, raw surrogates invalid UTF-8): most bodies are passed without parsing them twice
    return b"\\u" in body


async def unstorable_input(request: Request) -> list[dict[str, Any]]:
    """Validation errors (FastAPI's format) for every input value the database cannot store."""
    errors: list[dict[str, Any]] = []
    for name, value in request.path_params.items():
        if isinstance(value, str) and refused(value):
            errors.append(_error(["path", name]))
    for name, value in request.query_params.multi_items():
        if refused(name) or refused(value):
            errors.append(_error(["query", name if not refused(name) else repr(name)]))
    if request.method in ("GET", "HEAD", "OPTIONS", "DELETE"):
        return errors
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == FORM_TYPE:
        # FastAPI has parsed (and cached) the form before dependencies run; its stream is gone
        form = await request.form()
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                continue
            if refused(name) or refused(value):
                errors.append(_error(["body", name if not refused(name) else repr(name)]))
    elif content_type == "application/json" or content_type.endswith("+json"):
        body = await request.body()
        if _json_may_refuse(body):
            try:
                parsed = json.loads(body)
            except ValueError:
                return errors  # FastAPI answers the syntax error itself
            _walk(parsed, ["body"], errors)
    return errors


async def refuse_unstorable_input(request: Request) -> None:
    """The application-wide dependency: a 422 naming every field the database cannot store."""
    if errors := await unstorable_input(request):
        raise RequestValidationError(errors)
