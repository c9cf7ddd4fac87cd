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


#: Dutch for the schema checks a form meets most (pydantic error types); the others, and the
#: services' own messages, keep their English text
DUTCH = {
    "missing": "Vul dit veld in",
    "greater_than_equal": "Minstens {ge}",
    "greater_than": "Meer dan {gt}",
    "less_than_equal": "Hoogstens {le}",
    "less_than": "Minder dan {lt}",
    "string_too_short": "Minstens {min_length} tekens",
    "string_too_long": "Hoogstens {max_length} tekens",
    "float_parsing": "Geef een getal",
    "float_type": "Geef een getal",
    "int_parsing": "Geef een geheel getal",
    "finite_number": "Geef een getal",
    "literal_error": "Kies een van de mogelijkheden",
    "enum": "Kies een van de mogelijkheden",
    "too_short": "Kies er minstens {min_length}",
    "too_long": "Hoogstens {max_length}",
}


def _dutch_number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def _message(err: dict[str, Any], lang: str) -> str:
    template = DUTCH.get(err["type"]) if lang == "nl" else None
    if template is None:
        return str(err["msg"]).removeprefix("Value error, ")
    ctx = {key: _dutch_number(value) for key, value in (err.get("ctx") or {}).items()}
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):  # a context this type does not always carry
        return str(err["msg"])


def field_errors(exc: AppError | ValidationError, lang: str = "en") -> dict[str, str]:
    """``{field: message}`` for a refused form: the RFC 9457 ``errors`` of an ``AppError``
    (or its ``detail`` under ``_form``), or a schema's validation errors (in Dutch for the
    common checks when ``lang`` is ``nl``)."""
    out: dict[str, str] = {}
    if isinstance(exc, ValidationError):
        for detail in exc.errors(include_url=False):
            err = dict(detail)
            out.setdefault(_field(err["loc"]), _message(err, lang))
        return out
    for err in exc.errors or ():
        out.setdefault(_field(err.get("loc")), str(err.get("msg", "")))
    if not out:
        out["_form"] = exc.detail
    return out
