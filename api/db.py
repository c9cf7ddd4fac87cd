"""Engine and session: one request = one transaction, committed once at the end."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import anyio
import psycopg
from fastapi import Request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session, create_engine
from starlette.concurrency import run_in_threadpool

from api import dbwatch
from api.config import DB_POOL_OVERFLOW, DB_POOL_SIZE, Settings

#: execution option: on SQLite, begin this connection's transactions with the write lock
SQLITE_WRITE = "koppel_sqlite_write"
#: longest wait for a pooled connection (or a free server slot) before a 429
POOL_WAIT_SECONDS = 30.0


def engine_for(settings: Settings) -> Engine:
    """The engine ``settings`` describe: URL, timeouts and pool sizes."""
    return make_engine(settings.sqlalchemy_url, timeout_seconds=settings.db_timeout_seconds,
                       pool_size=settings.db_pool_size, max_overflow=settings.db_pool_overflow)


def make_engine(url: str, *, timeout_seconds: float = 5.0,
                pool_size: int = DB_POOL_SIZE, max_overflow: int = DB_POOL_OVERFLOW) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_pre_ping=True
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            # let SQLAlchemy, not pysqlite, decide when transactions begin, so that
            # SAVEPOINTs and rollbacks behave as on PostgreSQL
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # noqa: ANN001
            # a request takes SQLite's write lock when it begins: a deferred transaction
            # that read first and then writes after another writer committed fails at once
            # with "database is locked" (the busy timeout cannot help it); reads write too
            # (an export records its audit row), so every request transaction is immediate
            immediate = conn.get_execution_options().get(SQLITE_WRITE, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    engine = create_engine(
        url,
        # pinged on checkout only after a pause (see _ping_after_idle), not on every request
        pool_pre_ping=False,
        # see Settings.db_pool_size; a wait for the pool is bounded and answered with a 429
        # (api.errors), never a 503: the database is up
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=max(POOL_WAIT_SECONDS, timeout_seconds),
        connect_args={
            "connect_timeout": max(1, int(timeout_seconds)),
            # custom plans always: psycopg prepares repeated statements, and PostgreSQL's
            # generic plan for "this organisation's needs" assumes an average tenant; for one
            # company with 50,000 needs it sorted every row instead of reading the
            # (organisation, status, created_at) index in order (19 ms instead of 2.7 ms)
            "options": (f"-c statement_timeout={int(timeout_seconds * 1000 * 6)}"
                        " -c plan_cache_mode=force_custom_plan"),
        },
    )
    watchdog = dbwatch.Watchdog(timeout_seconds)
    busy_wait = max(POOL_WAIT_SECONDS, timeout_seconds)

    @event.listens_for(engine, "do_connect")
    def _watched_connect(_dialect, _record, _cargs, cparams):  # noqa: ANN001, ANN202
        target = (str(cparams.get("host") or "/var/run/postgresql").split(",")[0],
                  int(str(cparams.get("port") or 5432).split(",")[0]))
        deadline = time.monotonic() + busy_wait
        while True:
            try:
                return dbwatch.connect(watchdog, target, cparams)
            except psycopg.OperationalError as exc:
                # the server is up but has no connection slot free (other clients): wait for
                # one, within the same bound as a wait for the pool
                if not _no_slot_free(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    _ping_after_idle(engine)
    return engine


def _ping_after_idle(engine: Engine) -> None:
    """Check a pooled connection with a round trip only if it sat unused for a while.

    A connection returned to the pool a moment ago was working a moment ago; pinging it on
    every checkout (``pool_pre_ping``) cost each request one more round trip. One that sat
    idle for :data:`PING_AFTER_IDLE_SECONDS` (the server may have restarted or dropped it
    meanwhile) is pinged, and replaced by a fresh connection if the ping fails (SQLAlchemy's
    pool retries a checkout that raises ``DisconnectionError``). A server that goes away
    within that moment fails the request's first statement instead, which SQLAlchemy treats
    as a disconnect: it invalidates the pool, and that request is answered 503.
    """

    @event.listens_for(engine, "connect")
    def _fresh(_dbapi_conn, record):  # noqa: ANN001, ANN202
        record.info[_RETURNED] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_conn, record):  # noqa: ANN001, ANN202
        if record is not None:
            record.info[_RETURNED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn, record, _proxy):  # noqa: ANN001, ANN202
        if time.monotonic() - record.info.get(_RETURNED, 0.0) < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:  # the dialect says which mean "gone"
            if engine.dialect.is_disconnect(exc, dbapi_conn, None):
                raise DisconnectionError() from exc
            raise


#: a pooled connection unused for longer than this is pinged before it is handed out
PING_AFTER_IDLE_SECONDS = 2.0
_RETURNED = "koppel_returned_at"


def _no_slot_free(exc: Exception) -> bool:
    text = str(exc)
    return ("too many clients" in text or "remaining connection slots" in text
            or "too many connections" in text)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """Request-scoped session: committed before the response is sent, rolled back on any error.

    Used with ``scope="function"`` so the exit runs before the response is sent: a client
    never sees a success for a write that did not land.

    FastAPI runs this exit after the endpoint's response has been validated against its
    ``response_model``, so a response that fails its schema leaves nothing written. The commit
    or rollback talks to the database, so it runs in a worker thread; a session that holds no
    transaction (a read that never touched the database) is closed on the event loop.
    """
    engine = request.app.state.engine
    if engine.dialect.name == "sqlite":  # one writer at a time, waiting its turn
        engine = engine.execution_options(**{SQLITE_WRITE: True})
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
    except BaseException:
        with anyio.CancelScope(shield=True):  # a client that hung up still gets a rollback
            await run_in_threadpool(_finish, session, commit=False)
        raise
    if _settled(session):
        session.close()
        return
    with anyio.CancelScope(shield=True):
        await run_in_threadpool(_finish, session, commit=True)


def _settled(session: Session) -> bool:
    """No transaction and nothing pending: closing does no I/O."""
    return not session.in_transaction() and not (session.new or session.dirty or session.deleted)


def finish(session: Session) -> None:
    """Commit and close ``session`` now, in the calling worker thread (see api.responses);
    :func:`get_session` then finds it settled and has nothing left to do."""
    _finish(session, commit=True)


def _finish(session: Session, *, commit: bool) -> None:
    try:
        if commit:
            session.commit()
    finally:
        session.close()  # rolls back whatever did not commit and returns the connection
