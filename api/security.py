"""Password hashing (argon2), JWT access and refresh tokens, and the common-password list."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the user does not exist, so timing does not reveal accounts.
DUMMY_HASH = _hasher.hash("koppel-timing-equaliser")


def create_access_token(user_id: uuid.UUID, token_version: int, *, secret: str,
                        minutes: int) -> str:
    now = datetime.now(UTC)
    payload = {"sub": str(user_id), "ver": token_version, "iat": now, "typ": "access",
               "exp": now + timedelta(minutes=minutes)}
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def create_refresh_token(user_id: uuid.UUID, token_version: int, *, secret: str,
                         days: int) -> str:
    """A long-lived token that only ``POST /auth/refresh`` accepts (``typ`` = refresh).

    It carries the user's ``token_version`` like access tokens do, so a password change (or
    an erasure) revokes it together with them.
    """
    now = datetime.now(UTC)
    payload = {"sub": str(user_id), "ver": token_version, "iat": now, "typ": "refresh",
               "jti": uuid.uuid4().hex, "exp": now + timedelta(days=days)}
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def decode_token(token: str, *, secret: str, expected_type: str = "access") -> dict | None:
    try:
        payload = jwt.decode(token, secret, algorithms=[ALGORITHM],
                             options={"require": ["exp", "sub"]})
    except jwt.PyJWTError:
        return None
    if payload.get("typ") != expected_type:
        return None
    return payload


COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "data" / "common_passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    """Lower-cased passwords too common to accept (shipped with the package)."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines
                     if line.strip() and not line.startswith("#"))


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """Why ``password`` is unacceptable beyond its length, or None."""
    lowered = password.strip().lower()
    if lowered in common_passwords():
        return "this password is too common; choose a less predictable one"
    if email and lowered in {email.strip().lower(), email.strip().lower().split("@")[0]}:
        return "the password must not be your email address"
    return None
