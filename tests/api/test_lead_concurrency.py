"""Capacity is never over-committed under concurrent requests (PostgreSQL, real commits).

These tests cannot use the rollback fixtures: each request must commit for real so that row
locks matter. Each builds a fresh migrated database, serves the real app with uvicorn on a free
port and fires 20 contract calls at once from a thread pool behind a barrier.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
import uvicorn
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from api.config import Settings
from api.db import make_engine
from api.main import create_app
from api.migrate import upgrade
from api.security import create_access_token, hash_password
from models.base import utcnow
from models.capability import Capability
from models.lead import Lead
from models.need import Need
from models.organisation import Organisation, User
from models.site import Site, Workforce
from tests.factories import FAST_PASSWORD_HASHING, SMALL_POOLS, free_port

pytestmark = pytest.mark.postgres
SECRET = "test-secret-" + "c" * 32
PARALLEL = 20
SNAPSHOT = {"score": 0.9, "reasons": [], "excluded": None, "weights_version": "default",
            "components": {"competence": 1.0, "locality": 1.0, "supervision": 1.0,
                           "capacity": 1.0}}


@dataclass
class Served:
    base_url: str
    engine: Engine
    settings: Settings


@pytest.fixture
def served(pg_databases) -> Iterator[Served]:  # noqa: ANN001
    url = pg_databases.create("koppel_conc")
    upgrade(url)
    settings = Settings(environment="test", database_url=url, secret_key=SECRET,
                        **FAST_PASSWORD_HASHING)
    engine = make_engine(url, timeout_seconds=10, **SMALL_POOLS)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, engine), host="127.0.0.1",
                                           port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield Served(f"http://127.0.0.1:{port}", engine, settings)
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


def _site(org: Organisation, name: str) -> Site:
    return Site(organisation_id=org.id, name=name, postcode="8800", municipality_nis="36015",
                municipality="Roeselare", arrondissement_nis="36000", arrondissement="Roeselare",
                province="west-vlaanderen", lat=50.9469, lon=3.1227)


def _world(engine: Engine, *, needs: int, free_low: float) -> tuple[str, list[uuid.UUID],
                                                                     uuid.UUID]:
    """One company with ``needs`` open 1-FTE needs, each with an accepted lead to one provider
    site with ``free_low`` free FTE. Built with ORM inserts: only one password is hashed."""
    password_hash = hash_password("a-long-test-password")
    with Session(engine) as session:
        company = Organisation(kind="company", name="Webshop")
        provider = Organisation(kind="provider", name="Maatwerk")
        session.add_all([company, provider])
        session.flush()
        user = User(email=f"buyer-{uuid.uuid4().hex[:6]}@example.be", password_hash=password_hash,
                    role="company", organisation_id=company.id)
        company_site, provider_site = _site(company, "Magazijn"), _site(provider, "Atelier")
        session.add_all([user, company_site, provider_site])
        session.flush()
        session.add(Workforce(site_id=provider_site.id, organisation_id=provider.id,
                              free_fte_low=free_low))
        cap = Capability(organisation_id=provider.id, site_id=provider_site.id,
                         activity="returns.apparel", placement_modes=["workshop"])
        session.add(cap)
        session.flush()
        now, lead_ids = utcnow(), []
        for n in range(needs):
            need = Need(organisation_id=company.id, site_id=company_site.id, title=f"Need {n}",
                        activity="returns.apparel", placement_mode="workshop", fte=1.0,
                        accommodates_support="low", status="open")
            session.add(need)
            session.flush()
            lead = Lead(need_id=need.id, capability_id=cap.id, company_id=company.id,
                        provider_id=provider.id, provider_site_id=provider_site.id,
                        status="accepted", snapshot=SNAPSHOT, sent_at=now, answered_at=now,
                        expires_at=now + timedelta(days=14))
            session.add(lead)
            session.flush()
            lead_ids.append(lead.id)
        session.commit()
        token = create_access_token(user.id, user.token_version, secret=SECRET, minutes=10)
        return token, lead_ids, provider_site.id


def _contract_all(base_url: str, token: str, lead_ids: list[uuid.UUID]) -> list[int]:
    barrier = threading.Barrier(len(lead_ids))

    def call(lead_id: uuid.UUID) -> int:
        with httpx.Client(base_url=base_url, timeout=60,
                          headers={"Authorization": f"Bearer {token}"}) as http:
            barrier.wait()
            return http.post(f"/leads/{lead_id}/contract", json={"fte": 1.0}).status_code

    with ThreadPoolExecutor(max_workers=len(lead_ids)) as pool:
        return list(pool.map(call, lead_ids))


def test_parallel_contracts_never_overcommit_a_site(served):
    token, lead_ids, site_id = _world(served.engine, needs=PARALLEL, free_low=5)
    statuses = _contract_all(served.base_url, token, lead_ids)
    assert sorted(statuses) == [200] * 5 + [409] * 15
    with Session(served.engine) as session:
        workforce = session.exec(select(Workforce).where(Workforce.site_id == site_id)).one()
        assert workforce.free_fte_low == 0
        contracted = session.exec(select(func.count()).select_from(Lead).where(
            Lead.status == "contracted")).one()
        reserved = session.exec(select(func.sum(Lead.reserved_fte_low))).one()
        matched = session.exec(select(func.count()).select_from(Need).where(
            Need.status == "matched")).one()
    assert (contracted, reserved, matched) == (5, 5.0, 5)


def test_parallel_contracts_of_one_lead_succeed_once(served):
    token, (lead_id,), site_id = _world(served.engine, needs=1, free_low=50)
    statuses = _contract_all(served.base_url, token, [lead_id] * PARALLEL)
    assert sorted(statuses) == [200] + [409] * (PARALLEL - 1)
    with Session(served.engine) as session:
        workforce = session.exec(select(Workforce).where(Workforce.site_id == site_id)).one()
        lead = session.get(Lead, lead_id)
        need = session.get(Need, lead.need_id)
    assert workforce.free_fte_low == 49
    assert (lead.status, lead.reserved_fte_low, need.contracted_fte) == ("contracted", 1.0, 1.0)
