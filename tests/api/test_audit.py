"""The audit trail: every lead transition is recorded; GET /audit is tenant-scoped."""

from __future__ import annotations

from datetime import timedelta

from api.services.leads import expire_due
from models.base import utcnow
from tests.api.test_leads import make_world
from tests.factories import staff


def _lead_actions(actor, lead_id: str) -> list[tuple[str, str | None]]:  # noqa: ANN001
    items = actor.get("/audit", params={"entity": "lead", "limit": 200}).json()["items"]
    return [(e["action"], e["actor_user_id"]) for e in reversed(items)
            if e["entity_id"] == lead_id]


def test_every_lead_transition_is_audited_with_its_actor(client, db):
    world = make_world(client)
    lead = world.send(world.need(fte=1.0))
    world.provider.post(f"/leads/{lead['id']}/view")
    world.provider.post(f"/leads/{lead['id']}/accept")
    world.company.post(f"/leads/{lead['id']}/contract", json={"fte": 1.0})
    world.company.post(f"/leads/{lead['id']}/withdraw")
    officer = staff(client, db)
    company_user, provider_user = world.company.user["id"], world.provider.user["id"]
    assert _lead_actions(officer, lead["id"]) == [
        ("send", company_user), ("view", provider_user), ("accept", provider_user),
        ("contract", company_user), ("withdraw", company_user),
    ]


def test_system_expiry_is_audited_without_an_actor_for_the_company(client, db):
    world = make_world(client)
    lead = world.send(world.need())
    expire_due(db, utcnow() + timedelta(days=30))
    db.commit()
    assert _lead_actions(world.company, lead["id"]) == [("send", world.company.user["id"]),
                                                        ("expire", None)]


def test_others_see_only_their_organisations_events(client, db):
    world = make_world(client)
    lead = world.send(world.need())
    world.provider.post(f"/leads/{lead['id']}/decline", json={"reason_code": "distance"})
    company_events = world.company.get("/audit", params={"limit": 200}).json()["items"]
    assert {e["organisation_id"] for e in company_events} == {world.company.org_id}
    assert [a for a, _ in _lead_actions(world.company, lead["id"])] == ["send"]
    assert [a for a, _ in _lead_actions(world.provider, lead["id"])] == ["decline"]
    everything = staff(client, db).get("/audit", params={"entity": "lead", "limit": 200}).json()
    orgs = {e["organisation_id"] for e in everything["items"] if e["entity_id"] == lead["id"]}
    assert orgs == {world.company.org_id, world.provider.org_id}


def test_audit_filters_and_pagination(client, db):
    world = make_world(client)
    for title in ("Eerste partij", "Tweede partij", "Derde partij"):
        world.send(world.need(title=title))
    sends = world.company.get("/audit", params={"entity": "lead", "action": "send"}).json()
    assert sends["total"] == 3
    page = world.company.get("/audit", params={"action": "send", "limit": 2, "offset": 2}).json()
    assert (page["total"], len(page["items"]), page["limit"], page["offset"]) == (3, 1, 2, 2)
    future = (utcnow() + timedelta(hours=1)).isoformat()
    assert world.company.get("/audit", params={"since": future}).json()["total"] == 0
    past = (utcnow() - timedelta(hours=1)).isoformat()
    assert world.company.get("/audit", params={"since": past, "action": "send"}).json()[
        "total"] == 3
    assert world.company.get("/audit", params={"since": "yesterday"}).status_code == 422
    assert client.get("/audit").status_code == 401
