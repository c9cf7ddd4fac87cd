"""Data revision stamps: every committed ORM write to a watched table restamps it, nothing else.

The engine and monitoring caches trust these stamps to notice writes from any worker, so each
way of writing (flush of new/dirty/deleted objects, ORM bulk statements) is covered, as are
rollbacks, read-only transactions and concurrent writers on PostgreSQL.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from api.db import make_engine
from api.migrate import upgrade
from models import revision
from models.base import utcnow
from models.need import Need
from models.organisation import Organisation
from models.revision import (
    CATALOGUE_TABLES,
    NEED_TABLES,
    CatalogueChange,
    DataRevision,
    data_stamp,
)
from tests.factories import SMALL_POOLS


def _org(name: str = "Revisie bv") -> Organisation:
    return Organisation(kind="company", name=name, contact_email="info@revisie.example.be")


def _stamps(session: Session) -> dict[str, str]:
    return dict(data_stamp(session, CATALOGUE_TABLES + NEED_TABLES))


def test_migration_seeds_one_row_per_watched_table(db: Session) -> None:
    names = set(db.exec(select(DataRevision.table_name)).all())
    # plus the change log's lock row
    assert names == {"capability", "catalogue_change", "need", "organisation", "site",
                     "workforce"}


def test_commit_restamps_only_the_tables_written(db: Session) -> None:
    before = _stamps(db)
    db.add(_org())
    db.commit()
    after = _stamps(db)
    assert after["organisation"] != before["organisation"]
    assert {k: v for k, v in after.items() if k != "organisation"} == \
        {k: v for k, v in before.items() if k != "organisation"}


def test_update_and_delete_restamp(db: Session) -> None:
    org = _org()
    db.add(org)
    db.commit()
    first = _stamps(db)["organisation"]
    org.name = "Revisie nv"
    db.commit()
    second = _stamps(db)["organisation"]
    db.delete(org)
    db.commit()
    third = _stamps(db)["organisation"]
    assert len({first, second, third}) == 3


def test_orm_bulk_update_restamps(db: Session) -> None:
    before = _stamps(db)["need"]
    db.execute(update(Need).where(Need.id == uuid.uuid4()).values(updated_at=utcnow()))
    db.commit()
    assert _stamps(db)["need"] != before


def test_read_only_commit_and_rollback_keep_stamps(db: Session) -> None:
    before = _stamps(db)
    db.exec(select(Organisation)).all()
    db.commit()
    assert _stamps(db) == before
    db.add(_org())
    db.flush()
    db.rollback()
    assert _stamps(db) == before
    db.commit()  # nothing left over from the rolled-back flush
    assert _stamps(db) == before


@pytest.mark.postgres
def test_concurrent_writers_commit_without_deadlock(pg_databases) -> None:  # noqa: ANN001
    """Eight sessions write organisations at once and commit together: none deadlocks or
    fails on the shared stamp row, and the committed stamp moved."""
    url = pg_databases.create("koppel_rev")
    upgrade(url)
    engine = make_engine(url, **SMALL_POOLS)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            with Session(engine) as session:
                session.add(_org(f"Revisie {i}"))
                session.flush()
                barrier.wait(timeout=10)
                session.commit()
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)

    with Session(engine) as session:
        before = _stamps(session)
    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    with Session(engine) as session:
        after = _stamps(session)
        assert len(session.exec(select(Organisation)).all()) == 8
    assert after["organisation"] != before["organisation"]
    assert after["need"] == before["need"]
    engine.dispose()


def _log(session: Session) -> list[tuple[int, str, str | None]]:
    return [tuple(r) for r in session.execute(
        select(CatalogueChange.seq, CatalogueChange.table_name, CatalogueChange.row_id)
        .order_by(CatalogueChange.seq)).all()]


def test_catalogue_writes_are_logged_in_commit_order(db: Session) -> None:
    before = _log(db)
    first, second = _org("Een"), _org("Twee")
    db.add(first)
    db.commit()
    db.add(second)
    first.name = "Een bis"
    db.commit()
    db.execute(update(Organisation).where(Organisation.id == first.id).values(name="Bulk"))
    db.commit()
    new = _log(db)[len(before):]
    start = before[-1][0] if before else 0
    assert [s for s, _t, _r in new] == list(range(start + 1, start + 5))
    assert [(t, r) for _s, t, r in new] == [
        ("organisation", str(first.id)),
        *sorted([("organisation", str(first.id)), ("organisation", str(second.id))]),
        ("organisation", None)]  # a bulk statement: the whole table


def test_old_entries_are_pruned(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(revision, "PRUNE_EVERY", 1)
    monkeypatch.setattr(revision, "KEEP_CHANGES_SECONDS", 0.0)
    db.add(_org("Oud"))
    db.commit()
    db.add(_org("Nieuw"))
    db.commit()
    assert len(_log(db)) == 1  # only the last commit's entry is left
