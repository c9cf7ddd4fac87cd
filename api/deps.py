"""Request dependencies: the session, the settings and the authenticated user.

The token's signature, expiry and role claim are checked by coroutine dependencies (no I/O,
before input validation); the user row is checked in a synchronous dependency that shares the
request's session.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from api.config import Settings
from api.db import get_session
from api.errors import Forbidden
from api.logs import note_organisation
from api.services.access import STAFF_ROLES
from api.services.auth import BearerClaim, read_claim
from models.organisation import User

SessionDep = Annotated[Session, Depends(get_session, scope="function")]

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def authenticate(session: Session, settings: Settings, token: str | None) -> User:
    """The user a bearer token belongs to, checked against the database (for code that is
    not an endpoint parameter, such as the dashboard's cookie)."""
    return read_claim(token, settings).user(session)


async def get_claim(settings: SettingsDep,
                    token: Annotated[str | None, Depends(oauth2_scheme)]) -> BearerClaim:
    return read_claim(token, settings)


def _checked(session: Session, claim: BearerClaim) -> User:
    user = claim.user(session)
    note_organisation(user.organisation_id)  # for the request's access log line
    return user


def get_current_user(session: SessionDep,
                     claim: Annotated[BearerClaim, Depends(get_claim)]) -> User:
    return _checked(session, claim)


#: the authenticated user, checked against the database (active, token not revoked)
CurrentUser = Annotated[User, Depends(get_current_user)]


async def staff_claim(claim: Annotated[BearerClaim, Depends(get_claim)]) -> BearerClaim:
    # refuse early when the token itself says the role is not staff, before input validation,
    # so a company or provider learns nothing from a staff route's validation errors; the
    # database's role is checked again with the user row
    if claim.role is not None and claim.role not in STAFF_ROLES:
        raise Forbidden("Only department staff may do this")
    return replace(claim, staff_only=True)


def require_staff(session: SessionDep,
                   claim: Annotated[BearerClaim, Depends(staff_claim)]) -> User:
    return _checked(session, claim)


#: the authenticated user, who must be department staff (or admin)
StaffUser = Annotated[User, Depends(require_staff)]
