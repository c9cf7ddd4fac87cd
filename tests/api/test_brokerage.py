"""Department staff acting for a company that allows it (brokered_by_department)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.factories import (
    Actor,
    add_need,
    company_with_sites,
    need_body,
    provider_with_offer,
    register,
    staff,
)


@dataclass
class World:
    staff: Actor
    company: Actor
    provider: Actor
    site: dict
    capability: dict


@pytest.fixture
def world(client, db) -> World:  # noqa: ANN001
    provider, _, capability = provider_with_offer(client, "8500")
    company, (site,) = company_with_sites(client, "8800", name="Modehuis Roeselare")
    return World(staff(client, db), company, provider, site, capability)


def _allow(world: World, allowed: bool = True) -> None:
    r = world.company.patch(f"/organisations/{world.company.org_id}",
                            json={"brokered_by_department": allowed})
    assert r.status_code == 200, r.text
    assert r.json()["brokered_by_department"] is allowed


def _brokered_events(world: World) -> list[dict]:
    """The company's audit trail, as the company sees it: the events staff did for it."""
    events = world.company.get("/audit?limit=200").json()["items"]
    return [e for e in events if e["actor_user_id"] == world.staff.user["id"]]


# ---- the flag ------------------------------------------------------------------------------

def test_the_flag_is_off_until_the_company_sets_it(world: World) -> None:
    assert world.company.get(f"/organisations/{world.company.org_id}").json()[
        "brokered_by_department"] is False
    _allow(world)
    assert world.staff.get(f"/organisations/{world.company.org_id}").json()[
        "brokered_by_department"] is True
    _allow(world, False)
    actions = [e["action"] for e in world.company.get("/audit?entity=organisation").json()[
        "items"] if e["action"].startswith("brokering.")]
    assert actions == ["brokering.revoke", "brokering.allow"]  # newest first


def test_staff_cannot_set_or_revoke_the_flag(world: World) -> None:
    r = world.staff.patch(f"/organisations/{world.company.org_id}",
                          json={"brokered_by_department": True})
    assert r.status_code == 403
    _allow(world)
    r = world.staff.patch(f"/organisations/{world.company.org_id}",
                          json={"brokered_by_department": False})
    assert r.status_code == 403
    assert world.company.get(f"/organisations/{world.company.org_id}").json()[
        "brokered_by_department"] is True


def test_only_companies_can_be_brokered(world: World) -> None:
    r = world.provider.patch(f"/organisations/{world.provider.org_id}",
                             json={"brokered_by_department": True})
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "brokered_by_department"]
    r = world.company.patch(f"/organisations/{world.company.org_id}",
                            json={"brokered_by_department": None})
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "brokered_by_department"]


# ---- without the flag: 403 on every company-side write ---------------------------------------

def test_without_the_flag_staff_get_403_on_every_write(world: World) -> None:
    need = add_need(world.company, world.site)
    r = world.staff.post("/needs", json=need_body(world.site))
    assert r.status_code == 403
    assert "brokered_by_department" in r.json()["detail"]
    assert world.staff.patch(f"/needs/{need['id']}", json={"fte": 1.0}).status_code == 403
    assert world.staff.post(f"/needs/{need['id']}/status",
                            json={"status": "closed"}).status_code == 403
    assert world.staff.post(f"/needs/{need['id']}/leads", json={
        "capability_id": world.capability["id"]}).status_code == 403
    lead = world.company.post(f"/needs/{need['id']}/leads", json={
        "capability_id": world.capability["id"]}).json()
    assert world.provider.post(f"/leads/{lead['id']}/accept").status_code == 200
    assert world.staff.post(f"/leads/{lead['id']}/contract",
                            json={"fte": 1.0}).status_code == 403
    assert world.staff.post(f"/leads/{lead['id']}/withdraw").status_code == 403
    assert world.company.get(f"/needs/{need['id']}").json()["fte"] == 2.0
    assert world.company.get(f"/leads/{lead['id']}").json()["status"] == "accepted"
    assert _brokered_events(world) == []


def test_a_company_cannot_post_at_another_companys_site(world: World, client) -> None:  # noqa: ANN001
    _allow(world)
    other = register(client, "company")
    r = other.post("/needs", json=need_body(world.site))
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "site_id"]


def test_staff_cannot_post_at_a_provider_site(world: World) -> None:
    r = world.staff.post("/needs", json=need_body(world.provider.sites[0]))
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "site_id"]


# ---- with the flag -------------------------------------------------------------------------

def test_with_the_flag_staff_post_edit_send_and_contract_for_the_company(world: World) -> None:
    _allow(world)
    r = world.staff.post("/needs", json=need_body(world.site, origin="kept"))
    assert r.status_code == 201, r.text
    need = r.json()
    assert need["organisation_id"] == world.company.org_id
    assert need["brokered_by_user_id"] == world.staff.user["id"]
    assert world.staff.patch(f"/needs/{need['id']}", json={"fte": 3.0}).status_code == 200
    assert world.staff.post(f"/needs/{need['id']}/status",
                            json={"status": "open"}).status_code == 200
    r = world.staff.post(f"/needs/{need['id']}/leads",
                         json={"capability_id": world.capability["id"]})
    assert r.status_code == 201, r.text
    lead = r.json()
    assert lead["company_id"] == world.company.org_id
    assert lead["brokered_by_user_id"] == world.staff.user["id"]
    assert world.provider.post(f"/leads/{lead['id']}/accept").status_code == 200
    r = world.staff.post(f"/leads/{lead['id']}/contract", json={"fte": 3.0})
    assert r.status_code == 200, r.text

    # the company sees its need, the lead and who acted for it
    mine = world.company.get(f"/needs/{need['id']}").json()
    assert (mine["status"], mine["fte"], mine["contracted_fte"]) == ("matched", 3.0, 3.0)
    assert world.company.get("/leads?role=outbox").json()["items"][0][
        "brokered_by_user_id"] == world.staff.user["id"]
    actions = sorted((e["entity"], e["action"]) for e in _brokered_events(world))
    assert actions == [("lead", "contract"), ("lead", "send"), ("need", "create"),
                       ("need", "status.matched"), ("need", "status.open"), ("need", "update")]
    for event in _brokered_events(world):
        assert event["organisation_id"] == world.company.org_id
        assert event["on_behalf_of_organisation_id"] == world.company.org_id
        assert event["actor_name"].startswith("staff")  # the staff member's email
        assert event["actor_name"].endswith(")")  # … and their organisation


def test_the_companys_own_actions_are_not_marked_as_brokered(world: World) -> None:
    _allow(world)
    need = add_need(world.company, world.site)
    assert need["brokered_by_user_id"] is None
    events = world.company.get("/audit?entity=need").json()["items"]
    assert len(events) == 2  # create, status.open
    assert all(e["on_behalf_of_organisation_id"] is None and e["actor_name"] is None
               for e in events)


def test_staff_cancelling_a_brokered_need_withdraws_its_leads_for_the_company(
        world: World) -> None:
    _allow(world)
    need = add_need(world.company, world.site)
    lead = world.company.post(f"/needs/{need['id']}/leads", json={
        "capability_id": world.capability["id"]}).json()
    r = world.staff.post(f"/needs/{need['id']}/status", json={"status": "cancelled"})
    assert r.status_code == 200
    assert r.json()["brokered_by_user_id"] == world.staff.user["id"]
    assert world.company.get(f"/leads/{lead['id']}").json()["status"] == "withdrawn"
    actions = sorted((e["entity"], e["action"]) for e in _brokered_events(world))
    assert actions == [("lead", "withdraw"), ("need", "status.cancelled")]


# ---- revocation ----------------------------------------------------------------------------

def test_after_revocation_staff_are_refused_again(world: World) -> None:
    _allow(world)
    need = world.staff.post("/needs", json=need_body(world.site)).json()
    assert world.staff.post(f"/needs/{need['id']}/status",
                            json={"status": "open"}).status_code == 200
    lead = world.staff.post(f"/needs/{need['id']}/leads", json={
        "capability_id": world.capability["id"]}).json()
    _allow(world, False)
    assert world.staff.post("/needs", json=need_body(world.site)).status_code == 403
    assert world.staff.patch(f"/needs/{need['id']}", json={"fte": 1.0}).status_code == 403
    assert world.staff.post(f"/needs/{need['id']}/status",
                            json={"status": "closed"}).status_code == 403
    assert world.provider.post(f"/leads/{lead['id']}/accept").status_code == 200
    assert world.staff.post(f"/leads/{lead['id']}/contract",
                            json={"fte": 1.0}).status_code == 403
    assert world.staff.post(f"/leads/{lead['id']}/withdraw").status_code == 403
    # the company itself carries on
    assert world.company.post(f"/leads/{lead['id']}/contract",
                              json={"fte": 1.0}).status_code == 200
    # what staff did while allowed stays in the company's trail
    actions = sorted((e["entity"], e["action"]) for e in _brokered_events(world))
    assert actions == [("lead", "send"), ("need", "create"), ("need", "status.open")]
