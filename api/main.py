"""The FastAPI application factory."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from sqlalchemy.engine import Engine
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.config import Settings, get_settings
from api.db import engine_for
from api.errors import install_handlers, install_problem_schemas
from api.inputs import refuse_unstorable_input
from api.logs import ObservabilityMiddleware
from api.middleware import (
    BodySizeLimitMiddleware,
    ErrorBoundaryMiddleware,
    RateLimitMiddleware,
    RateLimits,
    SecurityHeadersMiddleware,
)
from api.routes import (
    audit,
    auth,
    catalogue,
    clusters,
    dashboard,
    directory,
    leads,
    matching,
    metrics,
    notifications,
    organisations,
    partnerships,
    portal,
    privacy,
    reference,
    stats,
    webhooks,
    weights,
)
from api.security import configure_password_hashing

DESCRIPTION = """
Koppel pairs regular companies' needs (returns, displays, warehouse work, enclaves, assembly,
packaging …) with maatwerkbedrijven in Flanders that have the competences, free capacity and
supervision to take them on.

* Authenticate with `POST /auth/token` (OAuth2 password flow) and send `Authorization: Bearer …`.
* Every error is an RFC 9457 `application/problem+json` body; validation errors list
  `errors: [{loc, msg}]` naming the offending field.
* Lists return `{items, total, limit, offset}`.
"""


def set_app_state(app: FastAPI, settings: Settings, engine: Engine) -> None:
    """What an app holds per instance: settings, engine, rate limits (and the process's
    password hashing cost, from the settings)."""
    configure_password_hashing(settings)
    app.state.settings = settings
    app.state.engine = engine
    app.state.rate_limits = RateLimits(settings)


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or engine_for(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        yield
        engine.dispose()

    # /docs and /redoc serve Swagger UI / ReDoc from the package, not a CDN: they work offline
    app = FastAPIOffline(title="Koppel", version="0.1.0", description=DESCRIPTION,
                         lifespan=lifespan, static_url="/static-offline-docs",
                         dependencies=[Depends(refuse_unstorable_input)])
    set_app_state(app, settings, engine)
    install_handlers(app)
    install_problem_schemas(app)
    # added innermost first: security headers wrap everything, so 413/429 answers carry them
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimitMiddleware, limits=app.state.rate_limits)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                           allow_headers=["Authorization", "Content-Type", "Accept-Language"],
                           expose_headers=["Location", "Retry-After"], max_age=600)
    app.add_middleware(ErrorBoundaryMiddleware)
    app.add_middleware(SecurityHeadersMiddleware,
                       production=settings.environment == "production")
    app.add_middleware(ObservabilityMiddleware)
    if settings.forwarded_allow_list:  # outermost: every layer sees the forwarded client
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_list)
    for router in (reference.router, auth.router, organisations.router, catalogue.capabilities,
                   catalogue.needs, matching.router, leads.router, webhooks.router,
                   audit.router, clusters.runs, clusters.clusters, stats.router, dashboard.router,
                   privacy.router, weights.router, metrics.router, notifications.router,
                   directory.router, partnerships.router, portal.router):
        app.include_router(router)
    return app
