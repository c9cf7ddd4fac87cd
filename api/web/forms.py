"""Service and schema errors as messages next to the form fields they name."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from api.errors import AppError


def _field(loc: Any) -> str:
    """The form field a problem's ``loc`` names: its last named part (``["body", "user",
    "email"]`` → ``email``); ``_form`` when it names none."""
    names = [part for part in (loc or ()) if isinstance(part, str) and part not in ("body",
                                                                                     "query")]
    return names[-1] if names else "_form"


def field_errors(exc: AppError | ValidationError) -> dict[str, str]:
    """``{field: message}`` for a refused form: the RFC 9457 ``errors`` of an ``AppError``
    (or its ``detail`` under ``_form``), or a schema's validation errors."""
    out: dict[str, str] = {}
    if isinstance(exc, ValidationError):
        for detail in exc.errors(include_url=False):
            err = dict(detail)
            out.setdefault(_field(err["loc"]), str(err["msg"]).removeprefix("Value error, "))
        return out
    for err in exc.errors or ():
        out.setdefault(_field(err.get("loc")), str(err.get("msg", "")))
    if not out:
        out["_form"] = exc.detail
    return out
