"""E-mail preferences: the digest opt-in of an organisation, and the public unsubscribe link."""

from __future__ import annotations

import uuid
from html import escape

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse

from api.deps import CurrentUser, SessionDep, SettingsDep
from api.errors import PROBLEM_RESPONSES, InvalidInput, NotFound
from api.services import notifications as service
from api.services.mail import read_unsubscribe_token
from models.notification import (
    MailCategory,
    NotificationSettingsPublic,
    NotificationSettingsSet,
    UnsubscribePublic,
)

router = APIRouter(responses=PROBLEM_RESPONSES)

Token = Path(description="The signed token from an e-mail's unsubscribe link",
             examples=["0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f.leads.q1w2e3r4t5y6u7i8o9p0a1s2"],
             max_length=200)


@router.get("/organisations/{org_id}/notifications", response_model=NotificationSettingsPublic,
            tags=["notifications"], summary="The organisation's e-mail settings")
def read_notifications(org_id: uuid.UUID, session: SessionDep,
                       user: CurrentUser) -> NotificationSettingsPublic:
    row = service.get_settings_row(session, user, org_id)
    return NotificationSettingsPublic(organisation_id=org_id,
                                      opportunity_digest=row.opportunity_digest)


@router.put("/organisations/{org_id}/notifications", response_model=NotificationSettingsPublic,
            tags=["notifications"],
            summary="Opt in to (or out of) the daily opportunity digest (providers)")
def set_notifications(org_id: uuid.UUID, data: NotificationSettingsSet, session: SessionDep,
                      user: CurrentUser) -> NotificationSettingsPublic:
    row = service.set_digest(session, user, org_id, data.opportunity_digest)
    return NotificationSettingsPublic(organisation_id=org_id,
                                      opportunity_digest=row.opportunity_digest)


def _read(settings: SettingsDep, token: str) -> tuple[uuid.UUID, MailCategory]:
    found = read_unsubscribe_token(settings.secret_key, token)
    if found is None:
        raise InvalidInput(["path", "token"], "The unsubscribe link is not valid")
    return found


@router.get("/unsubscribe/{token}", response_class=HTMLResponse, tags=["notifications"],
            summary="The page an unsubscribe link opens: asks to confirm (no login)")
def unsubscribe_page(settings: SettingsDep, token: str = Token) -> HTMLResponse:
    # a GET changes nothing: mail scanners open links; the button POSTs (as RFC 8058 clients do)
    _user_id, category = _read(settings, token)
    return HTMLResponse(
        "<!doctype html><html lang=\"nl\"><meta charset=\"utf-8\"><title>Koppel</title>"
        f"<p>Geen e-mails meer ontvangen over: <strong>{escape(category.value)}</strong>? / "
        f"Stop e-mails about <strong>{escape(category.value)}</strong>?</p>"
        f"<form method=\"post\" action=\"/unsubscribe/{escape(token)}\">"
        "<button type=\"submit\">Uitschrijven / Unsubscribe</button></form></html>")


@router.post("/unsubscribe/{token}", response_model=UnsubscribePublic, tags=["notifications"],
             summary="Unsubscribe from one category of e-mail (no login; RFC 8058 one-click)")
def unsubscribe(session: SessionDep, settings: SettingsDep,
                token: str = Token) -> UnsubscribePublic:
    user_id, category = _read(settings, token)
    user = service.unsubscribe(session, user_id, category)
    if user is None:
        raise NotFound("This address is no longer registered")
    return UnsubscribePublic(email=user.email, category=category, unsubscribed=True)
