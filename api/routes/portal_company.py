"""Portal pages of a company: the guided need form (new and edit), and the need page with its
ranked matches, leads and their timelines, the contract form, the diagnosis when nothing fits
and the partnership proposals for a need no single provider covers (DESIGN §15).

Every write goes through the service the API uses (``catalogue``, ``leads``,
``partnerships``); a refused form comes back with the problem next to its field, the input
kept and the transaction rolled back.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from api.config import Settings
from api.deps import SessionDep, SettingsDep
from api.errors import AppError, Forbidden, NotFound
from api.services import catalogue, lead_views, leads, matching, organisations, partnerships
from api.web.i18n import language
from api.web.pages import (
    CsrfField,
    FormList,
    FormStr,
    csrf_ok,
    csrf_refused,
    families,
    guarded,
    path_id,
    redirect,
    refused,
    render,
    signed_in,
    vocab,
)
from models import taxonomy
from models.lead import LeadContract, LeadCreate
from models.need import Need, NeedCreate, NeedUpdate
from models.organisation import User
from models.partnership import PartnershipLeadsCreate

router = APIRouter(include_in_schema=False)
#: partnership proposals shown on a need page
PROPOSALS = 3
OPEN_LEADS = ("sent", "viewed", "accepted")


def _need_form_context(session: Session, user: User, lang: str,
                       activity: str) -> dict[str, Any]:
    act = taxonomy.known_activity(activity)
    comps = taxonomy.competences()
    sites, _ = organisations.list_sites(session, user, user.organisation_id, limit=200,
                                        offset=0)
    modes = [m for m in vocab("placement_modes", lang) if m["code"] in act.modes]
    return {"activity": {"code": act.code, "label": act.label[lang],
                         "family": act.family_label[lang]},
            # the activity's typical competences first (pre-ticked), then the others
            "competences": [{"code": c, "label": comps[c].label[lang]}
                            for c in sorted(comps, key=lambda c: (
                                c not in act.typical_competences, comps[c].label[lang]))],
            "modes": modes, "supports": vocab("support_levels", lang), "sites": sites}


@router.get("/app/needs/new", response_class=HTMLResponse)
@guarded
def need_form(request: Request, session: SessionDep, activity: str = "",
              pick: str = "") -> HTMLResponse:
    user = signed_in(request, session)
    if user.role != "company":
        raise Forbidden("Only companies post needs")
    lang = language(request)
    act = taxonomy.activity(activity) if activity else None
    if act is None:  # step 1 (`pick`: the activity chosen before, to change it)
        return render(request, "need_activity.html", {"families": families(lang),
                                                      "values": {"activity": pick}},
                      user=user)
    values = {"competences": list(act.typical_competences),
              "placement_mode": act.modes[0], "accommodates_support": "medium",
              "fte": "", "title": act.label[lang]}
    return render(request, "need_form.html", _need_form_context(session, user, lang, activity)
                  | {"values": values}, user=user)


@router.post("/app/needs", response_class=HTMLResponse)
@guarded
def post_need(request: Request, session: SessionDep, csrf_token: CsrfField = "",
              activity: FormStr = "", site_id: FormStr = "", title: FormStr = "",
              description: FormStr = "", placement_mode: FormStr = "", fte: FormStr = "",
              accommodates_support: FormStr = "",
              competences: FormList = []) -> Response:  # noqa: B006
    user = signed_in(request, session)
    lang = language(request)
    if taxonomy.activity(activity) is None:
        return redirect(request, "/app/needs/new")
    values = {"activity": activity, "site_id": site_id, "title": title,
              "description": description, "placement_mode": placement_mode, "fte": fte,
              "accommodates_support": accommodates_support, "competences": competences}
    ctx = lambda: _need_form_context(session, user, lang, activity)  # noqa: E731
    if not csrf_ok(request, csrf_token):
        return csrf_refused(request, session, "need_form.html", values, ctx, user=user)
    try:
        data = NeedCreate.model_validate({
            "site_id": site_id, "title": title, "description": description,
            "activity": activity, "competences": competences,
            "placement_mode": placement_mode, "fte": fte,
            "accommodates_support": accommodates_support})
        need = catalogue.create_need(session, user, data)
        catalogue.change_need_status(session, user, need.id, "open")
    except (AppError, ValidationError) as exc:
        return refused(request, session, "need_form.html", exc, values, ctx, user=user)
    return redirect(request, f"/app/needs/{need.id}")


# ---- editing a need -------------------------------------------------------------------------

def _edit_context(session: Session, user: User, need: Need, lang: str) -> dict[str, Any]:
    mode = next((m for m in vocab("placement_modes", lang) if m["code"] == need.placement_mode),
                {"label": need.placement_mode})
    return _need_form_context(session, user, lang, need.activity) | {
        "need": need, "editing": True, "mode_label": mode["label"]}


def _need_values(need: Need) -> dict[str, Any]:
    return {"title": need.title, "description": need.description, "fte": f"{need.fte:g}",
            "accommodates_support": need.accommodates_support,
            "competences": list(need.competences)}


@router.get("/app/needs/{need_id}/edit", response_class=HTMLResponse)
@guarded
def need_edit_form(request: Request, session: SessionDep, need_id: str) -> HTMLResponse:
    user = signed_in(request, session)
    need = catalogue.get_need(session, user, path_id(need_id, "Need"))
    return render(request, "need_form.html",
                  _edit_context(session, user, need, language(request))
                  | {"values": _need_values(need)}, user=user)


@router.post("/app/needs/{need_id}/edit", response_class=HTMLResponse)
@guarded
def need_edit(request: Request, session: SessionDep, need_id: str, csrf_token: CsrfField = "",
              title: FormStr = "", description: FormStr = "", fte: FormStr = "",
              accommodates_support: FormStr = "",
              competences: FormList = []) -> Response:  # noqa: B006
    """The changes as PATCH /needs/{id} takes them (``NeedUpdate``), through the same service."""
    user = signed_in(request, session)
    nid = path_id(need_id, "Need")
    lang = language(request)
    values = {"title": title, "description": description, "fte": fte,
              "accommodates_support": accommodates_support, "competences": competences}

    def ctx() -> dict[str, Any]:
        return _edit_context(session, user, catalogue.get_need(session, user, nid), lang)
    if not csrf_ok(request, csrf_token):
        return csrf_refused(request, session, "need_form.html", values, ctx, user=user)
    try:
        catalogue.update_need(session, user, nid, NeedUpdate.model_validate({
            "title": title, "description": description, "fte": fte,
            "accommodates_support": accommodates_support, "competences": competences}))
    except (AppError, ValidationError) as exc:
        if isinstance(exc, AppError) and exc.status in (403, 404):
            raise
        return refused(request, session, "need_form.html", exc, values, ctx, user=user)
    return redirect(request, f"/app/needs/{nid}?saved=1")


# ---- the need page --------------------------------------------------------------------------

def _need_context(session: Session, settings: Settings, user: User, need_id: uuid.UUID,
                  lang: str) -> dict[str, Any]:
    need = catalogue.get_need(session, user, need_id)
    result = matching.matches_for_need(session, user, settings, need_id, limit=10,
                                       include_excluded=False, lang=lang)
    rows, _ = leads.list_leads(session, user, role=None, status=None, need_id=need_id,
                               limit=100, offset=0)
    sent = lead_views.present(session, rows, viewer=user)
    open_leads = [lead for lead in sent if lead.status.value in OPEN_LEADS]
    proposals = None
    # a need no single provider covers: combinations of sites, unless leads are already out
    if need.status == "open" and need.fte > need.contracted_fte and not open_leads:
        proposals = partnerships.partnerships_for_need(session, user, settings, need_id,
                                                       limit=PROPOSALS, lang=lang)
    return {"need": need, "matches": result.items, "diagnosis": result.diagnosis,
            "leads": sent, "lead_by_capability": {lead.capability_id: lead for lead in sent},
            "proposals": proposals}


@router.get("/app/needs/{need_id}", response_class=HTMLResponse)
@guarded
def need_page(request: Request, session: SessionDep, settings: SettingsDep,
              need_id: str) -> HTMLResponse:
    user = signed_in(request, session)
    ctx = _need_context(session, settings, user, path_id(need_id, "Need"), language(request))
    return render(request, "need.html", ctx | {"saved": "saved" in request.query_params},
                  user=user)


@router.post("/app/needs/{need_id}/leads", response_class=HTMLResponse)
@guarded
def need_send_lead(request: Request, session: SessionDep, settings: SettingsDep, need_id: str,
                   csrf_token: CsrfField = "", capability_id: FormStr = "") -> Response:
    user = signed_in(request, session)
    nid = path_id(need_id, "Need")
    ctx = lambda: _need_context(session, settings, user, nid, language(request))  # noqa: E731
    if not csrf_ok(request, csrf_token):
        return csrf_refused(request, session, "need.html", {}, ctx, user=user)
    try:
        leads.send_lead(session, user, nid, LeadCreate.model_validate(
            {"capability_id": capability_id}), settings)
    except (AppError, ValidationError) as exc:
        return refused(request, session, "need.html", exc, {}, ctx, user=user)
    return redirect(request, f"/app/needs/{nid}#leads")


@router.post("/app/needs/{need_id}/leads/{lead_id}/contract", response_class=HTMLResponse)
@guarded
def need_contract(request: Request, session: SessionDep, settings: SettingsDep, need_id: str,
                  lead_id: str, csrf_token: CsrfField = "", fte: FormStr = "") -> Response:
    """The contract form of an accepted lead on its need's page (POST /leads/{id}/contract)."""
    user = signed_in(request, session)
    nid, lid = path_id(need_id, "Need"), path_id(lead_id, "Lead")
    if leads.get_lead(session, user, lid).need_id != nid:
        raise NotFound("Lead not found")
    field = f"fte-{lid}"
    ctx = lambda: _need_context(session, settings, user, nid, language(request))  # noqa: E731
    if not csrf_ok(request, csrf_token):
        return csrf_refused(request, session, "need.html", {field: fte}, ctx, user=user)
    try:
        leads.contract_lead(session, user, lid, LeadContract.model_validate({"fte": fte}))
    except (AppError, ValidationError) as exc:
        if isinstance(exc, AppError) and exc.status in (403, 404):
            raise
        return refused(request, session, "need.html", exc, {field: fte}, ctx, user=user,
                       rename={"fte": field})
    return redirect(request, f"/app/needs/{nid}#leads")


@router.post("/app/needs/{need_id}/partnerships/{index}", response_class=HTMLResponse)
@guarded
def need_send_partnership(request: Request, session: SessionDep, settings: SettingsDep,
                          need_id: str, index: str, csrf_token: CsrfField = "",
                          key: FormStr = "") -> Response:
    """"Send to all": one lead per member of the proposal, all or none, as
    POST /needs/{id}/partnerships/{index}/leads."""
    user = signed_in(request, session)
    nid = path_id(need_id, "Need")
    lang = language(request)
    if not index.isdigit() or int(index) >= partnerships.MAX_LIMIT:
        raise NotFound("Proposal not found")
    ctx = lambda: _need_context(session, settings, user, nid, lang)  # noqa: E731
    if not csrf_ok(request, csrf_token):
        return csrf_refused(request, session, "need.html", {}, ctx, user=user)
    try:
        partnerships.send_partnership_leads(
            session, user, settings, nid, int(index),
            PartnershipLeadsCreate.model_validate({"key": key}), lang=lang)
    except (AppError, ValidationError) as exc:
        if isinstance(exc, AppError) and exc.status in (403, 404):
            raise
        return refused(request, session, "need.html", exc, {}, ctx, user=user)
    return redirect(request, f"/app/needs/{nid}#leads")
