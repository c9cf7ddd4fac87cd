"""GET /metrics: Prometheus text format, for staff tokens or addresses in METRICS_ALLOW_IPS."""

from __future__ import annotations

import ipaddress

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from api import metrics
from api.deps import SessionDep, SettingsDep, authenticate
from api.errors import PROBLEM_RESPONSES, Forbidden
from api.middleware import client_ip
from api.services.access import is_staff

router = APIRouter(tags=["monitoring"], responses=PROBLEM_RESPONSES)


def _allowed(address: str, allow: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address in allow
    for entry in allow:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


@router.get("/metrics", include_in_schema=False)
def scrape(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    if not _allowed(client_ip(request.scope), settings.metrics_allow_list):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        user = authenticate(session, settings, token.strip() if scheme.lower() == "bearer"
                            else None)
        if not is_staff(user):
            raise Forbidden("Only department staff may read the metrics")
    return Response(metrics.exposition(session, request.app.state.engine),
                    media_type=CONTENT_TYPE_LATEST)
