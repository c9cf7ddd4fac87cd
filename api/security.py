"""Password hashing (argon2), JWT access and refresh tokens, and the common-password list."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from api.config import Settings

ALGORITHM = "HS256"


class _Hashing:
    """The process's password hasher; ``configure_password_hashing`` sets its cost."""

    hasher = PasswordHasher()
    dummy_hash: str | None = None


def configure_password_hashing(settings: Settings) -> None:
    """Hash new passwords with the argon2 cost of ``settings`` (``password_hash_*``).

    Called by ``create_app`` and the CLI commands that hash. Verification reads the parameters
    from each stored hash, so hashes made with another cost keep verifying.
    """
    cost = (settings.password_hash_time_cost, settings.password_hash_memory_cost,
            settings.password_hash_parallelism)
    current = _Hashing.hasher
    if (current.time_cost, current.memory_cost, current.parallelism) == cost:
        return
    _Hashing.hasher = PasswordHasher(time_cost=cost[0], memory_cost=cost[1],
                                     parallelism=cost[2])
    _Hashing.dummy_hash = None


def hash_password(password: str) -> str:
    return _Hashing.hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return _Hashing.hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def dummy_hash() -> str:
    """A hash to verify against when the user does not exist, so timing does not reveal
    accounts; made with the current cost so it takes as long as a real one."""
    if _Hashing.dummy_hash is None:
        _Hashing.dummy_hash = _Hashing.hasher.hash("koppel-timing-equaliser")
    return _Hashing.dummy_hash


def create_access_token(user_id: uuid.UUID, token_version: int, *, secret: str,
                        minutes: int, role: str | None = None) -> str:
    """A short-lived bearer token. ``role`` lets staff-only routes refuse other roles before
    reading the input; the database's role is checked as well
    (``api.services.auth.BearerClaim``)."""
    now = datetime.now(UTC)
    payload = {"sub": str(user_id), "ver": token_version, "iat": now, "typ": "access",
               "exp": now + timedelta(minutes=minutes)}
    if role is not None:
        payload["role"] = role
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def create_refresh_token(user_id: uuid.UUID, token_version: int, *, secret: str,
                         days: int, family: uuid.UUID, jti: str) -> str:
    """A long-lived token that only ``POST /auth/refresh`` accepts (``typ`` = refresh).

    It carries the user's ``token_version`` like access tokens do, so a password change (or
    an erasure) revokes it together with them, and its login's family (``fam``) with its own
    ``jti``: only the family's newest token may be traded (see ``api.services.auth``).
    """
    now = datetime.now(UTC)
    payload = {"sub": str(user_id), "ver": token_version, "iat": now, "typ": "refresh",
               "jti": jti, "fam": str(family), "exp": now + timedelta(days=days)}
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def decode_token(token: str, *, secret: str, expected_type: str = "access") -> dict | None:
    """The payload of a token signed with ``secret``, unexpired and of ``expected_type``.

    The signature check is remembered per token (a client sends the same access token with
    every request); the expiry is checked on every call. Treat the payload as read-only.
    """
    payload = _signed_payload(token, secret)
    if payload is None:
        return None
    exp = payload.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, int | float) or exp <= time.time():
        return None
    if payload.get("typ") != expected_type:
        return None
    return payload


@lru_cache(maxsize=4096)
def _signed_payload(token: str, secret: str) -> dict | None:
    try:
        return jwt.decode(token, secret, algorithms=[ALGORITHM],
                          options={"require": ["exp", "sub"], "verify_exp": False})
    except jwt.PyJWTError:
        return None


COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "data" / "common_passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    """Lower-cased passwords too common to accept (shipped with the package)."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines
                     if line.strip() and not line.startswith("#"))


# keyboard rows (AZERTY, QWERTY, QWERTZ), digits and the alphabet, read either way
_RUNS: tuple[str, ...] = (
    "1234567890", "azertyuiop", "qsdfghjklm", "wxcvbn", "qwertyuiop", "asdfghjkl",
    "zxcvbnm", "qwertzuiop", "yxcvbnm", "abcdefghijklmnopqrstuvwxyz")
_RUNS = _RUNS + tuple(run[::-1] for run in _RUNS)
WALK_MIN = 4


def keyboard_walk_share(password: str) -> float:
    """Share of the characters that lie on runs of at least 4 neighbouring keys (or letters,
    or digits) in one direction: ``azertyuiop12`` is 10 of 12."""
    text = password.lower()
    covered = i = 0
    while i < len(text):
        best = 1
        for run in _RUNS:
            k = run.find(text[i])
            if k < 0:
                continue
            n = 1
            while i + n < len(text) and k + n < len(run) and run[k + n] == text[i + n]:
                n += 1
            best = max(best, n)
        if best >= WALK_MIN:
            covered += best
        i += best
    return covered / len(text) if text else 0.0


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """Why ``password`` is unacceptable beyond its length, or None."""
    lowered = password.strip().lower()
    if lowered in common_passwords():
        return "this password is too common; choose a less predictable one"
    if email and lowered in {email.strip().lower(), email.strip().lower().split("@")[0]}:
        return "the password must not be your email address"
    if keyboard_walk_share(lowered) >= 0.75:
        return ("this password is mostly a keyboard or alphabet run (like 'azertyuiop'); "
                "choose a less predictable one")
    return None
