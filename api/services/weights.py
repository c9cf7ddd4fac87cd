"""Weight sets of the match score: list, create, learn from lead outcomes, activate.

The active set is what :func:`current_weights` hands to the engine; the engine cache is keyed
by the weights (version included), so an activation takes effect on the next request in every
worker, without invalidation.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from api.crud.common import paginate
from api.errors import Conflict, NotFound
from api.services import audit
from matching import Weights
from matching.learning import (
    MIN_OUTCOMES,
    POSITIVE_STATUSES,
    WeightLearner,
    as_arrays,
    cross_validate,
    outcomes_from_leads,
    shortfall,
)
from models.base import utcnow
from models.lead import Lead
from models.organisation import User
from models.weights import MatchingWeightSet, WeightSetCreate, WeightSource

DEFAULT_VERSION = "default"


def current_weights(session: Session) -> Weights:
    """The active weight set, or the DESIGN §5 defaults (version ``default``).

    Read on every match request: the five values it needs, not the whole row.
    """
    row = session.execute(select(  # type: ignore[call-overload]  # five columns
        MatchingWeightSet.competence, MatchingWeightSet.locality, MatchingWeightSet.supervision,
        MatchingWeightSet.capacity, MatchingWeightSet.version)
        .where(col(MatchingWeightSet.active).is_(True)).limit(1)).first()
    if row is None:
        return Weights()
    return Weights(row[0], row[1], row[2], row[3], version=row[4])


def list_sets(session: Session, *, limit: int,
              offset: int) -> tuple[list[MatchingWeightSet], int]:
    return paginate(session, select(MatchingWeightSet), limit=limit, offset=offset,
                    order_by=(col(MatchingWeightSet.created_at).desc(),
                              col(MatchingWeightSet.version).desc()))


def _next_version(session: Session) -> str:
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    taken = session.exec(select(MatchingWeightSet.version)
                         .where(MatchingWeightSet.version.startswith(f"{day}."))).all()
    numbers = [int(v.rsplit(".", 1)[1]) for v in taken if v.rsplit(".", 1)[1].isdigit()]
    return f"{day}.{max(numbers, default=0) + 1}"


def _normalised(values: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    # inputs may sum to 1 within a tolerance; store values that sum to 1 exactly enough for
    # matching.Weights (1e-9)
    total = sum(values)
    c, loc, s = (v / total for v in values[:3])
    return (c, loc, s, max(0.0, 1.0 - (c + loc + s)))


def _add(session: Session, user: User, weights: tuple[float, float, float, float],
         source: WeightSource, version: str | None, metrics: dict) -> MatchingWeightSet:
    version = version or _next_version(session)
    exists = session.exec(select(MatchingWeightSet.id)
                          .where(MatchingWeightSet.version == version)).first()
    if exists is not None:
        raise Conflict(f"Weight set version {version!r} already exists", version=version)
    c, loc, s, cap = _normalised(weights)
    ws = MatchingWeightSet(version=version, competence=c, locality=loc, supervision=s,
                           capacity=cap, source=source.value, metrics=metrics,
                           created_by=user.id)
    session.add(ws)
    session.flush()
    audit.record(session, user, entity="matching_weight_set", entity_id=ws.id,
                 action=f"create_{source.value}",
                 summary=f"Weight set {version} ({source.value}): competence {c:.3f}, "
                 f"locality {loc:.3f}, supervision {s:.3f}, capacity {cap:.3f}")
    return ws


def create_manual(session: Session, user: User, data: WeightSetCreate) -> MatchingWeightSet:
    values = (data.competence, data.locality, data.supervision, data.capacity)
    return _add(session, user, values, WeightSource.manual, data.version, {})


def lead_outcomes(session: Session) -> list[dict]:
    """Plain records of every lead that can carry a label (see matching.learning)."""
    stmt = (select(Lead.need_id, Lead.status, Lead.decline_reason_code, Lead.snapshot)
            .where(col(Lead.status).in_([*POSITIVE_STATUSES, "declined"]))
            .order_by(col(Lead.created_at), col(Lead.id)))
    return [{"need_id": str(need_id), "status": status, "decline_reason_code": reason,
             "components": (snapshot or {}).get("components")}
            for need_id, status, reason, snapshot in session.exec(stmt).all()]


def learn(session: Session, user: User) -> MatchingWeightSet:
    """Fit weights on the lead outcomes; store them as a new, inactive learned set."""
    outcomes = outcomes_from_leads(lead_outcomes(session))
    X, y, groups = as_arrays(outcomes)
    problem = shortfall(y)
    if problem is not None:
        raise Conflict(f"Too few lead outcomes to learn weights from: {problem}",
                       outcomes=int(len(y)), needed=MIN_OUTCOMES)
    current = current_weights(session)
    learner = WeightLearner().fit(X, y)
    report = cross_validate(X, y, groups, current.as_tuple(), learner)
    metrics = {
        "baseline_version": current.version,
        "baseline_weights": dict(zip(("competence", "locality", "supervision", "capacity"),
                                     current.as_tuple(), strict=True)),
        "marginal_effects": [float(v) for v in learner.marginal_effects_],
        "cross_validation": report,
        "fitted_at": utcnow().isoformat(),
    }
    return _add(session, user, learner.weights_, WeightSource.learned, None, metrics)


def activate(session: Session, user: User, set_id: uuid.UUID) -> MatchingWeightSet:
    ws = session.get(MatchingWeightSet, set_id, with_for_update=True)
    if ws is None:
        raise NotFound(f"Weight set {set_id} not found")
    previous = session.exec(select(MatchingWeightSet).where(MatchingWeightSet.active)
                            .with_for_update()).all()
    for old in previous:
        if old.id != ws.id:
            old.active = False
            session.add(old)
    session.flush()  # the partial unique index allows one active row: retire the old one first
    if not ws.active:
        ws.active = True
        ws.activated_at = utcnow()
        ws.activated_by = user.id
        session.add(ws)
        session.flush()
    was = ", ".join(o.version for o in previous if o.id != ws.id) or DEFAULT_VERSION
    audit.record(session, user, entity="matching_weight_set", entity_id=ws.id, action="activate",
                 summary=f"Activated weight set {ws.version} (was {was})")
    return ws
