"""Leads through the API: lifecycle, capacity, permissions, one open lead, expiry, flags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from api.services.lead_reservation import Capacity, best_reservation
from api.services.leads import expire_due
from models.base import utcnow
from tests.factories import (
    Actor,
    add_need,
    add_offer,
    company_with_sites,
    provider_with_offer,
    register,
    set_workforce,
    staff,
)

CONTACT = ("contact_name", "contact_email", "contact_phone", "contact_language")


@dataclass
class World:
    company: Actor
    provider: Actor
    company_site: dict
    provider_site: dict
    capability: dict

    def need(self, **kw) -> dict:  # noqa: ANN003
        return add_need(self.company, self.company_site, **kw)

    def send(self, need: dict, capability: dict | None = None) -> dict:
        r = self.company.post(f"/needs/{need['id']}/leads",
                              json={"capability_id": (capability or self.capability)["id"]})
        assert r.status_code == 201, r.text
        return r.json()

    def workforce(self) -> dict:
        r = self.provider.get(f"/providers/{self.provider.org_id}/workforce")
        return next(w for w in r.json() if w["site_id"] == self.provider_site["id"])


def make_world(client, *, low: float = 3, medium: float = 3, high: float = 2,
               supervisors: float = 2, **cap_kw) -> World:  # noqa: ANN001, ANN003
    company, (company_site,) = company_with_sites(client, "8800")
    company.patch(f"/organisations/{company.org_id}",
                  json={"contact_email": "aankoop@modehuis.example.be",
                        "contact_phone": "+32 51 11 22 33"})
    provider, provider_site, capability = provider_with_offer(
        client, "8870", low=low, medium=medium, high=high, supervisors=supervisors, **cap_kw)
    provider.patch(f"/organisations/{provider.org_id}",
                   json={"contact_email": "info@maatwerk.example.be"})
    return World(company, provider, company_site, provider_site, capability)


@pytest.fixture
def world(client) -> World:  # noqa: ANN001
    return make_world(client)


# ---- lifecycle ------------------------------------------------------------------------------

def test_full_lifecycle_reserves_capacity_and_marks_the_need_matched(world):
    need = world.need(fte=2.0)
    lead = world.send(need)
    assert lead["status"] == "sent"
    assert lead["snapshot"]["excluded"] is None
    assert 0 < lead["snapshot"]["score"] <= 1
    assert set(lead["snapshot"]["components"]) == {"competence", "locality", "supervision",
                                                  "capacity"}
    assert lead["provider_site_id"] == world.provider_site["id"]

    r = world.provider.post(f"/leads/{lead['id']}/view")
    assert (r.status_code, r.json()["status"]) == (200, "viewed")
    assert r.json()["viewed_at"] is not None
    r = world.provider.post(f"/leads/{lead['id']}/accept")
    assert (r.status_code, r.json()["status"]) == (200, "accepted")
    r = world.company.post(f"/leads/{lead['id']}/contract", json={"fte": 2.0})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "contracted"
    assert body["contracted_fte"] == 2.0
    assert body["reserved"] == {"low": 2.0, "medium": 0.0, "high": 0.0, "supervisors": 0.0}

    workforce = world.workforce()
    assert (workforce["free_fte_low"], workforce["free_fte_medium"]) == (1.0, 3.0)
    need_now = world.company.get(f"/needs/{need['id']}").json()
    assert (need_now["status"], need_now["contracted_fte"]) == ("matched", 2.0)


def test_partial_contract_leaves_the_need_open(world):
    need = world.need(fte=3.0)
    lead = world.send(need)
    world.provider.post(f"/leads/{lead['id']}/accept")
    r = world.company.post(f"/leads/{lead['id']}/contract", json={"fte": 1.5})
    assert r.status_code == 200
    need_now = world.company.get(f"/needs/{need['id']}").json()
    assert (need_now["status"], need_now["contracted_fte"]) == ("open", 1.5)


def test_contract_takes_lowest_level_first_and_only_accommodated_levels(client):
    world = make_world(client, low=1, medium=1, high=5)
    need = world.need(fte=2.0, accommodates_support="medium")
    lead = world.send(need)
    world.provider.post(f"/leads/{lead['id']}/accept")
    r = world.company.post(f"/leads/{lead['id']}/contract", json={"fte": 2.0})
    assert r.json()["reserved"] == {"low": 1.0, "medium": 1.0, "high": 0.0, "supervisors": 0.0}
    workforce = world.workforce()
    assert (workforce["free_fte_low"], workforce["free_fte_medium"],
            workforce["free_fte_high"]) == (0.0, 0.0, 5.0)


def test_not_enough_free_capacity_is_409_with_the_figures(client):
    # 5 high-support FTE are free, but the workplace accommodates only low
    world = make_world(client, low=1, medium=0, high=5)
    need = world.need(fte=2.0, accommodates_support="low")
    lead = world.send(need)
    world.provider.post(f"/leads/{lead['id']}/accept")
    r = world.company.post(f"/leads/{lead['id']}/contract", json={"fte": 2.0})
    assert r.status_code == 409
    problem = r.json()
    assert "not enough free capacity" in problem["detail"].lower()
    assert problem["requested_fte"] == 2.0
    assert problem["reservable_fte"] == 1.0
    assert problem["free_fte"] == {"low": 1.0, "medium": 0.0, "high": 5.0}
    assert problem["eligible_levels"] == ["low"]
    assert world.workforce()["free_fte_low"] == 1.0  # nothing half-written
    assert world.provider.get(f"/leads/{lead['id']}").json()["status"] == "accepted"


def test_enclave_contract_reserves_supervisors_by_ratio(client):
    world = make_world(client, activity="warehouse.handling", placement_modes=["enclave"],
                       competences=["packing", "sorting"], low=0, medium=4, high=4,
                       supervisors=1)
    need = world.need(activity="warehouse.handling", placement_mode="enclave",
                      competences=["packing", "sorting"], fte=4.0, accommodates_support="high")
    lead = world.send(need)
    world.provider.post(f"/leads/{lead['id']}/accept")
    r = world.company.post(f"/leads/{lead['id']}/contract", json={"fte": 4.0})
    assert r.status_code == 200, r.text
    # 4 medium workers at 1 supervisor per 8 → half a supervisor
    # 4 medium workers load 4/8 of a supervisor: one whole supervisor goes (DESIGN §4.2)
    assert r.json()["reserved"] == {"low": 0.0, "medium": 4.0, "high": 0.0, "supervisors": 1.0}
    assert world.workforce()["supervisors_available"] == 0.0


def test_enclave_without_enough_supervisors_is_409(client):
    world = make_world(client, activity="warehouse.handling", placement_modes=["enclave"],
                       competences=["packing"], low=0, medium=0, high=8, supervisors=1)
    need = world.need(activity="warehouse.handling", placement_mode="enclave",
                      competences=["packing"], fte=6.0, accommodates_support="high")
    lead = world.send(need)
    world.provider.post(f"/leads/{lead['id']}/accept")
    # high support: 4 workers per supervisor, 1 supervisor free → at most 4 FTE
    r = world.company.post(f"/leads/{lead['id']}/contract", json={"fte": 6.0})
    assert r.status_code == 409
    assert r.json()["reservable_fte"] == 4.0


def test_contracting_more_than_the_uncovered_fte_is_422(world):
    need = world.need(fte=2.0)
    lead = world.send(need)
    world.provider.post(f"/leads/{lead['id']}/accept")
    r = world.company.post(f"/leads/{lead['id']}/contract", json={"fte": 2.5})
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "fte"]


def test_withdrawing_a_contracted_lead_releases_capacity_and_reopens_the_need(world):
    need = world.need(fte=2.0)
    lead = world.send(need)
    world.provider.post(f"/leads/{lead['id']}/accept")
    world.company.post(f"/leads/{lead['id']}/contract", json={"fte": 2.0})
    r = world.company.post(f"/leads/{lead['id']}/withdraw")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "withdrawn"
    assert body["closed_at"] is not None
    assert body["reserved"] == {"low": 0.0, "medium": 0.0, "high": 0.0, "supervisors": 0.0}
    assert world.workforce()["free_fte_low"] == 3.0
    need_now = world.company.get(f"/needs/{need['id']}").json()
    assert (need_now["status"], need_now["contracted_fte"]) == ("open", 0.0)


def test_cancelling_a_need_withdraws_open_leads_and_releases_contracts(client):
    world = make_world(client)
    _, second_cap = add_offer(world.provider, "8800", site_name="Atelier 2", low=2,
                              medium=0, high=0, supervisors=0)
    need = world.need(fte=3.0)
    contracted = world.send(need)
    world.provider.post(f"/leads/{contracted['id']}/accept")
    world.company.post(f"/leads/{contracted['id']}/contract", json={"fte": 2.0})
    still_open = world.send(need, second_cap)

    r = world.company.post(f"/needs/{need['id']}/status", json={"status": "cancelled"})
    assert r.status_code == 200
    for lead in (contracted, still_open):
        assert world.company.get(f"/leads/{lead['id']}").json()["status"] == "withdrawn"
    assert world.workforce()["free_fte_low"] == 3.0
    assert world.company.get(f"/needs/{need['id']}").json()["contracted_fte"] == 0.0


def test_closing_a_need_withdraws_open_leads_but_keeps_contracts(client):
    world = make_world(client)
    _, second_cap = add_offer(world.provider, "8800", site_name="Atelier 2", low=2,
                              medium=0, high=0, supervisors=0)
    need = world.need(fte=3.0)
    contracted = world.send(need)
    world.provider.post(f"/leads/{contracted['id']}/accept")
    world.company.post(f"/leads/{contracted['id']}/contract", json={"fte": 2.0})
    still_open = world.send(need, second_cap)

    assert world.company.post(f"/needs/{need['id']}/status",
                              json={"status": "closed"}).status_code == 200
    assert world.company.get(f"/leads/{contracted['id']}").json()["status"] == "contracted"
    assert world.company.get(f"/leads/{still_open['id']}").json()["status"] == "withdrawn"
    assert world.workforce()["free_fte_low"] == 1.0


def test_decline_stores_reason_and_other_needs_text(world):
    lead = world.send(world.need())
    r = world.provider.post(f"/leads/{lead['id']}/decline", json={"reason_code": "other"})
    assert r.status_code == 422
    r = world.provider.post(f"/leads/{lead['id']}/decline",
                            json={"reason_code": "capacity", "reason_text": "Vol tot maart"})
    assert r.status_code == 200
    body = r.json()
    assert (body["status"], body["decline_reason_code"], body["decline_reason_text"]) == (
        "declined", "capacity", "Vol tot maart")
    assert body["answered_at"] is not None
    assert body["closed_at"] is not None


def test_view_is_idempotent(world):
    lead = world.send(world.need())
    first = world.provider.post(f"/leads/{lead['id']}/view").json()
    second = world.provider.post(f"/leads/{lead['id']}/view")
    assert second.status_code == 200
    assert second.json()["viewed_at"] == first["viewed_at"]


@pytest.mark.parametrize(("steps", "action", "body", "current"), [
    ([], "contract", {"fte": 1.0}, "sent"),
    (["accept"], "decline", {"reason_code": "timing"}, "accepted"),
    (["accept"], "view", None, "accepted"),
    (["decline"], "accept", None, "declined"),
    (["withdraw"], "withdraw", None, "withdrawn"),
    (["withdraw"], "accept", None, "withdrawn"),
])
def test_illegal_transition_is_409_naming_the_current_state(world, steps, action, body, current):
    lead = world.send(world.need())
    for step in steps:
        actor = world.company if step == "withdraw" else world.provider
        payload = {"reason_code": "price"} if step == "decline" else None
        assert actor.post(f"/leads/{lead['id']}/{step}", json=payload).status_code == 200
    actor = world.company if action in ("contract", "withdraw") else world.provider
    r = actor.post(f"/leads/{lead['id']}/{action}", json=body)
    assert r.status_code == 409
    assert r.json()["current_status"] == current
    assert f"Lead is {current}" in r.json()["detail"]


# ---- sending --------------------------------------------------------------------------------

def test_one_open_lead_per_need_and_capability(world):
    need = world.need()
    lead = world.send(need)
    r = world.company.post(f"/needs/{need['id']}/leads",
                           json={"capability_id": world.capability["id"]})
    assert r.status_code == 409
    assert r.json()["lead_id"] == lead["id"]
    assert r.json()["current_status"] == "sent"
    # once the first is closed, the need may be sent to that capability again
    world.provider.post(f"/leads/{lead['id']}/decline", json={"reason_code": "timing"})
    assert world.send(need)["status"] == "sent"


def test_leads_only_for_open_needs_and_active_capabilities(world):
    draft = world.need(publish=False)
    r = world.company.post(f"/needs/{draft['id']}/leads",
                           json={"capability_id": world.capability["id"]})
    assert (r.status_code, r.json()["current_status"]) == (409, "draft")
    world.provider.patch(f"/capabilities/{world.capability['id']}", json={"active": False})
    r = world.company.post(f"/needs/{world.need()['id']}/leads",
                           json={"capability_id": world.capability["id"]})
    assert r.status_code == 409
    assert "not active" in r.json()["detail"]


def test_unknown_capability_is_422_naming_the_field(world):
    r = world.company.post(f"/needs/{world.need()['id']}/leads",
                           json={"capability_id": "00000000-0000-4000-8000-000000000000"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "capability_id"]


def test_excluded_candidate_is_refused_with_the_exclusion_causes(world):
    # the capability offers workshop only; the need wants the work done on site
    need = world.need(placement_mode="on_site")
    r = world.company.post(f"/needs/{need['id']}/leads",
                           json={"capability_id": world.capability["id"]})
    assert r.status_code == 409
    assert r.json()["excluded"]
    assert "excludes" in r.json()["detail"]


# ---- who may do what ------------------------------------------------------------------------

def test_roles_decide_who_may_move_a_lead(client, db, world):
    lead = world.send(world.need())
    lead_url = f"/leads/{lead['id']}"
    for action in ("view", "accept"):
        assert world.company.post(f"{lead_url}/{action}").status_code == 403
    assert world.company.post(f"{lead_url}/decline",
                              json={"reason_code": "price"}).status_code == 403
    assert world.provider.post(f"{lead_url}/withdraw").status_code == 403
    assert world.provider.post(f"{lead_url}/contract", json={"fte": 1}).status_code == 403
    officer = staff(client, db)
    assert officer.get(lead_url).status_code == 200
    assert officer.post(f"{lead_url}/accept").status_code == 403
    r = officer.post(f"/needs/{lead['need_id']}/leads",
                     json={"capability_id": world.capability["id"]})
    assert r.status_code == 403


def test_other_tenants_get_404(client, world):
    need = world.need()
    lead = world.send(need)
    for kind in ("company", "provider"):
        stranger = register(client, kind)
        assert stranger.get(f"/leads/{lead['id']}").status_code == 404
        assert stranger.post(f"/leads/{lead['id']}/accept").status_code == 404
        assert stranger.post(f"/leads/{lead['id']}/withdraw").status_code == 404
        assert stranger.get("/leads").json()["total"] == 0
    stranger = register(client, "company")
    r = stranger.post(f"/needs/{need['id']}/leads", json={"capability_id": world.capability["id"]})
    assert r.status_code == 404


def test_inbox_outbox_and_status_filter(client, db, world):
    first = world.send(world.need())
    second = world.send(world.need(title="Tweede partij retours"))
    world.provider.post(f"/leads/{second['id']}/accept")
    inbox = world.provider.get("/leads", params={"role": "inbox"}).json()
    assert {item["id"] for item in inbox["items"]} == {first["id"], second["id"]}
    assert world.provider.get("/leads", params={"role": "outbox"}).json()["total"] == 0
    outbox = world.company.get("/leads", params={"role": "outbox", "status": "accepted"}).json()
    assert [item["id"] for item in outbox["items"]] == [second["id"]]
    assert world.company.get("/leads", params={"role": "inbox"}).json()["total"] == 0
    page = world.company.get("/leads", params={"limit": 1, "offset": 1}).json()
    assert (page["total"], len(page["items"]), page["limit"], page["offset"]) == (2, 1, 1, 1)
    everything = staff(client, db).get("/leads").json()
    assert {first["id"], second["id"]} <= {item["id"] for item in everything["items"]}
    assert world.company.get("/leads", params={"status": "bogus"}).status_code == 422


def test_neither_side_sees_the_others_contact_before_acceptance(world):
    lead = world.send(world.need())
    world.provider.post(f"/leads/{lead['id']}/view")
    as_provider = world.provider.get(f"/leads/{lead['id']}").json()
    assert as_provider["need"]["title"] == "Retourkledij verwerken"
    assert as_provider["company"]["name"] == world.company.org["name"]
    assert {k: as_provider["company"][k] for k in CONTACT} == dict.fromkeys(CONTACT)
    as_company = world.company.get(f"/leads/{lead['id']}").json()
    assert {k: as_company["provider"][k] for k in CONTACT} == dict.fromkeys(CONTACT)
    # each side sees its own contact person all along
    assert as_company["company"]["contact_email"] == "aankoop@modehuis.example.be"
    assert as_provider["provider"]["contact_email"] == "info@maatwerk.example.be"


def test_both_sides_see_each_others_contact_once_accepted(client, db, world):
    lead = world.send(world.need())
    world.provider.post(f"/leads/{lead['id']}/accept")
    as_provider = world.provider.get(f"/leads/{lead['id']}").json()
    assert as_provider["company"]["contact_email"] == "aankoop@modehuis.example.be"
    assert as_provider["company"]["contact_phone"] == "+32 51 11 22 33"
    as_company = world.company.get(f"/leads/{lead['id']}").json()
    assert as_company["provider"]["contact_email"] == "info@maatwerk.example.be"
    world.company.post(f"/leads/{lead['id']}/contract", json={"fte": 1.0})
    as_company = world.company.get(f"/leads/{lead['id']}").json()
    assert as_company["status"] == "contracted"
    assert as_company["provider"]["contact_email"] == "info@maatwerk.example.be"
    as_staff = staff(client, db).get(f"/leads/{lead['id']}").json()
    assert as_staff["company"]["contact_email"] == "aankoop@modehuis.example.be"
    assert as_staff["provider"]["contact_email"] == "info@maatwerk.example.be"


def test_a_declined_lead_never_shows_the_other_sides_contact(world):
    lead = world.send(world.need())
    r = world.provider.post(f"/leads/{lead['id']}/decline",
                            json={"reason_code": "capacity", "reason_text": "Vol tot maart"})
    assert r.status_code == 200, r.text
    assert world.provider.get(f"/leads/{lead['id']}").json()["company"]["contact_email"] is None
    assert world.company.get(f"/leads/{lead['id']}").json()["provider"]["contact_email"] is None


def test_a_lead_withdrawn_before_acceptance_never_shows_contacts(world):
    lead = world.send(world.need())
    assert world.company.post(f"/leads/{lead['id']}/withdraw").status_code == 200
    assert world.provider.get(f"/leads/{lead['id']}").json()["company"]["contact_email"] is None
    assert world.company.get(f"/leads/{lead['id']}").json()["provider"]["contact_email"] is None


def test_a_lead_withdrawn_after_acceptance_keeps_the_exchanged_contacts(world):
    lead = world.send(world.need())
    world.provider.post(f"/leads/{lead['id']}/accept")
    assert world.company.post(f"/leads/{lead['id']}/withdraw").status_code == 200
    as_provider = world.provider.get(f"/leads/{lead['id']}").json()
    assert as_provider["status"] == "withdrawn"
    assert as_provider["company"]["contact_email"] == "aankoop@modehuis.example.be"


# ---- expiry ---------------------------------------------------------------------------------

def test_unanswered_leads_expire_after_the_configured_days(db, world, settings):
    sent = world.send(world.need())
    viewed = world.send(world.need(title="Tweede partij retours"))
    world.provider.post(f"/leads/{viewed['id']}/view")
    accepted = world.send(world.need(title="Derde partij retours"))
    world.provider.post(f"/leads/{accepted['id']}/accept")

    assert expire_due(db, utcnow() + timedelta(days=settings.lead_expiry_days - 1)) == 0
    assert expire_due(db, utcnow() + timedelta(days=settings.lead_expiry_days, hours=1)) == 2
    db.commit()
    for lead, status in ((sent, "expired"), (viewed, "expired"), (accepted, "accepted")):
        assert world.provider.get(f"/leads/{lead['id']}").json()["status"] == status
    r = world.provider.post(f"/leads/{sent['id']}/accept")
    assert (r.status_code, r.json()["current_status"]) == (409, "expired")


def test_expires_at_is_sent_at_plus_the_setting(world, settings):
    lead = world.send(world.need())
    from datetime import datetime

    sent = datetime.fromisoformat(lead["sent_at"])
    expires = datetime.fromisoformat(lead["expires_at"])
    assert expires - sent == timedelta(days=settings.lead_expiry_days)


# ---- freshness flags ------------------------------------------------------------------------

def test_deactivating_a_capability_flags_its_open_leads(world):
    open_lead = world.send(world.need())
    declined = world.send(world.need(title="Tweede partij retours"))
    world.provider.post(f"/leads/{declined['id']}/decline", json={"reason_code": "skills"})
    world.provider.patch(f"/capabilities/{world.capability['id']}", json={"active": False})
    flagged = world.company.get(f"/leads/{open_lead['id']}").json()
    assert flagged["flagged"] is True
    assert "deactivated" in flagged["flag_reason"]
    assert world.company.get(f"/leads/{declined['id']}").json()["flagged"] is False


def test_deleting_a_capability_flags_its_leads_and_keeps_them(world):
    lead = world.send(world.need())
    assert world.provider.delete(f"/capabilities/{world.capability['id']}").status_code == 204
    body = world.company.get(f"/leads/{lead['id']}").json()
    assert body["flagged"] is True
    assert body["capability_id"] is None


def test_a_workforce_drop_below_the_need_flags_open_leads(world):
    lead = world.send(world.need(fte=2.0, accommodates_support="low"))
    set_workforce(world.provider, world.provider_site, low=2.5, medium=0, high=0)
    assert world.company.get(f"/leads/{lead['id']}").json()["flagged"] is False
    set_workforce(world.provider, world.provider_site, low=1, medium=5, high=5)
    body = world.company.get(f"/leads/{lead['id']}").json()
    assert body["flagged"] is True
    assert "covers 1 of the 2 FTE" in body["flag_reason"]


# ---- the reservation rule itself ------------------------------------------------------------

def test_on_site_team_of_only_low_workers_needs_no_supervisor():
    plan = best_reservation(Capacity(low=3, supervisors=0), 3, "high", "on_site")
    assert (plan.low, plan.supervisors) == (3, 0)


def test_on_site_team_with_medium_workers_needs_a_whole_supervisor_present():
    # the one rule (matching.coverage): medium workers load 1/8 each, low ones stay on call
    plan = best_reservation(Capacity(low=2, medium=6, supervisors=1), 8, "medium", "on_site")
    assert (plan.low, plan.medium) == (2, 6)
    assert plan.supervisors == 1.0
    without = best_reservation(Capacity(low=2, medium=6, supervisors=0), 8, "medium", "on_site")
    assert (without.low, without.medium, without.supervisors) == (2, 0, 0)
