from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import CurrentUser, SessionDep, SettingsDep
from api.errors import PROBLEM_RESPONSES
from api.services import auth as service
from models.organisation import (
    OrganisationPublic,
    RegistrationCreate,
    RegistrationPublic,
    Token,
    UserPublic,
)

router = APIRouter(prefix="/auth", tags=["auth"], responses=PROBLEM_RESPONSES)


@router.post("/register", response_model=RegistrationPublic, status_code=status.HTTP_201_CREATED,
             summary="Register an organisation (company or provider) and its first user")
def register(data: RegistrationCreate, session: SessionDep) -> RegistrationPublic:
    org, user = service.register(session, data)
    return RegistrationPublic(organisation=OrganisationPublic.model_validate(org),
                              user=UserPublic.model_validate(user))


@router.post("/token", response_model=Token,
             summary="OAuth2 password flow: email as `username`, returns a JWT bearer token")
def token(form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep,
          settings: SettingsDep) -> Token:
    user = service.authenticate(session, form.username, form.password)
    return service.issue_token(user, settings)


@router.get("/me", response_model=UserPublic, summary="The authenticated user")
def me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user)
