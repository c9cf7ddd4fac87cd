"""Data revisions: one row per watched table, restamped by every transaction that writes it.

The matching engine and the monitoring figures are cached per process and must notice any
committed write, on any worker. Reading one small row per table is far cheaper than counting
and scanning the tables on every request (the earlier ``count(*)``/``max(updated_at)``
fingerprint cost ~5 ms of database time per match request at 10,000 capabilities, and could
miss an update whose ``updated_at`` was older than a concurrent one's).

How it stays correct:

* ``after_flush`` notes which watched tables a session's flush inserted, updated or deleted
  rows of; ``do_orm_execute`` notes ORM bulk ``insert``/``update``/``delete`` statements.
* ``before_commit`` flushes, then writes a fresh random stamp into those tables' rows, in
  table-name order, as the last statements of the transaction. The stamp commits atomically
  with the data, and because the row lock is taken last, a writer holding it never waits for
  another lock (no deadlocks), and concurrent writers are ordered by it.
* Stamps are random, not counters, so a rolled-back transaction can never make an old stamp
  reappear for different data (tests roll back after every test).

Writes that bypass the ORM session (raw SQL, bulk loads by benchmarks before a server starts)
are not seen; the caches also expire after an hour as a backstop.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from itertools import chain

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, SQLModel, col

from models.base import rowcount, utcnow

CATALOGUE_TABLES = ("capability", "organisation", "site", "workforce")
NEED_TABLES = ("need",)
WATCHED_TABLES = frozenset(CATALOGUE_TABLES + NEED_TABLES)
_TOUCHED = "koppel_touched_tables"


class DataRevision(SQLModel, table=True):
    __tablename__ = "data_revision"

    table_name: str = Field(primary_key=True, max_length=63)
    stamp: str = Field(max_length=32, nullable=False)
    changed_at: datetime = Field(default_factory=utcnow, nullable=False,
                                 sa_type=sa.DateTime(timezone=True))


def data_stamp(session: OrmSession, tables: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """The current stamps of ``tables``: equal stamps mean no committed write in between."""
    names = sorted(tables)
    rows = session.execute(sa.select(col(DataRevision.table_name), col(DataRevision.stamp))
                           .where(col(DataRevision.table_name).in_(names))).all()
    return tuple(sorted((name, stamp) for name, stamp in rows))


def _touch(session: OrmSession, tables: Iterable[str | None]) -> None:
    watched = {t for t in tables if t in WATCHED_TABLES}
    if watched:
        session.info.setdefault(_TOUCHED, set()).update(watched)


@event.listens_for(OrmSession, "after_flush")
def _note_flushed(session: OrmSession, _context: object) -> None:
    # still the pre-flush state here: new, dirty and deleted name what this flush wrote
    _touch(session, (getattr(type(obj), "__tablename__", None)
                     for obj in chain(session.new, session.dirty, session.deleted)))


@event.listens_for(OrmSession, "do_orm_execute")
def _note_bulk(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        _touch(state.session, [getattr(table, "name", None)])


@event.listens_for(OrmSession, "before_commit")
def _restamp(session: OrmSession) -> None:
    session.flush()  # the commit's own final flush comes after this hook
    touched = session.info.pop(_TOUCHED, None)
    for name in sorted(touched or ()):
        values = {"stamp": uuid.uuid4().hex, "changed_at": utcnow()}
        result = session.execute(sa.update(DataRevision)
                                 .where(col(DataRevision.table_name) == name).values(**values))
        if rowcount(result) == 0:  # a database whose seed rows were removed by hand
            session.execute(sa.insert(DataRevision).values(table_name=name, **values))


@event.listens_for(OrmSession, "after_transaction_end")
def _forget(session: OrmSession, transaction: object) -> None:
    if getattr(transaction, "parent", None) is None:  # the outermost transaction ended
        session.info.pop(_TOUCHED, None)
