"""The PostgreSQL pool: a connection back a moment ago is handed out without a ping; one that
sat idle is pinged first, and replaced if its server side is gone."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from api import db


@pytest.fixture
def pg_engine(pg_databases, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.3)
    engine = db.make_engine(pg_databases.create("koppel_pool"), pool_size=1, max_overflow=0)
    pings: list[str] = []
    real_ping = engine.dialect.do_ping

    def counted_ping(dbapi_conn):  # noqa: ANN001, ANN202
        pings.append("ping")
        return real_ping(dbapi_conn)

    monkeypatch.setattr(engine.dialect, "do_ping", counted_ping)
    yield engine, pings
    engine.dispose()


def _backend_pid(engine) -> int:  # noqa: ANN001
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_back_a_moment_ago_is_not_pinged(pg_engine) -> None:  # noqa: ANN001
    engine, pings = pg_engine
    first = _backend_pid(engine)  # a fresh connection: not pinged either
    for _ in range(5):
        assert _backend_pid(engine) == first  # the same pooled connection, reused
    assert pings == []


def test_an_idle_connection_is_pinged_and_replaced_when_its_backend_is_gone(
        pg_engine, pg_databases) -> None:  # noqa: ANN001
    engine, pings = pg_engine
    first = _backend_pid(engine)
    with pg_databases.admin.connect() as admin:  # the server ends that session meanwhile
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    time.sleep(0.5)  # longer than PING_AFTER_IDLE_SECONDS
    second = _backend_pid(engine)  # no error: the ping found it gone, a fresh one serves
    assert second != first
    assert len(pings) == 1
    time.sleep(0.5)
    assert _backend_pid(engine) == second  # idle again: pinged, alive, kept
    assert len(pings) == 2
