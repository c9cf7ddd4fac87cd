from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import CurrentUser, SessionDep, SettingsDep
from api.errors import PROBLEM_RESPONSES
from api.services import auth as service
from models.organisation import (
    OrganisationPublic,
    PasswordChange,
    RefreshRequest,
    RegistrationCreate,
    RegistrationPublic,
    Token,
    UserPublic,
    UserUpdate,
)

router = APIRouter(prefix="/auth", tags=["auth"], responses=PROBLEM_RESPONSES)


@router.post("/register", response_model=RegistrationPublic, status_code=status.HTTP_201_CREATED,
             summary="Register an organisation (company or provider) and its first user")
def register(data: RegistrationCreate, session: SessionDep) -> RegistrationPublic:
    org, user = service.register(session, data)
    return RegistrationPublic(organisation=OrganisationPublic.model_validate(org),
                              user=UserPublic.model_validate(user))


@router.post("/token", response_model=Token,
             summary="OAuth2 password flow: email as `username`; returns an access token and a "
             "refresh token")
def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()],
          session: SessionDep, settings: SettingsDep) -> Token:
    user = service.authenticate_limited(session, request.app.state.rate_limits, form.username,
                                        form.password)
    return service.issue_token(session, user, settings)


@router.post("/refresh", response_model=Token,
             summary="Trade a refresh token for a new access/refresh pair; the traded one stops "
             "working, and trading it again revokes every token of that login")
def refresh(data: RefreshRequest, session: SessionDep, settings: SettingsDep) -> Token:
    try:
        return service.refresh(session, data.refresh_token, settings)
    except service.RefreshTokenReused:
        session.commit()  # the family's revocation stands although this request fails
        raise


@router.post("/password", response_model=Token,
             summary="Change your password; every earlier access and refresh token is revoked "
             "and a new pair returned")
def change_password(data: PasswordChange, session: SessionDep, user: CurrentUser,
                    settings: SettingsDep) -> Token:
    return service.change_password(session, user, data, settings)


@router.get("/me", response_model=UserPublic, summary="The authenticated user")
def me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user)


@router.patch("/me", response_model=UserPublic,
              summary="Change your name, phone or language (the language of your e-mail)")
def update_me(data: UserUpdate, session: SessionDep, user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(service.update_me(session, user, data))
