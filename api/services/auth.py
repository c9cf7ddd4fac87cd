"""Registration, login (with its throttling), bearer-token claims, refresh and staff accounts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.config import Settings
from api.errors import Conflict, Forbidden, InvalidInput, TooManyRequests, Unauthorized
from api.security import (
    create_access_token,
    create_refresh_token,
    decode_token,
    dummy_hash,
    hash_password,
    password_problem,
    verify_password,
)
from api.services import audit
from api.services.access import is_staff
from api.services.common import apply_update
from models.base import rowcount, utcnow
from models.organisation import (
    Organisation,
    PasswordChange,
    RegistrationCreate,
    Token,
    User,
    UserUpdate,
)
from models.token import RefreshTokenFamily

DEPARTMENT_NAME = "Departement Werk en Sociale Economie"


def _email_taken(session: Session, email: str) -> bool:
    return session.exec(select(User.id).where(User.email == email)).first() is not None


@dataclass(frozen=True, slots=True)
class BearerClaim:
    """What a valid access (or refresh) token says: whose it is, which token version, and (if
    the token carries it) the role it was issued for. ``staff_only`` marks a staff-only route.

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


def read_claim(token: str | None, settings: Settings, *,
               token_type: str = "access") -> BearerClaim:
    """The claim of an access (or refresh) token, or ``Unauthorized`` (no I/O)."""
    if not token:
        raise Unauthorized()
    name = "token" if token_type == "access" else f"{token_type} token"
    payload = decode_token(token, secret=settings.secret_key, expected_type=token_type)
    if payload is None:
        raise Unauthorized(f"Invalid or expired {name}")
    try:
        user_id = uuid.UUID(payload["sub"])
    except (ValueError, TypeError, AttributeError) as exc:
        raise Unauthorized(f"Invalid {name} subject") from exc
    role = payload.get("role")
    return BearerClaim(user_id, payload.get("ver"), role if isinstance(role, str) else None)


def register(session: Session, data: RegistrationCreate) -> tuple[Organisation, User]:
    org_in, user_in = data.organisation, data.user
    email = user_in.email.lower()
    check_password(user_in.password, ["body", "user", "password"], email=email)
    email_taken = Conflict("An account with this email already exists",
                           errors=[{"loc": ["body", "user", "email"],
                                    "msg": "already registered"}])
    number_taken = Conflict("An organisation with this enterprise number is already registered",
                            errors=[{"loc": ["body", "organisation", "enterprise_number"],
                                     "msg": "already registered"}])
    if _email_taken(session, email):
        raise email_taken
    if session.exec(select(Organisation.id).where(
            Organisation.enterprise_number == org_in.enterprise_number)).first():
        raise number_taken
    # a parallel registration can win between the checks above and the inserts: its unique
    # constraint then answers, with the same 409 naming the field
    org = Organisation.model_validate(org_in.model_dump(mode="json", exclude={"contact_language"}))
    # without a contact person of its own, the organisation is reached through the person
    # who registers it (the other party of an accepted lead needs someone to call)
    if org.contact_name is None and org.contact_email is None and org.contact_phone is None:
        org.contact_name = user_in.full_name or None
        org.contact_email, org.contact_phone = email, user_in.phone
    org.contact_language = org_in.contact_language or user_in.language
    session.add(org)
    try:
        session.flush()
    except IntegrityError as exc:
        raise number_taken from exc
    user = User(email=email, full_name=user_in.full_name, phone=user_in.phone,
                language=user_in.language, organisation_id=org.id,
                password_hash=hash_password(user_in.password), role=org.kind)
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        raise email_taken from exc
    audit.record(session, user, entity="organisation", entity_id=org.id, action="register",
                 summary=f"{org.kind} '{org.name}' registered by {email}")
    return org, user


def authenticate(session: Session, email: str, password: str) -> User:
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        verify_password(password, dummy_hash())
        raise Unauthorized("Incorrect email or password")
    if not verify_password(password, user.password_hash) or not user.is_active:
        raise Unauthorized("Incorrect email or password")
    return user


class FailureCounter(Protocol):
    def retry_after(self, key: str) -> int | None: ...

    def record(self, key: str) -> None: ...

    def reset(self, key: str) -> None: ...


class LoginLimits(Protocol):
    """What login throttling needs of the app's limiters (``api.middleware.RateLimits``)."""

    enabled: bool
    login_failures: FailureCounter

    def account_key(self, email: str) -> str: ...


def authenticate_limited(session: Session, limits: LoginLimits, email: str,
                         password: str) -> User:
    """Log in, refusing an account with too many recent failures (429 with Retry-After).

    Counting per account (not only per address) stops a password-guessing botnet; a locked
    account answers 429 even to the right password until the window has passed.
    """
    key = limits.account_key(email)
    if limits.enabled and (retry := limits.login_failures.retry_after(key)) is not None:
        raise TooManyRequests(f"Too many failed logins for this account; retry in {retry} s",
                              headers={"Retry-After": str(retry)})
    try:
        user = authenticate(session, email, password)
    except Unauthorized:
        if limits.enabled:
            limits.login_failures.record(key)
        raise
    limits.login_failures.reset(key)
    return user


def check_password(password: str, loc: list[str | int], *, email: str | None = None) -> None:
    """Length is the schema's job; this refuses common and trivially guessable passwords."""
    reason = password_problem(password, email=email)
    if reason:
        raise InvalidInput(loc, reason)


class RefreshTokenReused(Unauthorized):
    """A refresh token that was already traded came back: its family is revoked, and that
    revocation must be committed although the request fails."""


def access_token(user: User, settings: Settings) -> str:
    return create_access_token(user.id, user.token_version, secret=settings.secret_key,
                               minutes=settings.access_token_minutes, role=user.role)


def issue_token(session: Session, user: User, settings: Settings) -> Token:
    """An access token and the first refresh token of a new family (a login)."""
    now = utcnow()
    # a login is a good moment to forget this user's families that can no longer be used
    session.execute(delete(RefreshTokenFamily).where(col(RefreshTokenFamily.user_id) == user.id,
                                                     col(RefreshTokenFamily.expires_at) < now))
    family = RefreshTokenFamily(user_id=user.id, current_jti=uuid.uuid4().hex,
                                expires_at=now + timedelta(days=settings.refresh_token_days))
    session.add(family)
    return _pair(user, settings, family.id, family.current_jti)


def _pair(user: User, settings: Settings, family: uuid.UUID, jti: str) -> Token:
    refresh = create_refresh_token(user.id, user.token_version, secret=settings.secret_key,
                                   days=settings.refresh_token_days, family=family, jti=jti)
    return Token(access_token=access_token(user, settings),
                 expires_in=settings.access_token_minutes * 60, refresh_token=refresh,
                 refresh_expires_in=settings.refresh_token_days * 86400)


def refresh(session: Session, refresh_token: str, settings: Settings) -> Token:
    """A new access/refresh pair for the newest refresh token of a family.

    Rotation: the traded token stops working. A token that was already traded is a copy in
    someone else's hands (or the owner's, after the thief used it first): the family is
    revoked, so neither can refresh again and the owner has to log in. The swap is one
    conditional UPDATE, so of two parallel trades of one token exactly one wins.
    """
    payload = decode_token(refresh_token, secret=settings.secret_key, expected_type="refresh")
    if payload is None:
        raise Unauthorized("Invalid or expired refresh token")
    try:
        user_id = uuid.UUID(payload["sub"])
        family_id = uuid.UUID(payload["fam"])
        jti = str(payload["jti"])
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise Unauthorized("Invalid refresh token; log in again") from exc
    user = session.get(User, user_id)
    if user is None or not user.is_active or user.token_version != payload.get("ver"):
        raise Unauthorized("Refresh token no longer valid")
    now = utcnow()
    new_jti = uuid.uuid4().hex
    family = RefreshTokenFamily
    swapped = rowcount(session.execute(
        update(RefreshTokenFamily)
        .where(col(family.id) == family_id, col(family.user_id) == user_id,
               col(family.current_jti) == jti, col(family.revoked_at).is_(None))
        .values(current_jti=new_jti, updated_at=now,
                expires_at=now + timedelta(days=settings.refresh_token_days))))
    if swapped != 1:
        revoked = rowcount(session.execute(
            update(RefreshTokenFamily)
            .where(col(family.id) == family_id, col(family.user_id) == user_id,
                   col(family.revoked_at).is_(None))
            .values(revoked_at=now, updated_at=now)))
        if revoked:
            audit.record(session, user, entity="user", entity_id=user.id,
                         action="refresh.reuse",
                         summary="a used refresh token came back; that login's tokens revoked",
                         organisation_id=user.organisation_id)
        raise RefreshTokenReused("Refresh token already used or revoked; log in again")
    return _pair(user, settings, family_id, new_jti)


def revoke_tokens(user: User) -> None:
    """Every access and refresh token issued before now stops working."""
    user.token_version += 1
    user.updated_at = utcnow()


def change_password(session: Session, user: User, data: PasswordChange,
                    settings: Settings) -> Token:
    if not verify_password(data.current_password, user.password_hash):
        raise InvalidInput(["body", "current_password"], "the current password is not correct")
    if data.new_password == data.current_password:
        raise InvalidInput(["body", "new_password"], "the new password must differ from the "
                           "current one")
    check_password(data.new_password, ["body", "new_password"], email=user.email)
    user.password_hash = hash_password(data.new_password)
    revoke_tokens(user)
    session.add(user)
    session.flush()
    audit.record(session, user, entity="user", entity_id=user.id, action="password.change",
                 summary="password changed; earlier tokens revoked",
                 organisation_id=user.organisation_id)
    return issue_token(session, user, settings)


def update_me(session: Session, user: User, patch: UserUpdate) -> User:
    """Change one's own name, phone or language (e-mail and role are not self-service)."""
    changes = apply_update(user, patch, nullable=frozenset({"phone"}))
    session.add(user)
    session.flush()
    audit.record(session, user, entity="user", entity_id=user.id, action="update",
                 summary=f"changed {', '.join(sorted(changes)) or 'nothing'}",
                 organisation_id=user.organisation_id)
    return user


def department(session: Session) -> Organisation:
    org = session.exec(select(Organisation).where(Organisation.kind == "department")
                       .order_by(col(Organisation.created_at))).first()
    if org is None:
        org = Organisation(kind="department", name=DEPARTMENT_NAME,
                           description="Vlaamse overheid, Werk en Sociale Economie")
        session.add(org)
        session.flush()
    return org


def create_staff(session: Session, email: str, password: str, *, full_name: str = "",
                 admin: bool = False) -> User:
    email = email.strip().lower()
    if _email_taken(session, email):
        raise Conflict(f"An account with email {email} already exists")
    check_password(password, ["password"], email=email)
    org = department(session)
    user = User(email=email, full_name=full_name, organisation_id=org.id,
                password_hash=hash_password(password), role="admin" if admin else "staff")
    session.add(user)
    session.flush()
    audit.record(session, None, entity="user", entity_id=user.id, action="create_staff",
                 summary=f"staff account {email} created", organisation_id=org.id)
    return user
