"""Alembic is the only way the schema changes: migrations and models must agree."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

import models  # noqa: F401
from api.migrate import downgrade, upgrade
from tests.conftest import new_database_url


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request, tmp_path_factory):
    return new_database_url(request.param, tmp_path_factory, request)


def _diff(url: str) -> list:
    engine = create_engine(url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, SQLModel.metadata)
    engine.dispose()
    return diff


def test_upgrade_head_matches_models_and_downgrade_base_empties(empty_url):
    upgrade(empty_url)
    assert _diff(empty_url) == []
    downgrade(empty_url, "base")
    engine = create_engine(empty_url)
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    assert tables == set()
    upgrade(empty_url)  # and back up again
    assert _diff(empty_url) == []
