"""Request dependencies: the session, the settings and the authenticated user.

All of them are coroutines that do no I/O, so FastAPI solves them on the event loop without a
trip through the thread pool. The user check against the database happens in the endpoint's
own worker-thread trip (see ``api.routing``): the dependencies hand over a
:class:`BearerClaim`, and the route turns it into the ``User`` row the endpoint receives.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from api.config import Settings
from api.db import get_session
from api.errors import Forbidden, Unauthorized
from api.security import decode_token
from models.organisation import User

SessionDep = Annotated[Session, Depends(get_session, scope="function")]

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)

STAFF_ROLES = ("staff", "admin")


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


@dataclass(frozen=True, slots=True)
class BearerClaim:
    """What a valid access token says: whose it is, which token version, and (if the token
    carries it) the role it was issued for. ``staff_only`` marks a staff-only route.

    The signature and expiry are already checked; :meth:`user` checks the rest against the
    database.
    """

    user_id: uuid.UUID
    version: object
    role: str | None = None
    staff_only: bool = False

    def user(self, session: Session) -> User:
        user = session.get(User, self.user_id)
        if user is None or not user.is_active or user.token_version != self.version:
            raise Unauthorized("Token no longer valid")
        if self.staff_only and not is_staff(user):
            raise Forbidden("Only department staff may do this")
        return user


def read_claim(token: str | None, settings: Settings) -> BearerClaim:
    """The claim of a bearer token, or ``Unauthorized`` (no I/O)."""
    if not token:
        raise Unauthorized()
    payload = decode_token(token, secret=settings.secret_key)
    if payload is None:
        raise Unauthorized("Invalid or expired token")
    try:
        user_id = uuid.UUID(payload["sub"])
    except (ValueError, TypeError, AttributeError) as exc:
        raise Unauthorized("Invalid token subject") from exc
    role = payload.get("role")
    return BearerClaim(user_id, payload.get("ver"), role if isinstance(role, str) else None)


def authenticate(session: Session, settings: Settings, token: str | None) -> User:
    """The user a bearer token belongs to, checked against the database (for code that is
    not an endpoint parameter, such as the dashboard's cookie)."""
    return read_claim(token, settings).user(session)


async def get_current_user(settings: SettingsDep,
                           token: Annotated[str | None, Depends(oauth2_scheme)]) -> BearerClaim:
    return read_claim(token, settings)


#: the authenticated user; the route (``api.routing.TransactionRoute``) resolves the claim
CurrentUser = Annotated[User, Depends(get_current_user)]


def is_staff(user: User) -> bool:
    return user.role in STAFF_ROLES


async def require_staff(claim: Annotated[BearerClaim, Depends(get_current_user)]) -> BearerClaim:
    # refuse early when the token itself says the role is not staff, before input validation,
    # so a company or provider learns nothing from a staff route's validation errors; the
    # database's role is checked again with the user row
    if claim.role is not None and claim.role not in STAFF_ROLES:
        raise Forbidden("Only department staff may do this")
    return replace(claim, staff_only=True)


StaffUser = Annotated[User, Depends(require_staff)]
