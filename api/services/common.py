"""Small helpers the services share."""

from __future__ import annotations

from typing import Any

from pydantic import AnyUrl, BaseModel

from api.errors import InvalidInput
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
