"""Password hashing (argon2) and JWT access tokens."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

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


def decode_token(token: str, *, secret: str, expected_type: str = "access") -> dict | None:
    try:
        payload = jwt.decode(token, secret, algorithms=[ALGORITHM],
                             options={"require": ["exp", "sub"]})
    except jwt.PyJWTError:
        return None
    if payload.get("typ") != expected_type:
        return None
    return payload
