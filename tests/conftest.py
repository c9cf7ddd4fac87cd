"""Fixtures: every API test runs against SQLite and the real PostgreSQL.

Each backend gets a fresh database migrated with Alembic once per session; each test runs inside
a transaction that is rolled back at the end (SQLAlchemy's "join a session into an external
transaction" recipe), so tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.datastructures import State

from api.config import Settings
from api.db import get_session, make_engine
from api.main import create_app, set_app_state
from api.migrate import upgrade
from api.routes.clusters import job_bind
from tests.factories import FAST_PASSWORD_HASHING, SMALL_POOLS

PG_ADMIN_URL = os.environ.get(
    "KOPPEL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = "/usr/bin/chromium"  # Debian's package; never a downloaded browser
# every Settings of the run, and the servers and commands it starts, get small pools too
os.environ.setdefault("DB_POOL_SIZE", str(SMALL_POOLS["pool_size"]))
os.environ.setdefault("DB_POOL_OVERFLOW", str(SMALL_POOLS["max_overflow"]))


def _pg_available() -> str | None:
    try:
        eng = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("SELECT 1"))
        eng.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - report any reason PostgreSQL is unusable
        return f"{exc.__class__.__name__}: {exc}"


class PgDatabases:
    """Creates throw-away PostgreSQL databases and drops them at the end of the session."""

    def __init__(self) -> None:
        self.created: list[str] = []
        self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def create(self, prefix: str = "koppel_test") -> str:
        name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PgDatabases]:
    reason = _pg_available()
    if reason:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI=true but unreachable: {reason}")
        pytest.skip(f"PostgreSQL unreachable ({reason}); set it up or run under CI=true")
    dbs = PgDatabases()
    yield dbs
    dbs.drop_all()


def new_database_url(backend: str, tmp_path_factory: pytest.TempPathFactory,
                     request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        path = Path(tmp_path_factory.mktemp("sqlite")) / "koppel.db"
        return f"sqlite:///{path}"
    return request.getfixturevalue("pg_databases").create()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def migrated_url(backend: str, tmp_path_factory: pytest.TempPathFactory,
                 request: pytest.FixtureRequest) -> str:
    url = new_database_url(backend, tmp_path_factory, request)
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(migrated_url: str) -> Iterator[Engine]:
    eng = make_engine(migrated_url, **SMALL_POOLS)
    yield eng
    eng.dispose()


@pytest.fixture
def settings(migrated_url: str) -> Settings:
    # rate limits off: a test logs in far more often than a person; tests/api/test_security.py
    # builds its own app with them on
    return Settings(environment="test", database_url=migrated_url,
                    secret_key="test-secret-" + "x" * 32, rate_limit_enabled=False,
                    **FAST_PASSWORD_HASHING)


@pytest.fixture
def connection(engine: Engine) -> Iterator:
    conn = engine.connect()
    trans = conn.begin()
    yield conn
    if trans.is_active:
        trans.rollback()
    conn.close()


@pytest.fixture
def db(connection) -> Iterator[Session]:  # noqa: ANN001
    with Session(bind=connection, join_transaction_mode="create_savepoint",
                 expire_on_commit=False) as session:
        yield session


class _Apps:
    """One app per backend and settings, handed to test after test as if it were new.

    FastAPI builds each included route's request and response models lazily, per app, on the
    first requests it matches (a pydantic TypeAdapter per parameter and response model): about
    0.2 s for every new app, a fifth of an API test's time. The routes, middleware classes and
    handlers are the same for every test of a backend, so the app is kept; everything
    ``create_app`` sets per app is set anew for each test (``reset``), and an app a test
    changed in any other way (a router included, an attribute replaced) is not reused.
    """

    # what reset() sets anew; any other attribute of the app must be as the test found it
    RESET = frozenset({"state", "dependency_overrides", "openapi_schema",
                       "_openapi_routes_version", "middleware_stack"})

    def __init__(self) -> None:
        self.free: dict[tuple[str, int], FastAPI] = {}

    @staticmethod
    def key(settings: Settings, engine: Engine) -> tuple[str, int]:
        return settings.model_dump_json(), id(engine)

    @staticmethod
    def reset(application: FastAPI, settings: Settings, engine: Engine) -> None:
        """The per-app state as ``create_app(settings, engine)`` leaves it."""
        application.state = State()
        set_app_state(application, settings, engine)
        for middleware in application.user_middleware:  # the same limits object as create_app
            if "limits" in middleware.kwargs:
                middleware.kwargs["limits"] = application.state.rate_limits
        application.middleware_stack = None  # rebuilt on the first request, with those limits
        application.dependency_overrides = {}
        application.openapi_schema = None
        application._openapi_routes_version = None  # noqa: SLF001

    @classmethod
    def fingerprint(cls, application: FastAPI) -> tuple:
        attributes = tuple(sorted((name, id(value)) for name, value in vars(application).items()
                                  if name not in cls.RESET))
        return (attributes, list(application.router.routes),
                [(m.cls, m.args, dict(m.kwargs)) for m in application.user_middleware],
                dict(application.exception_handlers))


@pytest.fixture(scope="session")
def _apps() -> _Apps:
    return _Apps()


@pytest.fixture
def app(settings: Settings, engine: Engine, connection, _apps: _Apps):  # noqa: ANN001, ANN201
    key = _Apps.key(settings, engine)
    application = _apps.free.pop(key, None)
    if application is None:
        application = create_app(settings=settings, engine=engine)
    else:
        _Apps.reset(application, settings, engine)

    def _session() -> Iterator[Session]:
        with Session(bind=connection, join_transaction_mode="create_savepoint",
                     expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    application.dependency_overrides[get_session] = _session
    # background jobs (cluster runs) open their sessions on the test's connection too: on their
    # own connection they would wait for the test transaction's SQLite write lock (30 s busy
    # timeout) and, on PostgreSQL, not see the rows the request wrote
    application.dependency_overrides[job_bind] = lambda: connection
    before = _Apps.fingerprint(application)
    yield application
    if _Apps.fingerprint(application) == before:
        _apps.free[key] = application


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # noqa: ANN001
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


# ---- Playwright ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium under Playwright, one per test module; under CI=true a missing
    browser or Playwright fails instead of skipping.

    Per module, not per session: Playwright's sync API keeps an asyncio loop running in the
    main thread while it is open, and tests elsewhere run their own loops (``anyio.run``).
    """
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is required under CI=true (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not installed; `apt-get install chromium` to run these tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if IN_CI:
            raise
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()
