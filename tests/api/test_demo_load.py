"""`koppel demo` data: loads once through the same validation as the API, and matches; what the
loader and the history simulation print is what the API then reports (DESIGN §12)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from api.config import Settings
from api.db import make_engine
from api.errors import Conflict
from api.main import create_app
from api.migrate import upgrade
from api.services import demo_activity
from api.services.demo import load_demo
from models.lead import Lead
from models.need import Need
from models.site import Workforce
from tests.conftest import new_database_url
from tests.factories import SMALL_POOLS, login

LOADED = {"organisations": 65, "users": 68, "sites": 94, "capabilities": 126, "needs": 72}

# The demo's 68 accounts with the library's default argon2 cost take most of a load; a cheap
# cost (still argon2, still verified at login) keeps these tests short.
_CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch):  # noqa: ANN001, ANN202
    monkeypatch.setattr("api.services.demo.hash_password", _CHEAP.hash)


def test_demo_loads_once_logins_work_and_open_needs_match(client, db):
    first = load_demo(db)
    db.commit()
    assert first.loaded
    assert first.counts == LOADED
    assert first.describe() == ("Loaded 65 organisations, 68 users, 94 sites, "
                                "126 capabilities, 72 needs.")
    again = load_demo(db)
    assert not again.loaded
    assert db.exec(select(func.count()).select_from(Need)).one() == first.counts["needs"]
    for email, password in first.logins.values():
        assert login(client, email, password)
    # what the loader counted is what the API lists
    email, password = first.logins["staff"]
    staff = {"Authorization": f"Bearer {login(client, email, password)}"}
    orgs = client.get("/organisations", params={"limit": 1}, headers=staff).json()
    assert orgs["total"] == first.counts["organisations"]
    # the demo company gets candidates for every one of its open needs
    email, password = first.logins["company"]
    headers = {"Authorization": f"Bearer {login(client, email, password)}"}
    needs = client.get("/needs", params={"status": "open"}, headers=headers).json()["items"]
    assert len(needs) == 4
    with_matches = sum(
        bool(client.get(f"/needs/{n['id']}/matches", headers=headers).json()["items"])
        for n in needs)
    assert with_matches == len(needs)


def test_the_loader_counts_only_the_department_it_creates(db):
    from api.services.auth import department

    department(db)  # e.g. a staff account was created before the demo was loaded
    db.flush()
    summary = load_demo(db)
    assert summary.counts["organisations"] == LOADED["organisations"] - 1


def test_workforce_figures_have_varied_ages_so_the_stale_flag_shows(db):
    load_demo(db)
    now = datetime.now(UTC)
    ages = []
    for (as_of,) in db.execute(select(Workforce.figures_as_of)):
        as_of = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
        ages.append((now - as_of).days)
    assert len(ages) == 61
    assert sum(age > 90 for age in ages) == 10  # stale (STALE_WORKFORCE_DAYS = 90)
    assert sum(age > 360 for age in ages) == 3
    assert len(set(ages)) >= 20


# ---- the simulated history: counted once committed ----------------------------------------


@pytest.fixture(scope="module")
def demo_history(backend: str, tmp_path_factory: pytest.TempPathFactory,
                 request: pytest.FixtureRequest) -> Iterator[tuple]:
    url = new_database_url(backend, tmp_path_factory, request)
    upgrade(url)
    engine = make_engine(url, **SMALL_POOLS)
    settings = Settings(environment="test", database_url=url, rate_limit_enabled=False,
                        secret_key="demo-history-" + "x" * 32)
    with pytest.MonkeyPatch.context() as patch, Session(engine) as session:
        patch.setattr("api.services.demo.hash_password", _CHEAP.hash)
        summary = load_demo(session)
        session.commit()
    counts = demo_activity.simulate(engine, settings)
    yield engine, settings, summary, counts
    engine.dispose()


@pytest.mark.slow
def test_simulated_history_counts_equal_what_the_api_reports(demo_history):
    engine, settings, summary, counts = demo_history
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Lead)).one() == counts["leads"]
        contracted = session.exec(select(func.count()).select_from(Lead).where(
            Lead.contracted_at.is_not(None))).one()
        assert contracted == counts["contracted"]
    with TestClient(create_app(settings, engine), raise_server_exceptions=False) as client:
        email, password = summary.logins["staff"]
        staff = {"Authorization": f"Bearer {login(client, email, password)}"}
        leads = client.get("/leads", params={"limit": 1}, headers=staff).json()
        assert leads["total"] == counts["leads"]
        orgs = client.get("/organisations", params={"limit": 1}, headers=staff).json()
        assert orgs["total"] == summary.counts["organisations"]


def test_a_lead_rolled_back_by_a_refused_step_is_not_counted(monkeypatch, connection, settings):
    # every contract is refused: the leads sent before the refusal roll back with it
    def refuse(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise Conflict("capacity taken")

    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        load_demo(session)
        session.commit()
    monkeypatch.setattr(demo_activity.lead_service, "contract_lead", refuse)
    monkeypatch.setattr(demo_activity.cluster_service, "execute_run", lambda *_a, **_k: None)
    connection.begin_nested()  # simulate's own commits and rollbacks stay inside the test's
    counts = demo_activity.simulate(connection, settings)
    with Session(bind=connection) as session:
        stored = session.exec(select(func.count()).select_from(Lead)).one()
    assert counts["contracted"] == 0
    assert counts["leads"] == stored
    assert stored > 0
