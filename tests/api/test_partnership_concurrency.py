"""Sending a partnership proposal is all or none under parallel requests (PostgreSQL, real commits).

Like tests/api/test_lead_concurrency.py: a fresh migrated database, the real app under uvicorn,
requests fired at once from a thread pool behind a barrier.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.security import create_access_token, hash_password
from models.capability import Capability
from models.lead import Lead
from models.need import Need
from models.organisation import Organisation, User
from models.site import Site, Workforce
from tests.api.test_lead_concurrency import SECRET, served  # noqa: F401 (fixture)

pytestmark = pytest.mark.postgres
PARALLEL = 8  # enough to race; more only queues on the need lock


def _site(org: Organisation, name: str, lat: float) -> Site:
    return Site(organisation_id=org.id, name=name, postcode="8800", municipality_nis="36015",
                municipality="Roeselare", arrondissement_nis="36000", arrondissement="Roeselare",
                province="west-vlaanderen", lat=lat, lon=3.1227)


def _world(engine: Engine) -> tuple[str, uuid.UUID, list[uuid.UUID]]:
    """A 30 FTE open need and three provider sites of 12 / 10 / 8 free FTE."""
    with Session(engine) as session:
        company = Organisation(kind="company", name="Webshop")
        session.add(company)
        session.flush()
        user = User(email=f"buyer-{uuid.uuid4().hex[:6]}@example.be",
                    password_hash=hash_password("a-long-test-password"), role="company",
                    organisation_id=company.id)
        company_site = _site(company, "Magazijn", 50.9469)
        session.add_all([user, company_site])
        caps = []
        for i, fte in enumerate((12.0, 10.0, 8.0)):
            provider = Organisation(kind="provider", name=f"Maatwerk {i}")
            session.add(provider)
            session.flush()
            site = _site(provider, f"Atelier {i}", 50.95 + 0.01 * i)
            session.add(site)
            session.flush()
            session.add(Workforce(site_id=site.id, organisation_id=provider.id, free_fte_low=fte))
            cap = Capability(organisation_id=provider.id, site_id=site.id,
                             activity="returns.apparel", placement_modes=["workshop"])
            session.add(cap)
            caps.append(cap)
        session.flush()
        need = Need(organisation_id=company.id, site_id=company_site.id, title="Retourkledij",
                    activity="returns.apparel", placement_mode="workshop", fte=30.0,
                    accommodates_support="low", status="open")
        session.add(need)
        session.commit()
        token = create_access_token(user.id, user.token_version, secret=SECRET, minutes=10)
        return token, need.id, [c.id for c in caps]


def _fire(base_url: str, token: str, calls: list[tuple[str, dict]]) -> list[int]:
    barrier = threading.Barrier(len(calls))

    def call(spec: tuple[str, dict]) -> int:
        url, body = spec
        with httpx.Client(base_url=base_url, timeout=60,
                          headers={"Authorization": f"Bearer {token}"}) as http:
            barrier.wait()
            return http.post(url, json=body).status_code

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(call, calls))


def _key(base_url: str, token: str, need_id: uuid.UUID) -> str:
    r = httpx.get(f"{base_url}/needs/{need_id}/partnerships",
                  headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert r.status_code == 200, r.text
    (proposal,) = r.json()["items"]
    return proposal["key"]


def test_parallel_sends_of_one_proposal_send_its_leads_once(served):  # noqa: F811
    token, need_id, _caps = _world(served.engine)
    key = _key(served.base_url, token, need_id)
    url = f"/needs/{need_id}/partnerships/0/leads"
    statuses = _fire(served.base_url, token, [(url, {"key": key})] * PARALLEL)
    assert sorted(statuses) == [201] + [409] * (PARALLEL - 1)
    with Session(served.engine) as session:
        leads = session.exec(select(Lead).where(Lead.need_id == need_id)).all()
    assert sorted(lead.proposed_fte for lead in leads) == [8.0, 10.0, 12.0]
    assert len({lead.partnership_id for lead in leads}) == 1


def test_a_member_taken_meanwhile_leaves_no_half_partnership(served):  # noqa: F811
    token, need_id, caps = _world(served.engine)
    key = _key(served.base_url, token, need_id)
    partnership = (f"/needs/{need_id}/partnerships/0/leads", {"key": key})
    single = (f"/needs/{need_id}/leads", {"capability_id": str(caps[2])})
    statuses = _fire(served.base_url, token, [partnership, single] * (PARALLEL // 2))
    with Session(served.engine) as session:
        leads = session.exec(select(Lead).where(Lead.need_id == need_id)).all()
        need = session.get(Need, need_id)
    assert need.status == "open"
    in_partnership = [lead for lead in leads if lead.partnership_id is not None]
    # either the whole proposal went out (and no single lead to its third member could) or the
    # single lead did (and no partnership lead at all)
    assert len(leads) in (1, 3)
    assert len(in_partnership) in (0, 3)
    assert len(in_partnership) == (3 if len(leads) == 3 else 0)
    assert sorted(statuses) == [201] + [409] * (PARALLEL - 1)
