"""What every portal page shares: rendering in the visitor's language, the login guard, and
refused forms shown again with each problem next to its field (the transaction rolled back).

The page routes live in ``api.routes.portal`` (public pages, accounts), ``portal_app`` (pages
of both roles), ``portal_company`` and ``portal_provider``.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlmodel import Session

from api.errors import AppError, NotFound
from api.web import session as web
from api.web.forms import field_errors
from api.web.i18n import LANG_COOKIE, language, translator
from models import taxonomy
from models.organisation import User

HERE = Path(__file__).resolve().parent.parent
templates = Jinja2Templates(directory=HERE / "templates")
#: the portal's people are in Flanders: times are shown on Belgian clocks
LOCAL_ZONE = ZoneInfo("Europe/Brussels")
CITATION = re.compile(r"\s*\(\d{3}:\d+(?:-\d+)?(?:,\s*\d{3}:\d+(?:-\d+)?)*\)")

FormStr = Annotated[str, Form(max_length=2000)]
CsrfField = Annotated[str, Form(alias=web.CSRF_FIELD, max_length=200)]
FormList = Annotated[list[str], Form(max_length=60)]


def local_time(moment: datetime, fmt: str = "%d-%m-%Y %H:%M") -> str:
    """A stored moment (UTC; naive ones are UTC too) on Belgian clocks, as ``fmt``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_ZONE).strftime(fmt)


templates.env.filters["local"] = local_time


def dial(phone: str) -> str:
    """A phone number as a ``tel:`` link's target: its digits and a leading + only."""
    return re.sub(r"[^0-9+]", "", phone)


templates.env.filters["dial"] = dial


class LoginRequired(Exception):
    """Raised by :func:`signed_in` when nobody is logged in: the guard redirects to /login."""


def plain_words(text: str) -> str:
    """A seed explanation without its citation: "… volstaat (000:171-173)." → "… volstaat."."""
    return CITATION.sub("", text)


def vocab(name: str, lang: str) -> list[dict[str, str]]:
    return [{"code": code, "label": entry["label"][lang],
             "description": plain_words((entry.get("description") or {}).get(lang, ""))}
            for code, entry in taxonomy.vocabulary(name).items()]


def families(lang: str) -> list[dict[str, Any]]:
    acts = taxonomy.activities()
    return [{"code": fam.code, "label": fam.label[lang],
             "activities": [{"code": code, "label": acts[code].label[lang]}
                            for code in fam.activities]}
            for fam in sorted(taxonomy.families().values(), key=lambda f: f.label[lang])]


def activity_label(code: str, lang: str) -> str:
    activity = taxonomy.activity(code)
    return activity.label[lang] if activity is not None else code


def number(value: float, lang: str, digits: int = 1) -> str:
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "nl" else text


def render(request: Request, template: str, ctx: dict[str, Any] | None = None, *,
           status: int = 200, user: User | None = None) -> HTMLResponse:
    lang = language(request)
    context = {"t": translator(lang), "lang": lang, "user": user,
               "csrf": web.current(request).csrf, "errors": {}, "values": {},
               "path": request.url.path,
               "num": lambda x, digits=1: number(x, lang, digits),
               "activity_label": lambda code: activity_label(code, lang)}
    context |= ctx or {}
    response = templates.TemplateResponse(request, f"portal/{template}", context,
                                          status_code=status)
    response.headers["Cache-Control"] = "no-store"
    if request.query_params.get("lang") in ("nl", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, path="/", samesite="lax",
                            httponly=True)
    return web.store(request, response)


def redirect(request: Request, url: str) -> Response:
    return web.store(request, RedirectResponse(url, status_code=303))


def signed_in(request: Request, session: Session) -> User:
    user = web.current(request).user(session)
    if user is None:
        raise LoginRequired
    return user


def login_redirect(request: Request) -> Response:
    return redirect(request, "/login?next=" + request.url.path)


def refused(request: Request, session: Session, template: str,
            exc: AppError | ValidationError, values: dict[str, Any],
            ctx: dict[str, Any] | Callable[[], dict[str, Any]] | None = None, *,
            user: User | None = None, rename: dict[str, str] | None = None) -> HTMLResponse:
    """The form again, with each problem next to its field; the transaction rolled back.

    ``ctx`` may be a function, called after the rollback so the page shows what is stored;
    ``rename`` maps a problem's field to its id on a page with several such forms
    (``fte`` → ``fte-<lead id>``).
    """
    session.rollback()
    status = exc.status if isinstance(exc, AppError) else 422
    errors = {(rename or {}).get(k, k): v
              for k, v in field_errors(exc, language(request)).items()}
    context = ctx() if callable(ctx) else (ctx or {})
    return render(request, template, context | {"errors": errors, "values": values},
                  status=status, user=user)


def csrf_refused(request: Request, session: Session, template: str, values: dict[str, Any],
                 ctx: dict[str, Any] | Callable[[], dict[str, Any]] | None = None, *,
                 user: User | None = None) -> HTMLResponse:
    session.rollback()
    t = translator(language(request))
    context = ctx() if callable(ctx) else (ctx or {})
    return render(request, template, context | {"errors": {"_form": t("csrf_refused")},
                                                "values": values}, status=403, user=user)


def error_page(request: Request, status: int, message: str,
               user: User | None = None) -> HTMLResponse:
    return render(request, "error.html", {"message": message}, status=status, user=user)


def guarded(fn):  # noqa: ANN001, ANN201 - a page that needs a login, and shows 403/404 pages
    @functools.wraps(fn)
    def run(request: Request, session: Session, *args: Any, **kwargs: Any) -> Response:
        try:
            return fn(request, session, *args, **kwargs)
        except LoginRequired:
            return login_redirect(request)
        except AppError as exc:
            if exc.status not in (403, 404):
                raise
            session.rollback()
            t = translator(language(request))
            return error_page(request, exc.status,
                              t("forbidden") if exc.status == 403 else t("not_found"),
                              web.current(request).user(session))
    return run


def path_id(value: str, what: str = "Page") -> uuid.UUID:
    """An id from the path; anything else is the 404 the API gives for an unknown id."""
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise NotFound(f"{what} not found") from exc


def csrf_ok(request: Request, token: str) -> bool:
    return web.current(request).csrf_ok(token)
