"""The need tally (needs per organisation and status) always equals a fresh count.

It is kept by triggers (migration 0007), so every way of writing needs is exercised: ORM
inserts, status changes, deletes, bulk statements, organisation erasure by cascade; on SQLite
and PostgreSQL, and with opposite status changes racing on PostgreSQL. ``GET /needs`` reports
its ``total`` from the tally, so the API's totals are checked against real counts too.
"""

from __future__ import annotations

import random
import threading
import uuid

import pytest
from sqlalchemy import delete, func, text, update
from sqlmodel import Session, create_engine, select

from api.migrate import upgrade
from models.need import Need, NeedTally
from models.organisation import Organisation
from models.site import Site
from tests.factories import add_need, add_site, register

STATUSES = ("draft", "open", "matched", "closed", "cancelled")


def _site(org: Organisation) -> Site:
    return Site(organisation_id=org.id, name="Magazijn", postcode="8800",
                municipality_nis="36015", municipality="Roeselare", arrondissement_nis="36000",
                arrondissement="Roeselare", province="west-vlaanderen", lat=50.9469, lon=3.1227)


def _need(org: Organisation, site: Site, status: str, n: int = 0) -> Need:
    return Need(organisation_id=org.id, site_id=site.id, title=f"Need {n}",
                activity="returns.apparel", placement_mode="workshop", fte=1.0,
                accommodates_support="low", status=status)


def _company(session: Session, name: str) -> tuple[Organisation, Site]:
    org = Organisation(kind="company", name=name)
    session.add(org)
    session.flush()
    site = _site(org)
    session.add(site)
    session.flush()
    return org, site


def _counted(session: Session) -> dict[tuple[uuid.UUID, str], int]:
    rows = session.exec(select(Need.organisation_id, Need.status, func.count())
                        .group_by(Need.organisation_id, Need.status)).all()
    return {(org, status): n for org, status, n in rows}


def _tallied(session: Session) -> dict[tuple[uuid.UUID, str], int]:
    rows = session.exec(select(NeedTally.organisation_id, NeedTally.status, NeedTally.needs)
                        ).all()
    return {(org, status): n for org, status, n in rows if n != 0}


def test_tally_follows_every_kind_of_write(db: Session) -> None:
    rng = random.Random(7)
    companies = [_company(db, f"Webshop {i}") for i in range(3)]
    needs: list[Need] = []
    for step in range(120):
        op = rng.random()
        if op < 0.4 or not needs:
            org, site = rng.choice(companies)
            needs.append(_need(org, site, rng.choice(STATUSES), step))
            db.add(needs[-1])
            db.flush()  # persisted, so that a later step may delete it
        elif op < 0.8:
            rng.choice(needs).status = rng.choice(STATUSES)
        else:
            db.delete(needs.pop(rng.randrange(len(needs))))
        if step % 10 == 0:
            db.flush()
    db.flush()
    assert _tallied(db) == _counted(db)

    db.execute(update(Need).where(Need.status == "draft").values(status="open"))
    db.execute(delete(Need).where(Need.status == "cancelled"))
    assert _tallied(db) == _counted(db)

    org, _site_ = companies[0]
    db.delete(org)  # erasure: its needs and its tally rows go by cascade
    db.flush()
    db.expire_all()
    assert _tallied(db) == _counted(db)
    assert not any(key[0] == org.id for key in _tallied(db))


def test_tally_rolls_back_with_the_transaction(db: Session) -> None:
    org, site = _company(db, "Webshop")
    db.commit()
    db.add(_need(org, site, "open"))
    db.flush()
    assert _tallied(db)[(org.id, "open")] == 1
    db.rollback()
    assert (org.id, "open") not in _tallied(db)


def test_list_totals_equal_counts(client, db: Session) -> None:  # noqa: ANN001
    company = register(client, "company")
    site = add_site(company)
    for _ in range(3):
        add_need(company, site)
    add_need(company, site, publish=False)
    add_need(company, site, activity="displays.build", competences=[])
    other = register(client, "company")
    add_need(other, add_site(other))  # another tenant's need is never counted

    def total(**params: str) -> int:
        r = company.get("/needs", params={"limit": 1, **params})
        assert r.status_code == 200, r.text
        assert len(r.json()["items"]) == min(1, r.json()["total"])
        return r.json()["total"]

    assert total() == 5
    assert total(status="open") == 4
    assert total(status="draft") == 1
    assert total(status="matched") == 0
    assert total(activity="displays.build") == 1  # counted, not tallied
    assert total(status="open", province="west-vlaanderen") == 4


@pytest.mark.postgres
def test_opposite_status_changes_do_not_deadlock(pg_databases) -> None:  # noqa: ANN001
    """Twenty transactions move needs of one company open → matched while twenty others move
    matched → open, all at once: every one commits and the tally still equals the count."""
    url = pg_databases.create("koppel_tally")
    upgrade(url)
    engine = create_engine(url, pool_size=40, max_overflow=0)  # one connection per mover
    with Session(engine) as session:
        org, site = _company(session, "Webshop")
        rows = [_need(org, site, "open" if i % 2 else "matched", i) for i in range(40)]
        session.add_all(rows)
        session.commit()
        plan = [(n.id, "matched" if n.status == "open" else "open") for n in rows]
        org_id = org.id
    barrier = threading.Barrier(len(plan))
    errors: list[BaseException] = []

    def move(need_id: uuid.UUID, target: str) -> None:
        try:
            with Session(engine) as session:
                session.exec(select(Need).where(Need.id == need_id).with_for_update()).one()
                barrier.wait(timeout=20)
                session.execute(update(Need).where(Need.id == need_id).values(status=target))
                session.execute(text("SELECT pg_sleep(0.01)"))
                session.commit()
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=move, args=step) for step in plan]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with Session(engine) as session:
        assert _tallied(session) == _counted(session) == {(org_id, "open"): 20,
                                                          (org_id, "matched"): 20}
    engine.dispose()
