"""The portal: server-rendered pages for people (DESIGN §15), Dutch first.

Web routes are as thin as the API's: they turn form fields into the same input schemas, call
the same services, and show the services' RFC 9457 errors as messages next to the field each
one names, with the user's input kept. A refused form rolls the request's transaction back,
so nothing is half-written. Sessions and CSRF tokens: :mod:`api.web.session`.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlmodel import Session

from api.config import Settings
from api.deps import SessionDep, SettingsDep
from api.errors import AppError, Forbidden, NotFound, TooManyRequests
from api.services import auth as auth_service
from api.services import catalogue, directory, leads, matching, notifications, organisations
from api.services.lead_views import present as present_leads
from api.web import session as web
from api.web.forms import field_errors
from api.web.i18n import LANG_COOKIE, language, translator
from models import taxonomy
from models.gazetteer import lookup_postcode
from models.lead import LeadContract, LeadCreate, LeadDecline
from models.need import NeedCreate
from models.organisation import RegistrationCreate, User, UserUpdate
from models.site import SiteCreate, WorkforceUpdate

router = APIRouter(include_in_schema=False)
HERE = Path(__file__).resolve().parent.parent
templates = Jinja2Templates(directory=HERE / "templates")
CSS = HERE / "static" / "portal.css"
CITATION = re.compile(r"\s*\(\d{3}:\d+(?:-\d+)?(?:,\s*\d{3}:\d+(?:-\d+)?)*\)")

FormStr = Annotated[str, Form(max_length=2000)]
CsrfField = Annotated[str, Form(alias=web.CSRF_FIELD, max_length=200)]


class _LoginRequired(Exception):
    pass


# ---- rendering --------------------------------------------------------------------------------

def _plain_words(text: str) -> str:
    """A seed explanation without its citation: "… volstaat (000:171-173)." → "… volstaat."."""
    return CITATION.sub("", text)


def _vocab(name: str, lang: str) -> list[dict[str, str]]:
    return [{"code": code, "label": entry["label"][lang],
             "description": _plain_words((entry.get("description") or {}).get(lang, ""))}
            for code, entry in taxonomy.vocabulary(name).items()]


def _families(lang: str) -> list[dict[str, Any]]:
    acts = taxonomy.activities()
    return [{"code": fam.code, "label": fam.label[lang],
             "activities": [{"code": code, "label": acts[code].label[lang]}
                            for code in fam.activities]}
            for fam in sorted(taxonomy.families().values(), key=lambda f: f.label[lang])]


def _activity_label(code: str, lang: str) -> str:
    activity = taxonomy.activity(code)
    return activity.label[lang] if activity is not None else code


def render(request: Request, template: str, ctx: dict[str, Any] | None = None, *,
           status: int = 200, user: User | None = None) -> HTMLResponse:
    lang = language(request)
    t = translator(lang)
    context = {"t": t, "lang": lang, "user": user, "csrf": web.current(request).csrf,
               "errors": {}, "values": {}, "path": request.url.path,
               "num": lambda x, digits=1: (f"{x:.{digits}f}".replace(".", ",") if lang == "nl"
                                           else f"{x:.{digits}f}"),
               "activity_label": lambda code: _activity_label(code, lang)}
    context |= ctx or {}
    response = templates.TemplateResponse(request, f"portal/{template}", context,
                                          status_code=status)
    response.headers["Cache-Control"] = "no-store"
    if request.query_params.get("lang") in ("nl", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, path="/", samesite="lax",
                            httponly=True)
    return web.store(request, response)


def _redirect(request: Request, url: str) -> Response:
    return web.store(request, RedirectResponse(url, status_code=303))


def _user(request: Request, session: Session) -> User:
    user = web.current(request).user(session)
    if user is None:
        raise _LoginRequired
    return user


def _login_redirect(request: Request) -> Response:
    return _redirect(request, "/login?next=" + request.url.path)


def _refused(request: Request, session: Session, template: str, exc: AppError |
             ValidationError, values: dict[str, Any], ctx: dict[str, Any] | None = None, *,
             user: User | None = None) -> HTMLResponse:
    """The form again, with each problem next to its field; the transaction rolled back."""
    session.rollback()
    status = exc.status if isinstance(exc, AppError) else 422
    return render(request, template, (ctx or {}) | {"errors": field_errors(exc),
                                                    "values": values},
                  status=status, user=user)


def _csrf_refused(request: Request, session: Session, template: str, values: dict[str, Any],
                  ctx: dict[str, Any] | None = None, *, user: User | None = None) -> HTMLResponse:
    session.rollback()
    t = translator(language(request))
    return render(request, template, (ctx or {}) | {"errors": {"_form": t("csrf_refused")},
                                                    "values": values}, status=403, user=user)


def _error_page(request: Request, status: int, message: str,
                user: User | None = None) -> HTMLResponse:
    return render(request, "error.html", {"message": message}, status=status, user=user)


def _guarded(fn):  # noqa: ANN001, ANN202 - a page that needs a login, and shows 403/404 pages
    import functools

    @functools.wraps(fn)
    def run(request: Request, session: Session, *args: Any, **kwargs: Any) -> Response:
        try:
            return fn(request, session, *args, **kwargs)
        except _LoginRequired:
            return _login_redirect(request)
        except AppError as exc:
            if exc.status not in (403, 404):
                raise
            session.rollback()
            t = translator(language(request))
            return _error_page(request, exc.status,
                               t("forbidden") if exc.status == 403 else t("not_found"),
                               web.current(request).user(session))
    return run


@router.get("/static/portal.css")
def stylesheet() -> FileResponse:
    return FileResponse(CSS, media_type="text/css",
                        headers={"Cache-Control": "public, max-age=3600"})


# ---- public pages -------------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse)
def landing(request: Request, session: SessionDep) -> HTMLResponse:
    lang = language(request)
    return render(request, "landing.html", {"families": _families(lang)},
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
    ctx: dict[str, Any] = {"families": _families(lang), "values": values, "errors": errors,
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
                                                    "searched": True}, user=user)


@router.get("/directory/{provider_id}", response_class=HTMLResponse)
def directory_profile(request: Request, provider_id: str, session: SessionDep,
                      settings: SettingsDep) -> HTMLResponse:
    user = web.current(request).user(session)
    t = translator(language(request))
    try:
        profile = directory.profile(session, uuid.UUID(provider_id),
                                    stale_days=settings.stale_workforce_days)
    except (ValueError, NotFound):
        return _error_page(request, 404, t("not_found"), user)
    modes = {m["code"]: m for m in _vocab("placement_modes", language(request))}
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
        return _csrf_refused(request, session, "register.html", values)
    try:
        data = RegistrationCreate.model_validate({
            "organisation": {"kind": kind, "name": name,
                             "enterprise_number": enterprise_number},
            "user": {"email": email, "password": password, "full_name": full_name,
                     "language": language(request)}})
        _, user = auth_service.register(session, data)
    except (AppError, ValidationError) as exc:
        return _refused(request, session, "register.html", exc, values)
    web.replace_session(request, web.current(request).login(user))
    return _redirect(request, "/app")


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
        return _csrf_refused(request, session, "login.html", values)
    t = translator(language(request))
    try:
        user = auth_service.authenticate_limited(session, request.app.state.rate_limits, email,
                                                 password)
    except TooManyRequests as exc:
        response = render(request, "login.html", {"values": values,
                                                  "errors": {"_form": exc.detail}}, status=429)
        response.headers.update(exc.headers or {})
        return response
    except AppError:
        return render(request, "login.html", {"values": values,
                                              "errors": {"_form": t("login_failed")}},
                      status=401)
    web.replace_session(request, web.current(request).login(user))
    return _redirect(request, _safe_next(next))


@router.post("/logout")
def logout(request: Request, csrf_token: CsrfField = "") -> Response:
    if not web.current(request).csrf_ok(csrf_token):
        return _error_page(request, 403, translator(language(request))("csrf_refused"))
    return web.clear(request, RedirectResponse("/", status_code=303))


# ---- signed-in home -------------------------------------------------------------------------

def _home_context(session: Session, user: User, settings: Settings | None = None,
                  lang: str = "nl") -> dict[str, Any]:
    sites, _ = organisations.list_sites(session, user, user.organisation_id, limit=200,
                                        offset=0)
    ctx: dict[str, Any] = {"sites": sites}
    if user.role == "company":
        needs, _ = catalogue.list_needs(session, user, status=None, activity=None,
                                        province=None, organisation_id=None, limit=200,
                                        offset=0)
        ctx["needs"] = needs
    else:
        rows, _ = leads.list_leads(session, user, role="inbox", status=None, need_id=None,
                                   limit=200, offset=0)
        ctx["leads"] = present_leads(session, rows, viewer=user)
        if settings is not None:
            ctx["opportunities"] = matching.opportunities_for_provider(
                session, user, settings, user.organisation_id, limit=10, lang=lang).items
    return ctx


@router.get("/app", response_class=HTMLResponse)
@_guarded
def home(request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    user = _user(request, session)
    return render(request, "home.html",
                  _home_context(session, user, settings, language(request)), user=user)


@router.post("/app/sites", response_class=HTMLResponse)
@_guarded
def add_site(request: Request, session: SessionDep, csrf_token: CsrfField = "",
             name: FormStr = "", street: FormStr = "", postcode: FormStr = "") -> Response:
    user = _user(request, session)
    values = {"name": name, "street": street, "postcode": postcode}
    if not web.current(request).csrf_ok(csrf_token):
        return _csrf_refused(request, session, "home.html", values,
                             _home_context(session, user), user=user)
    try:
        organisations.create_site(session, user, user.organisation_id,
                                  SiteCreate(name=name, street=street, postcode=postcode))
    except (AppError, ValidationError) as exc:
        session.rollback()
        return _refused(request, session, "home.html", exc, values,
                        _home_context(session, user), user=user)
    return _redirect(request, "/app")


# ---- company: needs -------------------------------------------------------------------------

def _need_form_context(session: Session, user: User, lang: str,
                       activity: str) -> dict[str, Any]:
    act = taxonomy.known_activity(activity)
    comps = taxonomy.competences()
    sites, _ = organisations.list_sites(session, user, user.organisation_id, limit=200,
                                        offset=0)
    modes = [m for m in _vocab("placement_modes", lang) if m["code"] in act.modes]
    return {"activity": {"code": act.code, "label": act.label[lang],
                         "family": act.family_label[lang]},
            # the activity's typical competences first (pre-ticked), then the others
            "competences": [{"code": c, "label": comps[c].label[lang]}
                            for c in sorted(comps, key=lambda c: (
                                c not in act.typical_competences, comps[c].label[lang]))],
            "modes": modes, "supports": _vocab("support_levels", lang), "sites": sites}


@router.get("/app/needs/new", response_class=HTMLResponse)
@_guarded
def need_form(request: Request, session: SessionDep, activity: str = "",
              pick: str = "") -> HTMLResponse:
    user = _user(request, session)
    if user.role != "company":
        raise Forbidden("Only companies post needs")
    lang = language(request)
    act = taxonomy.activity(activity) if activity else None
    if act is None:  # step 1 (`pick`: the activity chosen before, to change it)
        return render(request, "need_activity.html", {"families": _families(lang),
                                                      "values": {"activity": pick}},
                      user=user)
    values = {"competences": list(act.typical_competences),
              "placement_mode": act.modes[0], "accommodates_support": "medium",
              "fte": "", "title": act.label[lang]}
    return render(request, "need_form.html", _need_form_context(session, user, lang, activity)
                  | {"values": values}, user=user)


@router.post("/app/needs", response_class=HTMLResponse)
@_guarded
def post_need(request: Request, session: SessionDep, csrf_token: CsrfField = "",
              activity: FormStr = "", site_id: FormStr = "", title: FormStr = "",
              description: FormStr = "", placement_mode: FormStr = "", fte: FormStr = "",
              accommodates_support: FormStr = "",
              competences: Annotated[list[str], Form(max_length=60)] = []) -> Response:  # noqa: B006
    user = _user(request, session)
    lang = language(request)
    if taxonomy.activity(activity) is None:
        return _redirect(request, "/app/needs/new")
    values = {"activity": activity, "site_id": site_id, "title": title,
              "description": description, "placement_mode": placement_mode, "fte": fte,
              "accommodates_support": accommodates_support, "competences": competences}
    ctx = _need_form_context(session, user, lang, activity)
    if not web.current(request).csrf_ok(csrf_token):
        return _csrf_refused(request, session, "need_form.html", values, ctx, user=user)
    try:
        data = NeedCreate.model_validate({
            "site_id": site_id, "title": title, "description": description,
            "activity": activity, "competences": competences,
            "placement_mode": placement_mode, "fte": fte,
            "accommodates_support": accommodates_support})
        need = catalogue.create_need(session, user, data)
        catalogue.change_need_status(session, user, need.id, "open")
    except (AppError, ValidationError) as exc:
        return _refused(request, session, "need_form.html", exc, values, ctx, user=user)
    return _redirect(request, f"/app/needs/{need.id}")


def _need_context(session: Session, settings: Settings, user: User, need_id: uuid.UUID,
                  lang: str) -> dict[str, Any]:
    need = catalogue.get_need(session, user, need_id)
    result = matching.matches_for_need(session, user, settings, need_id, limit=10,
                                       include_excluded=False, lang=lang)
    rows, _ = leads.list_leads(session, user, role=None, status=None, need_id=need_id,
                               limit=100, offset=0)
    sent = present_leads(session, rows, viewer=user)
    return {"need": need, "matches": result.items, "diagnosis": result.diagnosis,
            "leads": sent, "lead_by_capability": {lead.capability_id: lead for lead in sent}}


def _need_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise NotFound("Need not found") from exc


@router.get("/app/needs/{need_id}", response_class=HTMLResponse)
@_guarded
def need_page(request: Request, session: SessionDep, settings: SettingsDep,
              need_id: str) -> HTMLResponse:
    user = _user(request, session)
    ctx = _need_context(session, settings, user, _need_id(need_id), language(request))
    return render(request, "need.html", ctx, user=user)


@router.post("/app/needs/{need_id}/leads", response_class=HTMLResponse)
@_guarded
def need_send_lead(request: Request, session: SessionDep, settings: SettingsDep, need_id: str,
                   csrf_token: CsrfField = "", capability_id: FormStr = "") -> Response:
    user = _user(request, session)
    nid = _need_id(need_id)
    lang = language(request)
    if not web.current(request).csrf_ok(csrf_token):
        return _csrf_refused(request, session, "need.html", {},
                             _need_context(session, settings, user, nid, lang), user=user)
    try:
        leads.send_lead(session, user, nid, LeadCreate.model_validate(
            {"capability_id": capability_id}), settings)
    except (AppError, ValidationError) as exc:
        session.rollback()
        return _refused(request, session, "need.html", exc, {},
                        _need_context(session, settings, user, nid, lang), user=user)
    return _redirect(request, f"/app/needs/{nid}#leads")


# ---- leads (both sides) -------------------------------------------------------------------

def _lead_context(session: Session, user: User, lead_id: uuid.UUID,
                  lang: str) -> dict[str, Any]:
    lead = present_leads(session, [leads.get_lead(session, user, lead_id)], viewer=user)[0]
    return {"lead": lead, "reasons": _vocab("decline_reasons", lang),
            "side": "provider" if lead.provider_id == user.organisation_id else "company"}


@router.get("/app/leads/{lead_id}", response_class=HTMLResponse)
@_guarded
def lead_page(request: Request, session: SessionDep, lead_id: str) -> HTMLResponse:
    user = _user(request, session)
    return render(request, "lead.html",
                  _lead_context(session, user, _need_id(lead_id), language(request)), user=user)


@router.post("/app/leads/{lead_id}/{action}", response_class=HTMLResponse)
@_guarded
def lead_action(request: Request, session: SessionDep, lead_id: str, action: str,
                csrf_token: CsrfField = "", reason_code: FormStr = "", reason_text: FormStr = "",
                fte: FormStr = "") -> Response:
    user = _user(request, session)
    lid = _need_id(lead_id)
    lang = language(request)
    values = {"reason_code": reason_code, "reason_text": reason_text, "fte": fte}
    if action not in ("accept", "decline", "contract", "withdraw"):
        raise NotFound("No such action")
    if not web.current(request).csrf_ok(csrf_token):
        return _csrf_refused(request, session, "lead.html", values,
                             _lead_context(session, user, lid, lang), user=user)
    try:
        if action == "accept":
            leads.accept_lead(session, user, lid)
        elif action == "decline":
            leads.decline_lead(session, user, lid, LeadDecline.model_validate(
                {"reason_code": reason_code, "reason_text": reason_text}))
        elif action == "contract":
            leads.contract_lead(session, user, lid, LeadContract.model_validate({"fte": fte}))
        else:
            leads.withdraw_lead(session, user, lid)
    except (AppError, ValidationError) as exc:
        if isinstance(exc, AppError) and exc.status == 404:
            raise
        session.rollback()
        return _refused(request, session, "lead.html", exc, values,
                        _lead_context(session, user, lid, lang), user=user)
    return _redirect(request, f"/app/leads/{lid}")


# ---- provider: workforce ------------------------------------------------------------------

def _workforce_context(session: Session, user: User, site_id: uuid.UUID) -> dict[str, Any]:
    site = organisations.get_site(session, user, user.organisation_id, site_id)
    rows = organisations.list_workforce(session, user, user.organisation_id)
    current = next((w for w in rows if w.site_id == site.id), None)
    return {"site": site, "workforce": current}


@router.get("/app/sites/{site_id}/workforce", response_class=HTMLResponse)
@_guarded
def workforce_page(request: Request, session: SessionDep, site_id: str) -> HTMLResponse:
    user = _user(request, session)
    ctx = _workforce_context(session, user, _need_id(site_id))
    w = ctx["workforce"]
    values = {k: (f"{getattr(w, k):g}" if w else "0") for k in
              ("free_fte_low", "free_fte_medium", "free_fte_high", "supervisors_available")}
    return render(request, "workforce.html", ctx | {"values": values,
                                                    "saved": "saved" in request.query_params},
                  user=user)


@router.post("/app/sites/{site_id}/workforce", response_class=HTMLResponse)
@_guarded
def workforce_save(request: Request, session: SessionDep, site_id: str,
                   csrf_token: CsrfField = "", confirm: FormStr = "",
                   free_fte_low: FormStr = "", free_fte_medium: FormStr = "",
                   free_fte_high: FormStr = "", supervisors_available: FormStr = "") -> Response:
    user = _user(request, session)
    sid = _need_id(site_id)
    ctx = _workforce_context(session, user, sid)
    values = {"free_fte_low": free_fte_low, "free_fte_medium": free_fte_medium,
              "free_fte_high": free_fte_high, "supervisors_available": supervisors_available}
    if not web.current(request).csrf_ok(csrf_token):
        return _csrf_refused(request, session, "workforce.html", values, ctx, user=user)
    w = ctx["workforce"]
    if confirm and w is not None:  # "figures still correct": the same figures, dated today
        values = {k: getattr(w, k) for k in values}
    try:
        organisations.set_workforce(session, user, user.organisation_id, sid,
                                    WorkforceUpdate.model_validate(values))
    except (AppError, ValidationError) as exc:
        if isinstance(exc, AppError) and exc.status == 404:
            raise
        return _refused(request, session, "workforce.html", exc, values, ctx, user=user)
    return _redirect(request, f"/app/sites/{sid}/workforce?saved=1")


# ---- both: leads list, sites, settings ----------------------------------------------------

@router.get("/app/leads", response_class=HTMLResponse)
@_guarded
def lead_list(request: Request, session: SessionDep) -> HTMLResponse:
    user = _user(request, session)
    role = "outbox" if user.role == "company" else "inbox"
    rows, total = leads.list_leads(session, user, role=role, status=None, need_id=None,
                                   limit=200, offset=0)
    return render(request, "leads.html", {"leads": present_leads(session, rows, viewer=user),
                                          "total": total, "role": role}, user=user)


@router.get("/app/sites", response_class=HTMLResponse)
@_guarded
def site_list(request: Request, session: SessionDep) -> HTMLResponse:
    user = _user(request, session)
    return render(request, "sites.html", _home_context(session, user), user=user)


def _settings_context(session: Session, user: User) -> dict[str, Any]:
    row = notifications.get_settings_row(session, user, user.organisation_id)
    return {"digest": row.opportunity_digest}


@router.get("/app/settings", response_class=HTMLResponse)
@_guarded
def settings_page(request: Request, session: SessionDep) -> HTMLResponse:
    user = _user(request, session)
    return render(request, "settings.html", _settings_context(session, user)
                  | {"values": {"language": user.language},
                     "saved": "saved" in request.query_params}, user=user)


@router.post("/app/settings", response_class=HTMLResponse)
@_guarded
def settings_save(request: Request, session: SessionDep, csrf_token: CsrfField = "",
                  language_choice: Annotated[str, Form(alias="language", max_length=5)] = "",
                  opportunity_digest: FormStr = "") -> Response:
    user = _user(request, session)
    values = {"language": language_choice}
    ctx = _settings_context(session, user)
    if not web.current(request).csrf_ok(csrf_token):
        return _csrf_refused(request, session, "settings.html", values, ctx, user=user)
    try:
        auth_service.update_me(session, user, UserUpdate.model_validate(
            {"language": language_choice}))
        if user.role == "provider":
            notifications.set_digest(session, user, user.organisation_id,
                                     opportunity_digest == "on")
    except (AppError, ValidationError) as exc:
        return _refused(request, session, "settings.html", exc, values, ctx, user=user)
    response = _redirect(request, f"/app/settings?saved=1&lang={user.language}")
    return response
