"""Portal pages of both roles: the home page, sites, leads and settings (DESIGN §15).

Thin as the API's routes: every write goes through the service the API uses, a refused form
comes back with the problem next to its field and the transaction rolled back.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from api.config import Settings
from api.deps import SessionDep, SettingsDep
from api.errors import AppError, NotFound
from api.services import auth as auth_service
from api.services import (
    catalogue,
    lead_views,
    leads,
    notifications,
    opportunities,
    organisations,
    webhooks,
)
from api.web.i18n import language
from api.web.pages import (
    CsrfField,
    FormStr,
    csrf_ok,
    csrf_refused,
    guarded,
    path_id,
    redirect,
    refused,
    render,
    signed_in,
    vocab,
)
from models.lead import LeadContract, LeadDecline
from models.organisation import User, UserUpdate
from models.site import SiteCreate
from models.webhook import WebhookEndpointSet

router = APIRouter(include_in_schema=False)
LEAD_STATUSES = ("sent", "viewed", "accepted", "contracted", "declined", "withdrawn", "expired")
FRESH = ("sent", "viewed")


# ---- home -----------------------------------------------------------------------------------

def _company_needs(session: Session, user: User) -> list[dict[str, Any]]:
    """Each need with its leads counted by status and its coverage (contracted / needed FTE)."""
    needs, _ = catalogue.list_needs(session, user, status=None, activity=None, province=None,
                                    organisation_id=None, limit=200, offset=0)
    counts = catalogue.lead_counts(session, user, [n.id for n in needs])
    return [{"need": n, "leads": [(s, counts[n.id][s]) for s in LEAD_STATUSES
                                  if counts.get(n.id, {}).get(s)],
             "coverage": min(1.0, n.contracted_fte / n.fte) if n.fte else 0.0} for n in needs]


def home_context(session: Session, user: User, settings: Settings | None = None,
                 lang: str = "nl") -> dict[str, Any]:
    sites, _ = organisations.list_sites(session, user, user.organisation_id, limit=200,
                                        offset=0)
    ctx: dict[str, Any] = {"sites": sites}
    if user.role == "company":
        ctx["needs"] = _company_needs(session, user)
    elif user.role == "provider":
        rows, _ = leads.list_leads(session, user, role="inbox", status=None, need_id=None,
                                   limit=200, offset=0)
        shown = lead_views.present(session, rows, viewer=user)
        ctx["fresh_leads"] = [lead for lead in shown if lead.status.value in FRESH]
        ctx["leads"] = shown
        if settings is not None:
            ctx["opportunities"] = opportunities.top_ranked(
                session, user, settings, user.organisation_id, limit=10, lang=lang)
    return ctx


@router.get("/app", response_class=HTMLResponse)
@guarded
def home(request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    user = signed_in(request, session)
    return render(request, "home.html",
                  home_context(session, user, settings, language(request)), user=user)


@router.post("/app/sites", response_class=HTMLResponse)
@guarded
def add_site(request: Request, session: SessionDep, settings: SettingsDep,
             csrf_token: CsrfField = "", name: FormStr = "", street: FormStr = "",
             postcode: FormStr = "") -> Response:
    user = signed_in(request, session)
    values = {"name": name, "street": street, "postcode": postcode}
    ctx = lambda: home_context(session, user, settings, language(request))  # noqa: E731
    if not csrf_ok(request, csrf_token):
        return csrf_refused(request, session, "home.html", values, ctx, user=user)
    try:
        organisations.create_site(session, user, user.organisation_id,
                                  SiteCreate(name=name, street=street, postcode=postcode))
    except (AppError, ValidationError) as exc:
        return refused(request, session, "home.html", exc, values, ctx, user=user)
    return redirect(request, "/app")


@router.get("/app/sites", response_class=HTMLResponse)
@guarded
def site_list(request: Request, session: SessionDep) -> HTMLResponse:
    user = signed_in(request, session)
    return render(request, "sites.html", home_context(session, user), user=user)


# ---- leads ----------------------------------------------------------------------------------

@router.get("/app/leads", response_class=HTMLResponse)
@guarded
def lead_list(request: Request, session: SessionDep) -> HTMLResponse:
    user = signed_in(request, session)
    role = "outbox" if user.role == "company" else "inbox"
    rows, total = leads.list_leads(session, user, role=role, status=None, need_id=None,
                                   limit=200, offset=0)
    return render(request, "leads.html", {"leads": lead_views.present(session, rows, viewer=user),
                                          "total": total, "role": role}, user=user)


def _lead_context(session: Session, user: User, lead_id: uuid.UUID,
                  lang: str) -> dict[str, Any]:
    lead = lead_views.present(session, [leads.get_lead(session, user, lead_id)], viewer=user)[0]
    return {"lead": lead, "reasons": vocab("decline_reasons", lang),
            "side": "provider" if lead.provider_id == user.organisation_id else "company"}


@router.get("/app/leads/{lead_id}", response_class=HTMLResponse)
@guarded
def lead_page(request: Request, session: SessionDep, lead_id: str) -> HTMLResponse:
    """The lead; the provider opening a sent lead marks it viewed (POST /leads/{id}/view),
    so the company's timeline shows when it was read."""
    user = signed_in(request, session)
    lid = path_id(lead_id, "Lead")
    lead = leads.get_lead(session, user, lid)
    if lead.status == "sent" and lead.provider_id == user.organisation_id:
        leads.view_lead(session, user, lid)
    return render(request, "lead.html", _lead_context(session, user, lid, language(request)),
                  user=user)


@router.post("/app/leads/{lead_id}/{action}", response_class=HTMLResponse)
@guarded
def lead_action(request: Request, session: SessionDep, lead_id: str, action: str,
                csrf_token: CsrfField = "", reason_code: FormStr = "", reason_text: FormStr = "",
                fte: FormStr = "") -> Response:
    user = signed_in(request, session)
    lid = path_id(lead_id, "Lead")
    lang = language(request)
    values = {"reason_code": reason_code, "reason_text": reason_text, "fte": fte}
    if action not in ("accept", "decline", "contract", "withdraw"):
        raise NotFound("No such action")
    ctx = lambda: _lead_context(session, user, lid, lang)  # noqa: E731
    if not csrf_ok(request, csrf_token):
        return csrf_refused(request, session, "lead.html", values, ctx, user=user)
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
        return refused(request, session, "lead.html", exc, values, ctx, user=user)
    return redirect(request, f"/app/leads/{lid}")


# ---- settings: language, e-mail, webhook ----------------------------------------------------

def _settings_context(session: Session, user: User) -> dict[str, Any]:
    row = notifications.get_settings_row(session, user, user.organisation_id)
    try:
        endpoint = webhooks.get_endpoint(session, user, user.organisation_id)
    except NotFound:
        endpoint = None
    return {"digest": row.opportunity_digest, "webhook": endpoint}


@router.get("/app/settings", response_class=HTMLResponse)
@guarded
def settings_page(request: Request, session: SessionDep) -> HTMLResponse:
    user = signed_in(request, session)
    ctx = _settings_context(session, user)
    return render(request, "settings.html", ctx | {
        "values": {"language": user.language,
                   "url": ctx["webhook"].url if ctx["webhook"] else ""},
        "saved": "saved" in request.query_params,
        "removed": "removed" in request.query_params}, user=user)


@router.post("/app/settings", response_class=HTMLResponse)
@guarded
def settings_save(request: Request, session: SessionDep, csrf_token: CsrfField = "",
                  language_choice: Annotated[str, Form(alias="language", max_length=5)] = "",
                  opportunity_digest: FormStr = "") -> Response:
    user = signed_in(request, session)
    values = {"language": language_choice}
    ctx = lambda: _settings_context(session, user)  # noqa: E731
    if not csrf_ok(request, csrf_token):
        return csrf_refused(request, session, "settings.html", values, ctx, user=user)
    try:
        auth_service.update_me(session, user, UserUpdate.model_validate(
            {"language": language_choice}))
        if user.role == "provider":
            notifications.set_digest(session, user, user.organisation_id,
                                     opportunity_digest == "on")
    except (AppError, ValidationError) as exc:
        return refused(request, session, "settings.html", exc, values, ctx, user=user)
    return redirect(request, f"/app/settings?saved=1&lang={user.language}")


@router.post("/app/settings/webhook", response_class=HTMLResponse)
@guarded
def webhook_save(request: Request, session: SessionDep, settings: SettingsDep,
                 csrf_token: CsrfField = "", url: FormStr = "") -> Response:
    """Set (or set again: a new secret) the webhook, as PUT /organisations/{id}/webhook; the
    secret is shown on this answer only."""
    user = signed_in(request, session)
    values = {"language": user.language, "url": url}
    ctx = lambda: _settings_context(session, user)  # noqa: E731
    if not csrf_ok(request, csrf_token):
        return csrf_refused(request, session, "settings.html", values, ctx, user=user)
    try:
        endpoint = webhooks.set_endpoint(
            session, user, user.organisation_id, WebhookEndpointSet.model_validate({"url": url}),
            allow_private=settings.webhook_private_networks_allowed)
    except (AppError, ValidationError) as exc:
        return refused(request, session, "settings.html", exc, values, ctx, user=user)
    return render(request, "settings.html", ctx() | {"values": values,
                                                     "secret": endpoint.secret}, user=user)


@router.post("/app/settings/webhook/delete", response_class=HTMLResponse)
@guarded
def webhook_delete(request: Request, session: SessionDep, csrf_token: CsrfField = "") -> Response:
    user = signed_in(request, session)
    ctx = lambda: _settings_context(session, user)  # noqa: E731
    if not csrf_ok(request, csrf_token):
        return csrf_refused(request, session, "settings.html", {"language": user.language},
                            ctx, user=user)
    try:
        webhooks.delete_endpoint(session, user, user.organisation_id)
    except AppError as exc:
        return refused(request, session, "settings.html", exc, {"language": user.language},
                       ctx, user=user)
    return redirect(request, "/app/settings?removed=1")
