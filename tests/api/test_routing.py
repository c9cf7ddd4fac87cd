"""One worker-thread trip per request, with the commit in it (``api.routing``).

These tests use the real request session (no rollback fixture): what they check is exactly
when it commits. Each gets a fresh migrated database on the backend under test.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

import anyio.to_thread
import pytest
from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.config import Settings
from api.db import make_engine
from api.deps import CurrentUser, SessionDep, StaffUser
from api.errors import install_handlers
from api.main import create_app
from api.migrate import upgrade
from api.routing import Router, TransactionRoute
from api.security import create_access_token
from models.organisation import Organisation, User
from tests.conftest import new_database_url
from tests.factories import FAST_PASSWORD_HASHING, add_site, need_body, register

SECRET = "test-secret-" + "r" * 32


@dataclass
class Fresh:
    client: TestClient
    engine: Engine
    settings: Settings
    app: FastAPI


@pytest.fixture
def fresh(backend: str, tmp_path_factory: pytest.TempPathFactory,
          request: pytest.FixtureRequest) -> Iterator[Fresh]:
    url = new_database_url(backend, tmp_path_factory, request)
    upgrade(url)
    settings = Settings(environment="test", database_url=url, secret_key=SECRET,
                        rate_limit_enabled=False, **FAST_PASSWORD_HASHING)
    engine = make_engine(url)
    app = create_app(settings, engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Fresh(client, engine, settings, app)
    engine.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every hand-off to a worker thread, by the name of the function handed off."""
    seen: list[str] = []
    real = anyio.to_thread.run_sync

    async def counting(func, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        seen.append(getattr(getattr(func, "func", func), "__name__", repr(func)))  # partials
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    return seen


def _dependency_calls(dependant) -> Iterator:  # noqa: ANN001
    for sub in dependant.dependencies:
        yield sub.call
        yield from _dependency_calls(sub)


def test_every_route_is_a_transaction_route(app: FastAPI) -> None:
    # /docs and /redoc (fastapi-offline's, outside the schema) serve static pages
    plain = [r.path for r in app.routes if isinstance(r, APIRoute) and r.include_in_schema
             and not isinstance(r, TransactionRoute)]
    assert plain == [], f"routers must be api.routing.Router(): {plain}"


def test_request_dependencies_do_no_thread_trip(app: FastAPI) -> None:
    """A synchronous dependency costs a worker-thread trip of its own, every request."""
    from fastapi.security import OAuth2PasswordRequestForm

    # the login form is a class FastAPI instantiates in a thread; logging in is dominated by
    # argon2 anyway
    allowed = {OAuth2PasswordRequestForm}
    sync = set()
    for route in app.routes:
        if not isinstance(route, APIRoute):
            continue
        for call in _dependency_calls(route.dependant):
            if call in allowed:
                continue
            # a function, or an instance whose __call__ is the dependency (OAuth2PasswordBearer)
            plain = inspect.isroutine(call) or inspect.isclass(call)
            target = call if plain else type(call).__call__
            if not inspect.iscoroutinefunction(target):
                sync.add(f"{route.path}: {getattr(call, '__qualname__', call)}")
    assert sync == set(), sorted(sync)


def test_authenticated_reads_and_writes_take_one_trip(fresh: Fresh, trips: list[str]) -> None:
    company = register(fresh.client, "company")
    site = add_site(company)
    calls = [("GET", "/auth/me", None), ("GET", "/needs?limit=5", None),
             ("POST", "/needs", need_body(site)),
             ("GET", f"/organisations/{company.org_id}/sites/{site['id']}", None)]
    for method, url, body in calls:
        trips.clear()
        r = fresh.client.request(method, url, json=body, headers=company.headers)
        assert r.status_code in (200, 201), r.text
        assert trips == ["_run"], f"{method} {url}: {trips}"


def test_a_write_is_committed_before_the_response(fresh: Fresh) -> None:
    company = register(fresh.client, "company")
    site = add_site(company)
    r = fresh.client.post("/needs", json=need_body(site), headers=company.headers)
    assert r.status_code == 201, r.text
    with Session(fresh.engine) as other:  # another connection sees it at once
        from models.need import Need

        assert other.get(Need, uuid.UUID(r.json()["id"])) is not None


class Named(BaseModel):
    name: str
    employees: int


def _app_with(router: Router, fresh: Fresh) -> FastAPI:
    """A bare app serving ``router`` on the fresh database, with Koppel's problem handlers."""
    app = FastAPI()
    app.state.engine, app.state.settings = fresh.engine, fresh.settings
    install_handlers(app)
    app.include_router(router)
    return app


def _probe_router() -> Router:
    router = Router(prefix="/probe")

    def _org(session: Session, name: str) -> Organisation:
        org = Organisation(kind="company", name=name, enterprise_number=None)
        session.add(org)
        session.flush()
        return org

    @router.post("/valid", response_model=Named)
    def valid(session: SessionDep, name: str) -> Named:
        _org(session, name)
        return Named(name=name, employees=3)

    @router.post("/invalid", response_model=Named)
    def invalid(session: SessionDep, name: str) -> dict:
        _org(session, name)
        return {"name": name}  # employees missing: the response fails its schema

    @router.post("/fails")
    def fails(session: SessionDep, name: str) -> dict:
        _org(session, name)
        raise RuntimeError("endpoint failed after writing")

    return router


def _organisations(engine: Engine, name: str) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(Organisation)
                      .where(Organisation.name == name)).one()


def test_nothing_is_committed_when_the_response_or_the_endpoint_fails(fresh: Fresh) -> None:
    with TestClient(_app_with(_probe_router(), fresh),
                    raise_server_exceptions=False) as client:
        assert client.post("/probe/valid", params={"name": "Probe OK"}).status_code == 200
        r = client.post("/probe/invalid", params={"name": "Probe bad response"})
        assert r.status_code == 500
        assert client.post("/probe/fails", params={"name": "Probe raised"}).status_code == 500
    assert _organisations(fresh.engine, "Probe OK") == 1
    assert _organisations(fresh.engine, "Probe bad response") == 0
    assert _organisations(fresh.engine, "Probe raised") == 0


def test_async_endpoints_are_refused() -> None:
    router = Router()

    async def handler() -> dict:
        return {}

    with pytest.raises(TypeError, match="synchronous"):
        router.add_api_route("/x", handler)


async def _org_of(user: CurrentUser) -> uuid.UUID:
    return user.organisation_id  # would be a BearerClaim here, not the user row


def test_dependencies_that_take_the_user_are_refused() -> None:
    def handler(org: Annotated[uuid.UUID, Depends(_org_of)]) -> dict:
        return {"org": str(org)}

    with pytest.raises(TypeError, match="takes the current user"):
        Router().add_api_route("/x", handler)


def _user(engine: Engine, user_id: str) -> User:
    with Session(engine) as s:
        return s.get(User, uuid.UUID(user_id))


def _token(fresh: Fresh, user: User, role: str | None) -> dict[str, str]:
    token = create_access_token(user.id, user.token_version, secret=SECRET, minutes=5, role=role)
    return {"Authorization": f"Bearer {token}"}


def test_staff_routes_check_the_token_role_early_and_the_database_role_in_the_trip(
        fresh: Fresh) -> None:
    provider = register(fresh.client, "provider")
    user = _user(fresh.engine, provider.user["id"])
    # the role claim says provider: refused before the (invalid) body is read
    r = fresh.client.post("/matching/weights", json={"weights": "nonsense"},
                          headers=_token(fresh, user, "provider"))
    assert r.status_code == 403, r.text
    # a token that claims staff (or carries no role) is checked against the user row
    for claim in ("staff", None):
        r = fresh.client.get("/stats/overview", headers=_token(fresh, user, claim))
        assert r.status_code == 403, (claim, r.text)
    with Session(fresh.engine) as s:
        s.get(User, user.id).role = "staff"
        s.commit()
    for claim in ("staff", None):
        r = fresh.client.get("/stats/overview", headers=_token(fresh, user, claim))
        assert r.status_code == 200, (claim, r.text)


def test_a_revoked_or_deactivated_user_is_refused_in_the_trip(fresh: Fresh) -> None:
    company = register(fresh.client, "company")
    assert company.get("/auth/me").status_code == 200
    with Session(fresh.engine) as s:
        s.get(User, uuid.UUID(company.user["id"])).token_version += 1
        s.commit()
    r = company.get("/auth/me")
    assert r.status_code == 401
    assert r.json()["detail"] == "Token no longer valid"

    other = register(fresh.client, "company")
    with Session(fresh.engine) as s:
        s.get(User, uuid.UUID(other.user["id"])).is_active = False
        s.commit()
    assert other.get("/auth/me").status_code == 401


def test_endpoints_receive_the_user_row(fresh: Fresh) -> None:
    router = Router()
    seen: list[object] = []

    @router.get("/who")
    def who(user: CurrentUser, staff: StaffUser) -> dict:  # noqa: ARG001
        seen.extend([user, staff])
        return {}

    company = register(fresh.client, "company")
    with TestClient(_app_with(router, fresh), raise_server_exceptions=False) as client:
        assert client.get("/who", headers=company.headers).status_code == 403
        with Session(fresh.engine) as s:
            s.get(User, uuid.UUID(company.user["id"])).role = "staff"
            s.commit()
        r = client.get("/who", headers=_token(fresh, _user(fresh.engine, company.user["id"]),
                                              "staff"))
        assert r.status_code == 200, r.text
    assert all(isinstance(u, User) for u in seen)
    assert seen[0] is seen[1]
