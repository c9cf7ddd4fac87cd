"""Portal pages of a maatwerkbedrijf: its capabilities (list, add, edit, delete) and a site's
workforce form with the one-click "figures still correct" (DESIGN §15).

Writes go through the services the API uses (``catalogue``, ``organisations``); a refused
form comes back with the problem next to its field, the input kept, nothing written.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from api.deps import SessionDep
from api.errors import AppError, Forbidden
from api.services import catalogue, organisations
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
from models.capability import Capability, CapabilityCreate, CapabilityUpdate
from models.organisation import User
from models.site import WorkforceUpdate

router = APIRouter(include_in_schema=False)


# ---- capabilities ---------------------------------------------------------------------------

def _provider(request: Request, session: Session) -> User:
    user = signed_in(request, session)
    if user.role != "provider":
        raise Forbidden("Only providers publish capabilities")
    return user


def _capabilities_context(session: Session, user: User, lang: str) -> dict[str, Any]:
    caps, _ = catalogue.list_capabilities(session, user, activity=None, province=None,
                                          provider_id=user.organisation_id, active=None,
                                          limit=200, offset=0)
    sites, _ = organisations.list_sites(session, user, user.organisation_id, limit=200,
                                        offset=0)
    comps = taxonomy.competences()
    return {"capabilities": caps, "sites": sites, "site_names": {s.id: s.name for s in sites},
            "families": families(lang), "modes": vocab("placement_modes", lang),
            "mode_labels": {m["code"]: m["label"] for m in vocab("placement_modes", lang)},
            "competences": [{"code": c, "label": comps[c].label[lang]}
                            for c in sorted(comps, key=lambda c: comps[c].label[lang])]}


def _radius(value: str) -> str | None:
    return value.strip() or None


@router.get("/app/capabilities", response_class=HTMLResponse)
@guarded
def capability_list(request: Request, session: SessionDep) -> HTMLResponse:
    user = _provider(request, session)
    return render(request, "capabilities.html",
                  _capabilities_context(session, user, language(request))
                  | {"saved": request.query_params.get("saved")}, user=user)


@router.post("/app/capabilities", response_class=HTMLResponse)
@guarded
def capability_add(request: Request, session: SessionDep, csrf_token: CsrfField = "",
                   site_id: FormStr = "", activity: FormStr = "", description: FormStr = "",
                   service_radius_km: FormStr = "", placement_modes: FormList = [],  # noqa: B006
                   competences: FormList = []) -> Response:  # noqa: B006
    user = _provider(request, session)
    values = {"site_id": site_id, "activity": activity, "description": description,
              "service_radius_km": service_radius_km, "placement_modes": placement_modes,
              "competences": competences}
    ctx = lambda: _capabilities_context(session, user, language(request))  # noqa: E731
    if not csrf_ok(request, csrf_token):
        return csrf_refused(request, session, "capabilities.html", values, ctx, user=user)
    try:
        catalogue.create_capability(session, user, CapabilityCreate.model_validate({
            "site_id": site_id, "activity": activity, "description": description,
            "service_radius_km": _radius(service_radius_km),
            "placement_modes": placement_modes, "competences": competences}))
    except (AppError, ValidationError) as exc:
        return refused(request, session, "capabilities.html", exc, values, ctx, user=user)
    return redirect(request, "/app/capabilities?saved=added")


def _edit_context(session: Session, user: User, cap: Capability,
                  lang: str) -> dict[str, Any]:
    act = taxonomy.activity(cap.activity)
    comps = taxonomy.competences()
    modes = [m for m in vocab("placement_modes", lang)
             if act is None or m["code"] in act.modes]
    site = organisations.get_site(session, user, user.organisation_id, cap.site_id)
    typical = act.typical_competences if act is not None else ()
    return {"cap": cap, "site": site, "modes": modes,
            # the activity's typical competences first, as on the need form
            "competences": [{"code": c, "label": comps[c].label[lang]}
                            for c in sorted(comps, key=lambda c: (c not in typical,
                                                                  comps[c].label[lang]))]}


def _own_capability(session: Session, user: User, cap_id: str) -> Capability:
    """A capability the user may change, answered as PATCH /capabilities/{id} would: another
    tenant's is 404, one the user may only read (staff) 403."""
    cap = catalogue.get_capability(session, user, path_id(cap_id, "Capability"))
    if cap.organisation_id != user.organisation_id:
        raise Forbidden("You may read but not change this capability")
    return cap


@router.get("/app/capabilities/{cap_id}/edit", response_class=HTMLResponse)
@guarded
def capability_edit_form(request: Request, session: SessionDep, cap_id: str) -> HTMLResponse:
    user = signed_in(request, session)
    cap = _own_capability(session, user, cap_id)
    values = {"description": cap.description, "placement_modes": list(cap.placement_modes),
              "competences": list(cap.competences), "active": cap.active,
              "service_radius_km": (f"{cap.service_radius_km:g}"
                                    if cap.service_radius_km is not None else "")}
    return render(request, "capability_form.html",
                  _edit_context(session, user, cap, language(request)) | {"values": values},
                  user=user)


@router.post("/app/capabilities/{cap_id}/edit", response_class=HTMLResponse)
@guarded
def capability_edit(request: Request, session: SessionDep, cap_id: str,
                    csrf_token: CsrfField = "", description: FormStr = "",
                    service_radius_km: FormStr = "", active: FormStr = "",
                    placement_modes: FormList = [],  # noqa: B006
                    competences: FormList = []) -> Response:  # noqa: B006
    """The changes as PATCH /capabilities/{id} takes them, through the same service."""
    user = signed_in(request, session)
    cid = path_id(cap_id, "Capability")
    values = {"description": description, "service_radius_km": service_radius_km,
              "placement_modes": placement_modes, "competences": competences,
              "active": active == "on"}

    def ctx() -> dict[str, Any]:
        return _edit_context(session, user, _own_capability(session, user, str(cid)),
                             language(request))
    if not csrf_ok(request, csrf_token):
        return csrf_refused(request, session, "capability_form.html", values, ctx, user=user)
    try:
        catalogue.update_capability(session, user, cid, CapabilityUpdate.model_validate({
            "description": description, "service_radius_km": _radius(service_radius_km),
            "placement_modes": placement_modes, "competences": competences,
            "active": active == "on"}))
    except (AppError, ValidationError) as exc:
        if isinstance(exc, AppError) and exc.status in (403, 404):
            raise
        return refused(request, session, "capability_form.html", exc, values, ctx, user=user)
    return redirect(request, "/app/capabilities?saved=changed")


@router.get("/app/capabilities/{cap_id}/delete", response_class=HTMLResponse)
@guarded
def capability_delete_form(request: Request, session: SessionDep, cap_id: str) -> HTMLResponse:
    """Deleting cannot be undone (and flags the capability's open leads): asked first, with
    the reversible alternative (inactive) beside it."""
    user = signed_in(request, session)
    cap = _own_capability(session, user, cap_id)
    site = organisations.get_site(session, user, user.organisation_id, cap.site_id)
    return render(request, "capability_delete.html", {"cap": cap, "site": site}, user=user)


@router.post("/app/capabilities/{cap_id}/delete", response_class=HTMLResponse)
@guarded
def capability_delete(request: Request, session: SessionDep, cap_id: str,
                      csrf_token: CsrfField = "") -> Response:
    user = signed_in(request, session)
    cid = path_id(cap_id, "Capability")
    ctx = lambda: _capabilities_context(session, user, language(request))  # noqa: E731
    if not csrf_ok(request, csrf_token):
        return csrf_refused(request, session, "capabilities.html", {}, ctx, user=user)
    catalogue.delete_capability(session, user, cid)
    return redirect(request, "/app/capabilities?saved=deleted")


# ---- workforce ------------------------------------------------------------------------------

def _workforce_context(session: Session, user: User, site_id: uuid.UUID) -> dict[str, Any]:
    site = organisations.get_site(session, user, user.organisation_id, site_id)
    rows = organisations.list_workforce(session, user, user.organisation_id)
    current = next((w for w in rows if w.site_id == site.id), None)
    return {"site": site, "workforce": current}


@router.get("/app/sites/{site_id}/workforce", response_class=HTMLResponse)
@guarded
def workforce_page(request: Request, session: SessionDep, site_id: str) -> HTMLResponse:
    user = signed_in(request, session)
    ctx = _workforce_context(session, user, path_id(site_id, "Site"))
    w = ctx["workforce"]
    values = {k: (f"{getattr(w, k):g}" if w else "0") for k in
              ("free_fte_low", "free_fte_medium", "free_fte_high", "supervisors_available")}
    return render(request, "workforce.html", ctx | {"values": values,
                                                    "saved": "saved" in request.query_params},
                  user=user)


@router.post("/app/sites/{site_id}/workforce", response_class=HTMLResponse)
@guarded
def workforce_save(request: Request, session: SessionDep, site_id: str,
                   csrf_token: CsrfField = "", confirm: FormStr = "",
                   free_fte_low: FormStr = "", free_fte_medium: FormStr = "",
                   free_fte_high: FormStr = "", supervisors_available: FormStr = "") -> Response:
    user = signed_in(request, session)
    sid = path_id(site_id, "Site")
    ctx = _workforce_context(session, user, sid)
    values: dict[str, Any] = {"free_fte_low": free_fte_low, "free_fte_medium": free_fte_medium,
                              "free_fte_high": free_fte_high,
                              "supervisors_available": supervisors_available}
    if not csrf_ok(request, csrf_token):
        return csrf_refused(request, session, "workforce.html", values, ctx, user=user)
    w = ctx["workforce"]
    if confirm and w is not None:  # "figures still correct": the same figures, dated today
        values = {k: getattr(w, k) for k in values}
    try:
        organisations.set_workforce(session, user, user.organisation_id, sid,
                                    WorkforceUpdate.model_validate(values))
    except (AppError, ValidationError) as exc:
        if isinstance(exc, AppError) and exc.status == 404:
            raise
        return refused(request, session, "workforce.html", exc, values,
                       lambda: _workforce_context(session, user, sid), user=user)
    return redirect(request, f"/app/sites/{sid}/workforce?saved=1")
