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

The catalogue change log (``catalogue_change``) lets the engine follow writes row by row: the
same ``before_commit`` hook appends one entry (sequence number, table, row id) per catalogue row
the transaction wrote, after taking the ``catalogue_change`` revision row's lock, so sequence
numbers are handed out in commit order and a reader that sees entry *n* sees every entry before
it. Each entry also gets a random token: after a rollback a sequence number can be reused, and
the token tells the reader it is not the entry it saw. An ORM bulk statement on a catalogue
table logs one entry without row id ("the whole table").

Writes that bypass the ORM session (raw SQL, bulk loads by benchmarks before a server starts)
are not seen; the caches also expire after an hour as a backstop.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import chain

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, SQLModel, col

from models.base import rowcount, utcnow

CATALOGUE_TABLES = ("capability", "organisation", "site", "workforce")
CHANGE_LOG = "catalogue_change"
PRUNE_EVERY = 1000  # every this many entries, drop those older than KEEP_CHANGES_SECONDS
KEEP_CHANGES_SECONDS = 86400.0
NEED_TABLES = ("need",)
WATCHED_TABLES = frozenset(CATALOGUE_TABLES + NEED_TABLES)
_TOUCHED = "koppel_touched_tables"
_CHANGED = "koppel_changed_rows"


class DataRevision(SQLModel, table=True):
    __tablename__ = "data_revision"

    table_name: str = Field(primary_key=True, max_length=63)
    stamp: str = Field(max_length=32, nullable=False)
    changed_at: datetime = Field(default_factory=utcnow, nullable=False,
                                 sa_type=sa.DateTime(timezone=True))


class CatalogueChange(SQLModel, table=True):
    """One catalogue row written by a committed transaction (the engine's change log)."""

    __tablename__ = "catalogue_change"

    seq: int = Field(primary_key=True, sa_type=sa.BigInteger, sa_column_kwargs={
        "autoincrement": False})
    token: str = Field(max_length=32, nullable=False)
    table_name: str = Field(max_length=63, nullable=False)
    # the row's id; for workforce the site's id; None: any row of the table (bulk statement)
    row_id: str | None = Field(default=None, max_length=36)
    changed_at: datetime = Field(default_factory=utcnow, nullable=False,
                                 sa_type=sa.DateTime(timezone=True))


def _row_key(obj: object) -> tuple[str, str | None] | None:
    table = getattr(type(obj), "__tablename__", None)
    if table not in CATALOGUE_TABLES:
        return None
    row = getattr(obj, "site_id" if table == "workforce" else "id", None)
    return table, None if row is None else str(row)


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
    objects = list(chain(session.new, session.dirty, session.deleted))
    _touch(session, (getattr(type(obj), "__tablename__", None) for obj in objects))
    keys = {k for k in map(_row_key, objects) if k is not None}
    if keys:
        session.info.setdefault(_CHANGED, set()).update(keys)


@event.listens_for(OrmSession, "do_orm_execute")
def _note_bulk(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        name = getattr(table, "name", None)
        _touch(state.session, [name])
        if name in CATALOGUE_TABLES:
            state.session.info.setdefault(_CHANGED, set()).add((name, None))


@event.listens_for(OrmSession, "before_commit")
def _restamp(session: OrmSession) -> None:
    session.flush()  # the commit's own final flush comes after this hook
    touched = session.info.pop(_TOUCHED, None) or set()
    changed = session.info.pop(_CHANGED, None)
    if changed:
        touched.add(CHANGE_LOG)  # its revision row is the change log's lock
    for name in sorted(touched):
        values = {"stamp": uuid.uuid4().hex, "changed_at": utcnow()}
        result = session.execute(sa.update(DataRevision)
                                 .where(col(DataRevision.table_name) == name).values(**values))
        if rowcount(result) == 0:  # a database whose seed rows were removed by hand
            session.execute(sa.insert(DataRevision).values(table_name=name, **values))
    if changed:
        _log_changes(session, changed)


def _log_changes(session: OrmSession, changed: set[tuple[str, str | None]]) -> None:
    # under the change log's row lock (taken just above): max(seq) is the last committed entry
    last = session.execute(sa.select(sa.func.max(CatalogueChange.seq))).scalar() or 0
    now = utcnow()
    rows = [{"seq": last + i, "token": uuid.uuid4().hex, "table_name": table, "row_id": row,
             "changed_at": now}
            for i, (table, row) in enumerate(sorted(changed, key=lambda k: (k[0], k[1] or "")),
                                             start=1)]
    session.execute(sa.insert(CatalogueChange), rows)
    if (last + len(rows)) // PRUNE_EVERY > last // PRUNE_EVERY:
        # an engine cache whose last entry is pruned just fits afresh
        session.execute(sa.delete(CatalogueChange).where(
            col(CatalogueChange.changed_at) < now - timedelta(seconds=KEEP_CHANGES_SECONDS)))


@event.listens_for(OrmSession, "after_transaction_end")
def _forget(session: OrmSession, transaction: object) -> None:
    if getattr(transaction, "parent", None) is None:  # the outermost transaction ended
        session.info.pop(_TOUCHED, None)
        session.info.pop(_CHANGED, None)
