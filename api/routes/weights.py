"""Weight sets of the match score (staff only): list, set by hand, learn, activate."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from api.deps import SessionDep, StaffUser
from api.errors import PROBLEM_RESPONSES
from api.routes.params import Limit, Offset
from api.services import weights as service
from models.common import Page
from models.weights import MatchingWeightSet, WeightSetCreate, WeightSetPublic

router = APIRouter(prefix="/matching/weights", tags=["matching"], responses=PROBLEM_RESPONSES)


def _public(ws: MatchingWeightSet) -> WeightSetPublic:
    return WeightSetPublic.model_validate(ws, from_attributes=True)


@router.get("", response_model=Page[WeightSetPublic],
            summary="Weight sets, newest first (staff); at most one is active")
def list_weight_sets(session: SessionDep, user: StaffUser, limit: Limit = 50,
                     offset: Offset = 0) -> Page[WeightSetPublic]:
    items, total = service.list_sets(session, limit=limit, offset=offset)
    return Page.of([_public(ws) for ws in items], total, limit=limit, offset=offset)


@router.post("", response_model=WeightSetPublic, status_code=status.HTTP_201_CREATED,
             summary="Create a manual weight set (staff); the four weights must sum to 1")
def create_weight_set(data: WeightSetCreate, session: SessionDep,
                      user: StaffUser) -> WeightSetPublic:
    return _public(service.create_manual(session, user, data))


@router.post("/learn", response_model=WeightSetPublic, status_code=status.HTTP_201_CREATED,
             summary="Learn a weight set from lead outcomes (staff); stored inactive, with its "
             "cross-validation report in `metrics` (409 when there are too few outcomes)")
def learn_weight_set(session: SessionDep, user: StaffUser) -> WeightSetPublic:
    return _public(service.learn(session, user))


@router.post("/{set_id}/activate", response_model=WeightSetPublic,
             summary="Make this weight set the one every match uses (staff; audited)")
def activate_weight_set(set_id: uuid.UUID, session: SessionDep,
                        user: StaffUser) -> WeightSetPublic:
    return _public(service.activate(session, user, set_id))
