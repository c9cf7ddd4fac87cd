"""Request dependencies: the session, the settings and the authenticated user."""

from __future__ import annotations

import uuid
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


async def get_settings_dep(request: Request) -> Settings:
    # a coroutine: no I/O, so no trip through the thread pool
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_current_user(
    session: SessionDep, settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> User:
    if not token:
        raise Unauthorized()
    payload = decode_token(token, secret=settings.secret_key)
    if payload is None:
        raise Unauthorized("Invalid or expired token")
    try:
        user_id = uuid.UUID(payload["sub"])
    except (ValueError, TypeError) as exc:
        raise Unauthorized("Invalid token subject") from exc
    user = session.get(User, user_id)
    if user is None or not user.is_active or user.token_version != payload.get("ver"):
        raise Unauthorized("Token no longer valid")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def is_staff(user: User) -> bool:
    return user.role in ("staff", "admin")


def require_staff(user: CurrentUser) -> User:
    if not is_staff(user):
        raise Forbidden("Only department staff may do this")
    return user


StaffUser = Annotated[User, Depends(require_staff)]
