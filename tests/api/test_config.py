"""Settings: the argon2 cost is configurable, and production refuses a cheap one."""

from __future__ import annotations

import pytest
from argon2 import DEFAULT_MEMORY_COST, DEFAULT_PARALLELISM, DEFAULT_TIME_COST
from pydantic import ValidationError

from api.config import Settings
from api.security import configure_password_hashing, hash_password, verify_password
from tests.factories import FAST_PASSWORD_HASHING

PRODUCTION = {"environment": "production", "secret_key": "p" * 40}


def test_password_hashing_defaults_to_the_library_cost() -> None:
    settings = Settings(**PRODUCTION)
    assert (settings.password_hash_time_cost, settings.password_hash_memory_cost,
            settings.password_hash_parallelism) == (DEFAULT_TIME_COST, DEFAULT_MEMORY_COST,
                                                    DEFAULT_PARALLELISM)


@pytest.mark.parametrize("field", ["password_hash_time_cost", "password_hash_memory_cost"])
def test_production_refuses_the_cheap_test_cost(field: str) -> None:
    with pytest.raises(ValidationError, match="in production"):
        Settings(**PRODUCTION, **{field: FAST_PASSWORD_HASHING[field]})


def test_test_environment_accepts_the_cheap_cost() -> None:
    settings = Settings(environment="test", **FAST_PASSWORD_HASHING)
    assert settings.password_hash_memory_cost == 8


def test_configured_cost_is_used_and_other_costs_still_verify() -> None:
    configure_password_hashing(Settings(**PRODUCTION))
    strong = hash_password("a-long-test-password")
    assert f"m={DEFAULT_MEMORY_COST},t={DEFAULT_TIME_COST},p={DEFAULT_PARALLELISM}" in strong
    configure_password_hashing(Settings(environment="test", **FAST_PASSWORD_HASHING))
    cheap = hash_password("a-long-test-password")
    assert "m=8,t=1,p=1" in cheap
    assert verify_password("a-long-test-password", strong)
    assert not verify_password("another-long-password", strong)
