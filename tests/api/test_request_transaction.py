"""The request transaction: committed once, after the response validated, before it is sent.

These tests use the real request session (no rollback fixture): what they check is exactly
when it commits. Each gets a fresh migrated database on the backend under test.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.config import Settings
from api.db import SQLITE_WRITE, make_engine
from api.deps import CurrentUser, SessionDep, StaffUser
from api.errors import install_handlers
from api.main import create_app
from api.migrate import upgrade
from api.security import create_access_token
from models.organisation import Organisation, User
from tests.conftest import new_database_url
from tests.factories import FAST_PASSWORD_HASHING, SMALL_POOLS, add_site, need_body, register

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
    engine = make_engine(url, **SMALL_POOLS)
    app = create_app(settings, engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Fresh(client, engine, settings, app)
    engine.dispose()


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


def _app_with(router: APIRouter, fresh: Fresh) -> FastAPI:
    """A bare app serving ``router`` on the fresh database, with Koppel's problem handlers."""
    app = FastAPI()
    app.state.engine, app.state.settings = fresh.engine, fresh.settings
    install_handlers(app)
    app.include_router(router)
    return app


def _probe_router() -> APIRouter:
    router = APIRouter(prefix="/probe")

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


def _user(engine: Engine, user_id: str) -> User:
    with Session(engine) as s:
        return s.get(User, uuid.UUID(user_id))


def _token(fresh: Fresh, user: User, role: str | None) -> dict[str, str]:
    token = create_access_token(user.id, user.token_version, secret=SECRET, minutes=5, role=role)
    return {"Authorization": f"Bearer {token}"}


def test_staff_routes_check_the_token_role_early_and_the_database_role(
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


def test_a_revoked_or_deactivated_user_is_refused(fresh: Fresh) -> None:
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
    router = APIRouter()
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


def _read_then_write(engine: Engine, read: threading.Event, other_done: threading.Event) -> None:
    with engine.connect() as conn, conn.begin():
        conn.exec_driver_sql("SELECT count(*) FROM t").scalar()
        read.set()
        other_done.wait(1.0)  # with the write lock held, the other writer waits for us
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")


def test_sqlite_write_sessions_begin_with_the_write_lock(tmp_path) -> None:  # noqa: ANN001
    """Two writers found by the fuzzer: one read, the other committed, the first then wrote
    and got "database is locked" at once, a 503; a write request's transaction now begins
    with the write lock, so the second writer waits its turn."""
    engine = make_engine(f"sqlite:///{tmp_path / 'locks.sqlite3'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    writer = engine.execution_options(**{SQLITE_WRITE: True})
    read, other_done, errors = threading.Event(), threading.Event(), []

    def first() -> None:
        try:
            _read_then_write(writer, read, other_done)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    thread = threading.Thread(target=first)
    thread.start()
    assert read.wait(5.0)
    with writer.connect() as conn, conn.begin():
        conn.exec_driver_sql("INSERT INTO t VALUES (2)")
    other_done.set()
    thread.join(10.0)
    assert errors == []
    with engine.connect() as conn:
        assert sorted(conn.exec_driver_sql("SELECT x FROM t").scalars()) == [1, 2]
    engine.dispose()


def test_every_request_session_on_sqlite_begins_with_the_write_lock(tmp_path) -> None:  # noqa: ANN001
    """A GET writes too (an export records its audit row): the fuzzer's 503 on a parallel
    `GET /organisations/{id}/export` came from a deferred read turned write."""
    import anyio
    from starlette.requests import Request

    from api.db import get_session

    engine = make_engine(f"sqlite:///{tmp_path / 'requests.sqlite3'}")
    app = FastAPI()
    app.state.engine = engine

    async def options(method: str) -> dict:
        request = Request({"type": "http", "method": method, "path": "/", "headers": [],
                           "app": app})
        sessions = get_session(request)
        session = await sessions.__anext__()
        found = dict(session.get_bind().get_execution_options())
        await sessions.aclose()
        return found

    for method in ("GET", "POST"):
        assert anyio.run(options, method).get(SQLITE_WRITE) is True
    engine.dispose()
