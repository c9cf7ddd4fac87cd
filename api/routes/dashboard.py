"""The staff dashboard: one server-rendered HTML page (inline CSS and SVG, no external assets).

Browsers cannot attach a bearer header to a link, so besides `Authorization: Bearer` the page
accepts the same access token from the `koppel_token` cookie that `POST /dashboard/login` sets:
HttpOnly (no script reads it), SameSite=Strict (no other site triggers requests with it),
path `/dashboard` (the JSON API never accepts it) and `Secure` in production.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.deps import SessionDep, SettingsDep, authenticate
from api.errors import AppError, Problem, TooManyRequests, Unauthorized
from api.routes.params import ActivityFilter, ProvinceFilter
from api.services import auth as auth_service
from api.services import dashboard as service
from api.services.access import is_staff
from api.services.stats import Scope

router = APIRouter(prefix="/dashboard", tags=["monitoring"])
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")

HTML = {"text/html": {"schema": {"type": "string"}}}
COOKIE = "koppel_token"
COOKIE_PATH = "/dashboard"
LOGIN_URL = "/dashboard/login"


def _token(request: Request) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip()
    return request.cookies.get(COOKIE)


def _login_page(request: Request, status: int, error: str | None = None,
                email: str | None = None) -> HTMLResponse:
    response = templates.TemplateResponse(request, "dashboard_login.html",
                                          {"error": error, "email": email}, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("", response_class=HTMLResponse,
            summary="Staff dashboard (HTML); without a valid token: 303 to the login page",
            responses={303: {"description": "Not logged in: redirect to /dashboard/login"},
                       403: {"description": "Logged in, but not department staff",
                             "content": HTML},
                       422: {"model": Problem, "description": "Invalid filter"}})
def dashboard(request: Request, session: SessionDep, settings: SettingsDep,
              province: ProvinceFilter = None, activity: ActivityFilter = None) -> Response:
    try:
        user = authenticate(session, settings, _token(request))
    except Unauthorized:
        return RedirectResponse(LOGIN_URL, status_code=303)
    if not is_staff(user):
        return _login_page(request, 403, "Only department staff may open the dashboard.")
    data = service.build(session, settings, Scope(province=province, activity=activity))
    response = templates.TemplateResponse(
        request, "dashboard.html",
        {"d": data, "generated": data.generated_at.strftime("%Y-%m-%d %H:%M UTC")})
    response.headers["Cache-Control"] = "no-store"
    return response


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
    try:
        user = auth_service.authenticate_limited(session, request.app.state.rate_limits, email,
                                                 password)
    except TooManyRequests as exc:
        return _login_page(request, 429, exc.detail, email)
    except AppError:
        return _login_page(request, 401, "Incorrect email or password.", email)
    if not is_staff(user):
        return _login_page(request, 403, "Only department staff may open the dashboard.", email)
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
