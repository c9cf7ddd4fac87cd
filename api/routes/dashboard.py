"""The staff pages: the monitoring dashboard, the cluster page, starting a cluster run.

Server-rendered HTML (inline CSS and SVG, no script, no external asset), Dutch first with an
English toggle (``?lang=en``, kept in the portal's language cookie). Browsers cannot attach a
bearer header to a link, so besides ``Authorization: Bearer`` the pages accept the same access
token from the ``koppel_token`` cookie that ``POST /dashboard/login`` sets: HttpOnly (no script
reads it), SameSite=Strict (no other site triggers requests with it), path ``/dashboard`` (the
JSON API never accepts it) and ``Secure`` in production.

Every POST form carries a CSRF token: an HMAC of the caller's access token under a key derived
from the app's secret for this purpose only, so it is worthless without the token and a form
from elsewhere cannot carry it. Status changes and runs go through :mod:`api.services.clusters`,
the same service, checks and transitions as ``/clusters`` and ``/cluster-runs``.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.datastructures import URL

from api.config import Settings
from api.deps import SessionDep, SettingsDep, authenticate
from api.errors import AppError, Problem, TooManyRequests, Unauthorized
from api.routes.clusters import JobBind
from api.routes.params import ActivityFilter, ProvinceFilter
from api.services import auth as auth_service
from api.services import clusters as cluster_service
from api.services import dashboard as service
from api.services import dashboard_clusters
from api.services.access import is_staff
from api.services.dashboard_text import LANGUAGES, text
from api.services.stats import Scope
from api.web.forms import field_errors
from api.web.i18n import LANG_COOKIE, language
from models.cluster import ClusterRunCreate, ClusterStatusChange
from models.organisation import User

router = APIRouter(prefix="/dashboard", tags=["monitoring"])
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")

HTML = {"text/html": {"schema": {"type": "string"}}}
COOKIE = "koppel_token"
COOKIE_PATH = "/dashboard"
LOGIN_URL = "/dashboard/login"
CSRF_FIELD = "csrf_token"

PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    303: {"description": "Not logged in: redirect to /dashboard/login"},
    403: {"description": "Logged in, but not department staff", "content": HTML},
    422: {"model": Problem, "description": "Invalid parameter"}}
FORM_RESPONSES: dict[int | str, dict[str, Any]] = {
    303: {"description": "Done (or not logged in): redirect"},
    403: {"description": "Not department staff, or a missing or wrong CSRF token",
          "content": HTML},
    404: {"description": "No such cluster (or not one the caller may see)", "content": HTML},
    409: {"description": "Transition not allowed: the page again with the message",
          "content": HTML},
    422: {"model": Problem, "description": "A malformed path or form field (a refused value, "
          "such as an unknown family or status, shows the page again with the message, as "
          "HTML)"}}


def _token(request: Request) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip()
    return request.cookies.get(COOKIE)


def csrf_token(settings: Settings, token: str) -> str:
    """The CSRF token of forms rendered for the holder of access ``token``."""
    key = hashlib.sha256(b"koppel-dashboard-csrf\x00" + settings.secret_key.encode()).digest()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def _csrf_ok(settings: Settings, token: str | None, submitted: str | None) -> bool:
    # bytes: compare_digest refuses str with non-ASCII characters, which a form may carry
    return bool(token and submitted) and hmac.compare_digest(
        csrf_token(settings, token or "").encode(), (submitted or "").encode())


def _relative(url: URL) -> str:
    return url.path + ("?" + url.query if url.query else "")


def _render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    other = LANGUAGES[1 - LANGUAGES.index(lang)]
    # a page answering a form links the language toggle to the page the form was on
    url = request.url if request.method == "GET" else request.url.replace(
        path=request.url.path.removesuffix("/status").removesuffix("/cluster-runs"), query="")
    context |= {"lang": lang, "other_lang": other,
                "toggle_url": _relative(url.include_query_params(lang=other)),
                "t": lambda key, **values: text(lang, key, **values)}
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        response.set_cookie(LANG_COOKIE, asked, max_age=365 * 86400, path="/", samesite="lax",
                            secure=request.app.state.settings.environment == "production")
    return response


def _login_page(request: Request, status: int, error: str | None = None,
                email: str | None = None) -> HTMLResponse:
    return _render(request, "dashboard_login.html", status, error=error, email=email)


def _message_page(request: Request, status: int, message: str) -> HTMLResponse:
    return _render(request, "dashboard_message.html", status, message=message)


def _staff(request: Request, session: SessionDep, settings: Settings) -> User | Response:
    """The logged-in staff user, or the response to send instead (login or 403 page)."""
    try:
        user = authenticate(session, settings, _token(request))
    except Unauthorized:
        return RedirectResponse(LOGIN_URL, status_code=303)
    if not is_staff(user):
        return _login_page(request, 403, text(language(request), "staff_only"))
    return user


def _dashboard_page(request: Request, session: SessionDep, settings: Settings, user: User,
                    scope: Scope, *, page: int = 1, run_id: uuid.UUID | None = None,
                    status: int = 200, errors: dict[str, str] | None = None) -> HTMLResponse:
    data = service.build(session, settings, scope, lang=language(request), page=page,
                         run_id=run_id)
    return _render(request, "dashboard.html", status, d=data,
                   generated=data.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
                   csrf=csrf_token(settings, _token(request) or ""), errors=errors or {},
                   page_url=lambda n: _relative(request.url.include_query_params(page=n)))


@router.get("", response_class=HTMLResponse,
            summary="Staff dashboard (HTML); without a valid token: 303 to the login page",
            responses=PAGE_RESPONSES | {404: {"description": "No such cluster run (`run`)",
                                              "content": HTML}})
def dashboard(request: Request, session: SessionDep, settings: SettingsDep,
              province: ProvinceFilter = None, activity: ActivityFilter = None,
              page: Annotated[int, Query(ge=1, le=100_000,
                                         description="Page of the cluster table")] = 1,
              run: Annotated[uuid.UUID | None, Query(
                  description="Show this cluster run's status and clusters")] = None
              ) -> Response:
    user = _staff(request, session, settings)
    if isinstance(user, Response):
        return user
    try:
        return _dashboard_page(request, session, settings, user,
                               Scope(province=province, activity=activity), page=page,
                               run_id=run)
    except AppError as exc:  # an unknown run
        return _message_page(request, exc.status, exc.detail)


@router.post("/cluster-runs", response_class=HTMLResponse,
             summary="Start a cluster run from the dashboard form (staff); 303 to its clusters",
             responses=FORM_RESPONSES)
def start_cluster_run(request: Request, session: SessionDep, settings: SettingsDep,
                      bind: JobBind, background: BackgroundTasks,
                      csrf: Annotated[str | None, Form(alias=CSRF_FIELD, max_length=200)] = None,
                      family: Annotated[str | None, Form(max_length=40)] = None,
                      province: Annotated[str | None, Form(max_length=40)] = None
                      ) -> Response:
    user = _staff(request, session, settings)
    if isinstance(user, Response):
        return user
    if not _csrf_ok(settings, _token(request), csrf):
        return _message_page(request, 403, text(language(request), "csrf_refused"))
    try:
        data = ClusterRunCreate.model_validate(
            {"families": [family] if family else None, "province": province or None})
    except ValidationError as exc:
        return _dashboard_page(request, session, settings, user, Scope(), status=422,
                               errors=field_errors(exc))
    run = cluster_service.start_run(session, user, data)
    # as POST /cluster-runs: executed after this request's commit (by `koppel worker` in
    # production)
    if settings.environment != "production":
        background.add_task(cluster_service.execute_run, bind, run.id, settings)
    return RedirectResponse(f"/dashboard?run={run.id}#clusters", status_code=303)


@router.get("/clusters/{cluster_id}", response_class=HTMLResponse,
            summary="A cluster's members, activities, coverage and status actions (staff)",
            responses=PAGE_RESPONSES | {404: {"description": "No such cluster",
                                              "content": HTML}})
def cluster_page(request: Request, cluster_id: uuid.UUID, session: SessionDep,
                 settings: SettingsDep,
                 changed: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    return _cluster_response(request, session, settings, cluster_id, changed=changed)


def _cluster_response(request: Request, session: SessionDep, settings: Settings,
                      cluster_id: uuid.UUID, *, status: int = 200, error: str | None = None,
                      changed: str | None = None) -> Response:
    try:
        user = authenticate(session, settings, _token(request))
    except Unauthorized:
        return RedirectResponse(LOGIN_URL, status_code=303)
    lang = language(request)
    try:
        # read as GET /clusters/{id} reads: 404 for a cluster the caller may not see ...
        view = dashboard_clusters.cluster_page(session, user, cluster_id, lang)
    except AppError as exc:
        return _message_page(request, exc.status, exc.detail)
    if not is_staff(user):  # ... and 403 for a member, as the status change answers
        return _message_page(request, 403, text(lang, "staff_only"))
    notice = (text(lang, "changed", status=text(lang, f"st_{changed}"))
              if changed and f"st_{changed}" in _STATUS_KEYS else None)
    return _render(request, "dashboard_cluster.html", status, c=view, error=error,
                   notice=notice, csrf=csrf_token(settings, _token(request) or ""))


_STATUS_KEYS = {f"st_{s}" for s in ("proposed", "endorsed", "forming", "active", "dissolved")}


@router.post("/clusters/{cluster_id}/status", response_class=HTMLResponse,
             summary="Move a cluster from its page's form (staff); the same transitions as "
             "POST /clusters/{id}/status", responses=FORM_RESPONSES)
def change_cluster_status(request: Request, cluster_id: uuid.UUID, session: SessionDep,
                          settings: SettingsDep,
                          csrf: Annotated[str | None, Form(alias=CSRF_FIELD,
                                                           max_length=200)] = None,
                          status: Annotated[str | None, Form(max_length=20)] = None
                          ) -> Response:
    try:
        user = authenticate(session, settings, _token(request))
    except Unauthorized:
        return RedirectResponse(LOGIN_URL, status_code=303)
    lang = language(request)
    if not _csrf_ok(settings, _token(request), csrf):
        return _message_page(request, 403, text(lang, "csrf_refused"))
    try:
        target = ClusterStatusChange.model_validate({"status": status}).status.value
    except ValidationError as exc:
        return _cluster_response(request, session, settings, cluster_id, status=422,
                                 error=next(iter(field_errors(exc).values())))
    try:
        cluster_service.change_status(session, user, cluster_id, target)
    except AppError as exc:
        if exc.status in (403, 404):
            return _message_page(request, exc.status, exc.detail)
        return _cluster_response(request, session, settings, cluster_id, status=exc.status,
                                 error=exc.detail)
    return RedirectResponse(f"/dashboard/clusters/{cluster_id}?changed={target}",
                            status_code=303)


@router.get("/login", response_class=HTMLResponse, summary="Staff login form (HTML)")
def login_form(request: Request) -> HTMLResponse:
    return _login_page(request, 200)


@router.post("/login", response_class=HTMLResponse,
             summary="Log in with email and password; sets the `koppel_token` cookie",
             responses={303: {"description": "Logged in: redirect to /dashboard"},
                        401: {"description": "Wrong email or password: the form again",
                              "content": HTML},
                        403: {"description": "Not department staff: the form again",
                              "content": HTML},
                        422: {"model": Problem, "description": "Missing or invalid field"},
                        429: {"description": "Too many failed logins: the form again",
                              "content": HTML}})
def login(request: Request, session: SessionDep, settings: SettingsDep,
          email: Annotated[str, Form(max_length=320)],
          password: Annotated[str, Form(max_length=128)]) -> Response:
    lang = language(request)
    try:
        user = auth_service.authenticate_limited(session, request.app.state.rate_limits, email,
                                                 password)
    except TooManyRequests as exc:
        return _login_page(request, 429, exc.detail, email)
    except AppError:
        return _login_page(request, 401, text(lang, "login_failed"), email)
    if not is_staff(user):
        return _login_page(request, 403, text(lang, "staff_only"), email)
    token = auth_service.access_token(user, settings)  # the page never refreshes
    response = RedirectResponse("/dashboard", status_code=303)
    response.set_cookie(COOKIE, token, max_age=settings.access_token_minutes * 60,
                        path=COOKIE_PATH,
                        httponly=True, samesite="strict",
                        secure=settings.environment == "production")
    return response


@router.post("/logout", summary="Forget the dashboard cookie",
             responses={303: {"description": "Redirect to the login page"}})
def logout() -> Response:
    response = RedirectResponse(LOGIN_URL, status_code=303)
    response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")
    return response
