"""Weight sets through the API: staff only, validation, learning from lead outcomes, activation."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from matching.learning import MIN_OUTCOMES, simulate_outcomes
from models.audit import AuditEvent
from models.base import utcnow
from models.lead import Lead
from tests.api.test_leads import make_world
from tests.factories import register, staff

MANUAL = {"competence": 0.3, "locality": 0.4, "supervision": 0.2, "capacity": 0.1}


@pytest.fixture
def admin(client, db):  # noqa: ANN001, ANN201
    return staff(client, db)


def create(actor, **overrides):  # noqa: ANN001, ANN003, ANN201
    r = actor.post("/matching/weights", json={**MANUAL, **overrides})
    assert r.status_code == 201, r.text
    return r.json()


def insert_outcomes(db, world, n_needs: int = 8, per_need: int = 4) -> None:  # noqa: ANN001
    """Lead rows inserted directly, labelled by hidden preferences (simulate_outcomes)."""
    sim = simulate_outcomes(n_needs=n_needs, candidates_per_need=per_need, random_state=7)
    need_ids = [world.need(fte=1.0)["id"] for _ in range(n_needs)]
    now = utcnow()
    for i, (x, label) in enumerate(zip(sim.X, sim.y, strict=True)):
        db.add(Lead(
            need_id=uuid.UUID(need_ids[i // per_need]), capability_id=None,
            company_id=uuid.UUID(world.company.org_id),
            provider_id=uuid.UUID(world.provider.org_id),
            provider_site_id=uuid.UUID(world.provider_site["id"]),
            status="contracted" if label else "declined",
            decline_reason_code=None if label else "distance",
            contracted_fte=1.0 if label else None,
            snapshot={"score": 0.5, "reasons": [], "components": dict(zip(
                ("competence", "locality", "supervision", "capacity"),
                (float(v) for v in x), strict=True))},
            expires_at=now + timedelta(days=14),
        ))
    db.commit()


# ---- access -------------------------------------------------------------------------------

def test_weight_sets_are_staff_only(client):  # noqa: ANN001
    company = register(client, "company")
    assert client.get("/matching/weights").status_code == 401
    assert company.get("/matching/weights").status_code == 403
    assert company.post("/matching/weights", json=MANUAL).status_code == 403
    assert company.post("/matching/weights/learn").status_code == 403
    assert company.post(f"/matching/weights/{uuid.uuid4()}/activate").status_code == 403


# ---- manual sets and validation -----------------------------------------------------------

def test_manual_set_is_created_inactive_and_listed(admin):  # noqa: ANN001
    created = create(admin, version="2026-11-28.7")
    assert (created["source"], created["active"], created["version"]) == (
        "manual", False, "2026-11-28.7")
    assert created["created_by"] == admin.user["id"]
    page = admin.get("/matching/weights").json()
    assert (page["total"], page["items"][0]["id"]) == (1, created["id"])


def test_generated_versions_are_date_and_sequence(admin):  # noqa: ANN001
    first, second = create(admin)["version"], create(admin)["version"]
    day, n = first.rsplit(".", 1)
    assert second == f"{day}.{int(n) + 1}"


def test_weights_that_do_not_sum_to_one_are_422_naming_the_fields(admin):  # noqa: ANN001
    r = admin.post("/matching/weights", json={**MANUAL, "capacity": 0.3})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "competence + locality + supervision + capacity must sum to 1" in r.json()["detail"]


def test_a_weight_outside_0_1_is_422_naming_it(admin):  # noqa: ANN001
    r = admin.post("/matching/weights", json={**MANUAL, "locality": 1.4, "competence": -0.7})
    assert r.status_code == 422
    locs = [e["loc"] for e in r.json()["errors"]]
    assert ["body", "locality"] in locs
    assert ["body", "competence"] in locs


def test_duplicate_version_is_409(admin):  # noqa: ANN001
    create(admin, version="2026-11-28.3")
    r = admin.post("/matching/weights", json={**MANUAL, "version": "2026-11-28.3"})
    assert r.status_code == 409


# ---- activation ---------------------------------------------------------------------------

def test_activation_switches_the_version_named_in_matches(client, admin):  # noqa: ANN001
    world = make_world(client)
    need = world.need()
    before = world.company.get(f"/needs/{need['id']}/matches").json()
    assert before["weights_version"] == "default"

    ws = create(admin)
    r = admin.post(f"/matching/weights/{ws['id']}/activate")
    assert (r.status_code, r.json()["active"]) == (200, True)
    assert r.json()["activated_by"] == admin.user["id"]

    after = world.company.get(f"/needs/{need['id']}/matches").json()
    assert after["weights_version"] == ws["version"]
    item = after["items"][0]
    c = item["components"]
    expected = (0.3 * c["competence"] + 0.4 * c["locality"] + 0.2 * c["supervision"]
                + 0.1 * c["capacity"])
    assert item["score"] == pytest.approx(expected, abs=1e-5)


def test_exactly_one_set_is_active_and_activation_is_audited(admin, db):  # noqa: ANN001
    a, b = create(admin), create(admin)
    admin.post(f"/matching/weights/{a['id']}/activate")
    admin.post(f"/matching/weights/{b['id']}/activate")
    active = [ws["id"] for ws in admin.get("/matching/weights").json()["items"] if ws["active"]]
    assert active == [b["id"]]
    events = db.exec(select(AuditEvent).where(AuditEvent.entity == "matching_weight_set",
                                              AuditEvent.action == "activate")).all()
    assert sorted(e.entity_id for e in events) == sorted([a["id"], b["id"]])


def test_activating_an_unknown_set_is_404(admin):  # noqa: ANN001
    assert admin.post(f"/matching/weights/{uuid.uuid4()}/activate").status_code == 404


# ---- learning -----------------------------------------------------------------------------

def test_learning_with_too_few_outcomes_is_409_saying_how_many(admin):  # noqa: ANN001
    r = admin.post("/matching/weights/learn")
    assert r.status_code == 409
    body = r.json()
    assert f"at least {MIN_OUTCOMES}" in body["detail"]
    assert (body["outcomes"], body["needed"]) == (0, MIN_OUTCOMES)


def test_learning_from_lead_outcomes_stores_an_inactive_learned_set(client, admin, db):  # noqa: ANN001
    world = make_world(client)
    # one outcome through the API as a provider would give it ...
    need = world.need(fte=1.0)
    lead = client.post(f"/needs/{need['id']}/leads", headers=world.company.headers,
                       json={"capability_id": world.capability["id"]}).json()
    assert world.provider.post(f"/leads/{lead['id']}/accept").status_code == 200
    # ... one that says nothing about fit, and the rest inserted directly
    other = world.need(fte=1.0)
    lead = world.send(other)
    r = world.provider.post(f"/leads/{lead['id']}/decline", json={"reason_code": "price"})
    assert r.status_code == 200
    insert_outcomes(db, world)

    r = admin.post("/matching/weights/learn")
    assert r.status_code == 201, r.text
    ws = r.json()
    assert (ws["source"], ws["active"]) == ("learned", False)
    weights = [ws[k] for k in ("competence", "locality", "supervision", "capacity")]
    assert sum(weights) == pytest.approx(1.0)
    assert min(weights) >= 0.0
    cv = ws["metrics"]["cross_validation"]
    assert cv["outcomes"] == 33  # 32 inserted + 1 accepted; the price decline is ignored
    assert {"auc", "log_loss", "top1"} <= set(cv["current"]) == set(cv["proposed"])
    assert ws["metrics"]["baseline_version"] == "default"

    r = admin.post(f"/matching/weights/{ws['id']}/activate")
    assert r.status_code == 200
    matches = world.company.get(f"/needs/{need['id']}/matches").json()
    assert matches["weights_version"] == ws["version"]


def test_learning_is_repeatable_on_the_same_outcomes(client, admin, db):  # noqa: ANN001
    world = make_world(client)
    insert_outcomes(db, world)
    a = admin.post("/matching/weights/learn").json()
    b = admin.post("/matching/weights/learn").json()
    keys = ("competence", "locality", "supervision", "capacity")
    assert [a[k] for k in keys] == [b[k] for k in keys]
    assert a["version"] != b["version"]
