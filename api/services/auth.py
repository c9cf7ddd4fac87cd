"""Registration, login and staff accounts."""

from __future__ import annotations

from sqlmodel import Session, select

from api.config import Settings
from api.errors import Conflict, Unauthorized
from api.security import DUMMY_HASH, create_access_token, hash_password, verify_password
from api.services import audit
from models.organisation import Organisation, RegistrationCreate, Token, User

DEPARTMENT_NAME = "Departement Werk en Sociale Economie"


def _email_taken(session: Session, email: str) -> bool:
    return session.exec(select(User.id).where(User.email == email)).first() is not None


def register(session: Session, data: RegistrationCreate) -> tuple[Organisation, User]:
    org_in, user_in = data.organisation, data.user
    email = user_in.email.lower()
    if _email_taken(session, email):
        raise Conflict("An account with this email already exists",
                       errors=[{"loc": ["body", "user", "email"], "msg": "already registered"}])
    if session.exec(select(Organisation.id).where(
            Organisation.enterprise_number == org_in.enterprise_number)).first():
        raise Conflict("An organisation with this enterprise number is already registered",
                       errors=[{"loc": ["body", "organisation", "enterprise_number"],
                                "msg": "already registered"}])
    org = Organisation.model_validate(org_in.model_dump(mode="json"))
    session.add(org)
    session.flush()
    user = User(email=email, full_name=user_in.full_name, organisation_id=org.id,
                password_hash=hash_password(user_in.password), role=org.kind)
    session.add(user)
    session.flush()
    audit.record(session, user, entity="organisation", entity_id=org.id, action="register",
                 summary=f"{org.kind} '{org.name}' registered by {email}")
    return org, user


def authenticate(session: Session, email: str, password: str) -> User:
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        verify_password(password, DUMMY_HASH)
        raise Unauthorized("Incorrect email or password")
    if not verify_password(password, user.password_hash) or not user.is_active:
        raise Unauthorized("Incorrect email or password")
    return user


def issue_token(user: User, settings: Settings) -> Token:
    token = create_access_token(user.id, user.token_version, secret=settings.secret_key,
                                minutes=settings.access_token_minutes)
    return Token(access_token=token, expires_in=settings.access_token_minutes * 60)


def department(session: Session) -> Organisation:
    org = session.exec(select(Organisation).where(Organisation.kind == "department")
                       .order_by(Organisation.created_at)).first()
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
    org = department(session)
    user = User(email=email, full_name=full_name, organisation_id=org.id,
                password_hash=hash_password(password), role="admin" if admin else "staff")
    session.add(user)
    session.flush()
    audit.record(session, None, entity="user", entity_id=user.id, action="create_staff",
                 summary=f"staff account {email} created", organisation_id=org.id)
    return user
