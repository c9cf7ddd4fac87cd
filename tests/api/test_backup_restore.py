"""scripts/backup_restore_check.sh: pg_dump/pg_restore round trip with row-count proof."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from api.migrate import upgrade
from bench.api_matches import populate
from tests.conftest import IN_CI

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "backup_restore_check.sh"


@pytest.fixture
def populated_url(pg_databases) -> str:  # noqa: ANN001
    for tool in ("pg_dump", "pg_restore", "psql"):
        if shutil.which(tool) is None:
            if IN_CI:
                pytest.fail(f"{tool} is required under CI=true")
            pytest.skip(f"{tool} not installed: the backup round trip needs the PostgreSQL "
                        "client tools (apt-get install postgresql-client)")
    url = pg_databases.create("koppel_backup")
    upgrade(url)
    populate(url, n_caps=40, n_needs=25)
    return url


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=300)


def test_round_trip_restores_every_row(populated_url: str) -> None:
    result = _run(populated_url)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.split()[:4] == ["need", "25", "25", "ok"] for line in lines), result.stdout
    assert any(line.split()[:4] == ["capability", "40", "40", "ok"] for line in lines)
    assert "alembic_version" in result.stdout
    assert "OK:" in result.stdout


def test_a_difference_in_row_counts_fails_the_check(populated_url: str, pg_databases) -> None:  # noqa: ANN001
    other = pg_databases.create("koppel_backup_other")
    upgrade(other)
    populate(other, n_caps=40, n_needs=24)
    engine = create_engine(other)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM need")).scalar_one() == 24
    engine.dispose()
    result = _run("--compare", populated_url, other)
    assert result.returncode == 1
    assert "DIFFERENT" in result.stdout
