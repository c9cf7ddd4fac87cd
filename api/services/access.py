"""Tenancy: who may read or write what. Existence never leaks: invisible means 404."""

from __future__ import annotations

import uuid
from typing import TypeVar

from sqlmodel import Session, SQLModel

from api.errors import Forbidden, NotFound
from models.organisation import Organisation, User

T = TypeVar("T", bound=SQLModel)

STAFF_ROLES = ("staff", "admin")


def is_staff(user: User) -> bool:
    return user.role in STAFF_ROLES


def can_read(user: User, organisation_id: uuid.UUID) -> bool:
    return is_staff(user) or user.organisation_id == organisation_id


def can_write(user: User, organisation_id: uuid.UUID) -> bool:
    return user.role == "admin" or user.organisation_id == organisation_id


def check_write(user: User, organisation_id: uuid.UUID, what: str) -> None:
    """404 if the caller cannot even see it, 403 if it can see but not change it."""
    if not can_read(user, organisation_id):
        raise NotFound(f"{what} not found")
    if not can_write(user, organisation_id):
        raise Forbidden(f"You may read but not change this {what.lower()}")


def get_organisation(session: Session, user: User, org_id: uuid.UUID) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None or not can_read(user, org.id):
        raise NotFound(f"Organisation {org_id} not found")
    return org


def get_readable(session: Session, model: type[T], id_: uuid.UUID, what: str,
                 user: User) -> T:
    row = session.get(model, id_)
    if row is None or not can_read(user, row.organisation_id):  # type: ignore[attr-defined]
        raise NotFound(f"{what} {id_} not found")
    return row


def get_writable(session: Session, model: type[T], id_: uuid.UUID, what: str, user: User,
                 *, lock: bool = False) -> T:
    row = session.get(model, id_, with_for_update=lock or None)
    if row is None or not can_read(user, row.organisation_id):  # type: ignore[attr-defined]
        raise NotFound(f"{what} {id_} not found")
    check_write(user, row.organisation_id, what)  # type: ignore[attr-defined]
    return row


def require_role(user: User, *roles: str, action: str) -> None:
    if user.role not in roles and user.role != "admin":
        raise Forbidden(f"Only {' or '.join(roles)} users may {action}")
