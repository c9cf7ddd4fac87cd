"""A plausible history for the demo: leads answered and contracted, a cluster run, endorsements.

Everything goes through the same services the API uses (so capacity is reserved, audit rows
and webhook outbox rows are written exactly as in real use); only the timestamps are moved
back afterwards so the monitoring time series show months instead of one afternoon.
Deterministic: the same demo data gives the same history.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.config import Settings
from api.errors import AppError
from api.services import clusters as cluster_service
from api.services import leads as lead_service
from api.services.matching import matches_for_need
from models.base import utcnow
from models.cluster import Cluster, ClusterRunCreate
from models.lead import Lead, LeadContract, LeadCreate, LeadDecline
from models.need import Need
from models.organisation import User

DECLINE_REASONS = ("distance", "capacity", "supervision", "skills", "timing")


def _first_user(session: Session, organisation_id: uuid.UUID) -> User:
    user = session.exec(select(User).where(User.organisation_id == organisation_id)
                        .order_by(User.email)).first()
    if user is None:
        raise LookupError(f"organisation {organisation_id} has no user")
    return user


def simulate(engine: Engine, settings: Settings, *,
             progress: Callable[[str], None] = lambda _m: None) -> dict[str, int]:
    """Send, answer and contract leads for the open demo needs; run and endorse clusters."""
    counts = {"leads": 0, "accepted": 0, "declined": 0, "contracted": 0, "clusters": 0}
    now = utcnow()
    with Session(engine, expire_on_commit=False) as session:
        needs = list(session.exec(select(Need).where(Need.status == "open")
                                  .order_by(col(Need.title), col(Need.id))).all())
        # spread the needs over the past ten months (the demo was "posted" over time)
        ages = {need.id: 20 + (i * 29) % 290 for i, need in enumerate(needs)}
        for need in needs:
            created = now - timedelta(days=ages[need.id])
            session.execute(update(Need).where(col(Need.id) == need.id)
                            .values(created_at=created, updated_at=created))
        session.commit()

        for i, need in enumerate(needs):
            if i % 10 == 0:
                progress(f"leads for {i + 1}/{len(needs)} open needs")
            if i % 3 == 2:  # a third of the needs has not been acted on yet
                continue
            company = _first_user(session, need.organisation_id)
            ranked = matches_for_need(session, company, settings, need.id, limit=2,
                                      include_excluded=False, lang="nl").items
            for rank, item in enumerate(ranked):
                # counted only once committed: a refused step rolls the whole lead back
                done = dict.fromkeys(counts, 0)
                try:
                    lead = lead_service.send_lead(session, company, need.id,
                                                  LeadCreate(capability_id=item.capability_id),
                                                  settings)
                    done["leads"] += 1
                    provider = _first_user(session, lead.provider_id)
                    lead_service.view_lead(session, provider, lead.id)
                    if rank == 1 and i % 2 == 0:
                        reason = DECLINE_REASONS[i % len(DECLINE_REASONS)]
                        lead_service.decline_lead(session, provider, lead.id, LeadDecline(
                            reason_code=reason, reason_text="demo: " + reason))
                        done["declined"] += 1
                    elif i % 5 != 4:
                        lead_service.accept_lead(session, provider, lead.id)
                        done["accepted"] += 1
                        remaining = round(need.fte - need.contracted_fte, 3)
                        fte = min(remaining, round(max(0.5, need.fte / 2), 1))
                        if rank == 0 and fte > 0:
                            lead_service.contract_lead(session, company, lead.id,
                                                       LeadContract(fte=fte))
                            done["contracted"] += 1
                    session.commit()
                except AppError:  # e.g. capacity taken by an earlier demo contract
                    session.rollback()
                else:
                    counts = {k: n + done[k] for k, n in counts.items()}
            # move this need's lead history back in time, after the need was posted
            sent = now - timedelta(days=ages[need.id] - 2)
            session.execute(update(Lead).where(col(Lead.need_id) == need.id).values(
                sent_at=sent, viewed_at=sent + timedelta(hours=20),
                answered_at=sent + timedelta(days=2)))
            session.execute(update(Lead).where(col(Lead.need_id) == need.id,
                                               col(Lead.contracted_at).is_not(None))
                            .values(contracted_at=sent + timedelta(days=9)))
            session.commit()

        staff = session.exec(select(User).where(col(User.role).in_(("staff", "admin")))
                             .order_by(User.email)).first()
        if staff is None:
            raise LookupError("the demo data has no staff user")
        run = cluster_service.start_run(session, staff, ClusterRunCreate())
        session.commit()
    cluster_service.execute_run(engine, run.id, settings)
    with Session(engine, expire_on_commit=False) as session:
        clusters = list(session.exec(select(Cluster).where(Cluster.run_id == run.id)
                                     .order_by(col(Cluster.covered_fte).desc(), Cluster.name))
                        .all())
        counts["clusters"] = len(clusters)
        staff = session.get_one(User, staff.id)
        # department staff have taken the best-covered proposals further
        for cluster, target in zip(clusters, ("active", "forming", "forming", "endorsed",
                                              "endorsed", "endorsed"), strict=False):
            for step in ("endorsed", "forming", "active"):
                cluster_service.change_status(session, staff, cluster.id, step)
                if step == target:
                    break
        session.commit()
    progress(f"{counts['leads']} leads ({counts['contracted']} contracted), "
             f"{counts['clusters']} cluster proposals")
    return counts
