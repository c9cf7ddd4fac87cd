"""An organisation's webhook endpoint: where lead events are POSTed."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from api.deps import CurrentUser, SessionDep, SettingsDep
from api.errors import PROBLEM_RESPONSES
from api.services import webhooks
from models.webhook import WebhookEndpointCreated, WebhookEndpointPublic, WebhookEndpointSet

router = APIRouter(responses=PROBLEM_RESPONSES)

@router.put("/organisations/{org_id}/webhook", response_model=WebhookEndpointCreated,
            tags=["webhooks"],
            summary="Set where lead events are POSTed; the signing secret is returned once")
def set_webhook(org_id: uuid.UUID, data: WebhookEndpointSet, session: SessionDep,
                user: CurrentUser, settings: SettingsDep) -> WebhookEndpointCreated:
    endpoint = webhooks.set_endpoint(
        session, user, org_id, data,
        allow_private=settings.webhook_private_networks_allowed)
    return WebhookEndpointCreated.model_validate(endpoint)


@router.get("/organisations/{org_id}/webhook", response_model=WebhookEndpointPublic,
            tags=["webhooks"], summary="The organisation's webhook endpoint (without secret)")
def read_webhook(org_id: uuid.UUID, session: SessionDep,
                 user: CurrentUser) -> WebhookEndpointPublic:
    return WebhookEndpointPublic.model_validate(webhooks.get_endpoint(session, user, org_id))


@router.delete("/organisations/{org_id}/webhook", status_code=204, response_class=Response,
               tags=["webhooks"], summary="Stop receiving lead events")
def delete_webhook(org_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    webhooks.delete_endpoint(session, user, org_id)
    return Response(status_code=204)
