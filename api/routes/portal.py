"""The portal: server-rendered pages for people (DESIGN §15), Dutch first.

Web routes are as thin as the API's: they turn form fields into the same input schemas, call
the same services, and show the services' RFC 9457 errors as messages next to the field each
one names, with the user's input kept. A refused form rolls the request's transaction back,
so nothing is half-written. Sessions and CSRF tokens: :mod:`api.web.session`; what every page
shares: :mod:`api.web.pages`.

This module holds the public pages and the accounts; it includes the signed-in pages of both
roles (:mod:`api.routes.portal_app`), of companies (``portal_company``) and of providers
(``portal_provider``).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.deps import SessionDep, SettingsDep
from api.errors import AppError, NotFound, TooManyRequests
from api.routes import portal_app, portal_company, portal_provider
from api.services import auth as auth_service
from api.services import directory, geomap
from api.web import session as web
from api.web.forms import service_message
from api.web.i18n import language, translator
from api.web.pages import (
    CsrfField,
    FormStr,
    csrf_refused,
    error_page,
    families,
    redirect,
    refused,
    render,
    vocab,
)
from models import taxonomy
from models.gazetteer import lookup_postcode
from models.organisation import RegistrationCreate

router = APIRouter(include_in_schema=False)
CSS = Path(__file__).resolve().parent.parent / "static" / "portal.css"


@router.get("/static/portal.css")
def stylesheet() -> FileResponse:
    return FileResponse(CSS, media_type="text/css",
                        headers={"Cache-Control": "public, max-age=3600"})


# ---- public pages -------------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse)
def landing(request: Request, session: SessionDep) -> HTMLResponse:
    lang = language(request)
    return render(request, "landing.html", {"families": families(lang)},
                  user=web.current(request).user(session))


@router.get("/directory", response_class=HTMLResponse)
def directory_search(request: Request, session: SessionDep, settings: SettingsDep,
                     activity: str = "", postcode: str = "", radius_km: str = "") -> HTMLResponse:
    lang = language(request)
    t = translator(lang)
    values = {"activity": activity, "postcode": postcode, "radius_km": radius_km}
    errors: dict[str, str] = {}
    if activity and taxonomy.activity(activity) is None:
        errors["activity"] = "unknown activity"
    place = None
    if postcode.strip():
        place = lookup_postcode(postcode.strip())
        if place is None:
            errors["postcode"] = (f"onbekende Belgische postcode {postcode.strip()!r}"
                                  if lang == "nl" else
                                  f"unknown Belgian postcode {postcode.strip()!r}")
    radius = None
    if radius_km.strip():
        try:
            radius = float(radius_km)
            if not 0 < radius <= 500:
                raise ValueError
        except ValueError:
            errors["radius_km"] = ("een getal tussen 0 en 500" if lang == "nl"
                                   else "a number between 0 and 500")
        if place is None and "postcode" not in errors:
            errors["postcode"] = ("een straal heeft een postcode nodig" if lang == "nl"
                                  else "a radius needs a postcode")
    ctx: dict[str, Any] = {"families": families(lang), "values": values, "errors": errors,
                           "items": [], "total": 0}
    user = web.current(request).user(session)
    if errors:
        return render(request, "directory.html", ctx | {"refused": t("form_refused")},
                      status=422, user=user)
    query = directory.DirectoryQuery(activities=frozenset({activity}) if activity else None,
                                     place=place, radius_km=radius)
    items, total = directory.search(session, query, limit=50, offset=0,
                                    stale_days=settings.stale_workforce_days)
    return render(request, "directory.html", ctx | {"items": items, "total": total,
                                                    "searched": True,
                                                    "map": _results_map(items, place,
                                                                        radius)},
                  user=user)


def _results_map(items: list[Any], place: Any,
                 radius_km: float | None) -> geomap.PointMap | None:
    """The results on a small map of Flanders (municipality centres, the public data)."""
    points = [(number, p.municipality, *point) for number, p in enumerate(items, start=1)
              if (point := geomap.municipality_point(p.municipality)) is not None]
    if not points:
        return None
    centre = (place.lon, place.lat) if place is not None else None
    return geomap.point_map(points, centre=centre, radius_km=radius_km)


@router.get("/directory/{provider_id}", response_class=HTMLResponse)
def directory_profile(request: Request, provider_id: str, session: SessionDep,
                      settings: SettingsDep) -> HTMLResponse:
    user = web.current(request).user(session)
    t = translator(language(request))
    try:
        profile = directory.profile(session, uuid.UUID(provider_id),
                                    stale_days=settings.stale_workforce_days)
    except (ValueError, NotFound):
        return error_page(request, 404, t("not_found"), user)
    modes = {m["code"]: m for m in vocab("placement_modes", language(request))}
    return render(request, "provider.html", {"p": profile, "modes": modes}, user=user)


# ---- accounts -----------------------------------------------------------------------------

@router.get("/register", response_class=HTMLResponse)
def register_form(request: Request) -> HTMLResponse:
    return render(request, "register.html", {"values": {"kind": "company"}})


@router.post("/register", response_class=HTMLResponse)
def register(request: Request, session: SessionDep, csrf_token: CsrfField = "",
             kind: FormStr = "", name: FormStr = "", enterprise_number: FormStr = "",
             full_name: FormStr = "", email: FormStr = "",
             password: Annotated[str, Form(max_length=200)] = "") -> Response:
    values = {"kind": kind, "name": name, "enterprise_number": enterprise_number,
              "full_name": full_name, "email": email}
    if not web.current(request).csrf_ok(csrf_token):
        return csrf_refused(request, session, "register.html", values)
    try:
        data = RegistrationCreate.model_validate({
            "organisation": {"kind": kind, "name": name,
                             "enterprise_number": enterprise_number},
            "user": {"email": email, "password": password, "full_name": full_name,
                     "language": language(request)}})
        _, user = auth_service.register(session, data)
    except (AppError, ValidationError) as exc:
        return refused(request, session, "register.html", exc, values)
    web.replace_session(request, web.current(request).login(user))
    return redirect(request, "/app")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "") -> HTMLResponse:  # noqa: A002
    return render(request, "login.html", {"values": {"next": next}})


def _safe_next(target: str) -> str:
    # only a path of this site: never `//elsewhere` or `https://elsewhere`
    return target if target.startswith("/") and not target.startswith("//") else "/app"


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, session: SessionDep, csrf_token: CsrfField = "",
          email: FormStr = "", password: Annotated[str, Form(max_length=200)] = "",
          next: FormStr = "") -> Response:  # noqa: A002
    values = {"email": email, "next": next}
    if not web.current(request).csrf_ok(csrf_token):
        return csrf_refused(request, session, "login.html", values)
    t = translator(language(request))
    try:
        user = auth_service.authenticate_limited(session, request.app.state.rate_limits, email,
                                                 password)
    except TooManyRequests as exc:
        response = render(request, "login.html", {"values": values,
                                                  "errors": {"_form": service_message(
                                                      exc.detail, language(request))}},
                      status=429)
        response.headers.update(exc.headers or {})
        return response
    except AppError:
        return render(request, "login.html", {"values": values,
                                              "errors": {"_form": t("login_failed")}},
                      status=401)
    web.replace_session(request, web.current(request).login(user))
    return redirect(request, _safe_next(next))


@router.post("/logout")
def logout(request: Request, csrf_token: CsrfField = "") -> Response:
    if not web.current(request).csrf_ok(csrf_token):
        return error_page(request, 403, translator(language(request))("csrf_refused"))
    return web.clear(request, RedirectResponse("/", status_code=303))



for _pages in (portal_app, portal_company, portal_provider):
    router.include_router(_pages.router)
