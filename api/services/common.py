"""Small helpers the services share."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from pydantic import AnyUrl, BaseModel

from api.errors import Conflict, InvalidInput
from models.base import utcnow


def apply_update(row: Any, patch: BaseModel, *, nullable: frozenset[str] = frozenset()) -> dict:
    """Copy the fields a client sent onto ``row``; an explicit null on a required field is 422."""
    changes = patch.model_dump(exclude_unset=True)
    for key, value in changes.items():
        if value is None and key not in nullable:
            raise InvalidInput(["body", key], f"{key} may not be null")
    for key, value in changes.items():
        setattr(row, key, str(value) if isinstance(value, AnyUrl) else value)
    if changes:
        row.updated_at = utcnow()
    return changes


def check_transition(what: str, current: str, target: str, allowed: Collection[str]) -> None:
    """409 (with ``current_status``) unless ``target`` is among the states ``allowed`` after
    ``current``; the one status-transition check of leads, needs and clusters."""
    if target not in allowed:
        options = ", ".join(sorted(allowed))
        raise Conflict(f"{what} is {current}; it cannot move to {target} "
                       + (f"(allowed: {options})" if options else "(final state)"),
                       current_status=current)
