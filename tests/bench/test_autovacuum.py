"""The load benchmark's autovacuum stand-in applies PostgreSQL's default thresholds."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from bench.autovacuum import Autovacuum

pytestmark = pytest.mark.postgres


def _stats(conn, table: str) -> tuple[int, int]:  # noqa: ANN001
    conn.execute(text("SELECT pg_stat_force_next_flush()"))
    return conn.execute(text(
        "SELECT vacuum_count + autovacuum_count, analyze_count + autoanalyze_count "
        "FROM pg_stat_user_tables WHERE relname = :t"), {"t": table}).one()


def test_tables_past_the_thresholds_are_vacuumed_and_analysed(pg_databases) -> None:  # noqa: ANN001
    url = pg_databases.create("koppel_vacuum")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("CREATE TABLE churned (id int PRIMARY KEY, v text)"))
        conn.execute(text("CREATE TABLE quiet (id int PRIMARY KEY)"))
        conn.execute(text("INSERT INTO churned SELECT g, 'x' FROM generate_series(1, 2000) g"))
        conn.execute(text("INSERT INTO quiet SELECT g FROM generate_series(1, 10) g"))
        conn.execute(text("VACUUM ANALYZE churned"))
        conn.execute(text("VACUUM ANALYZE quiet"))
        before = {t: _stats(conn, t) for t in ("churned", "quiet")}
        # 1,000 dead rows > 50 + 0.2 × 2,000; quiet stays under every threshold
        conn.execute(text("UPDATE churned SET v = 'y' WHERE id <= 1000"))
        _stats(conn, "churned")

        vacuum = Autovacuum(url, naptime_s=3600)
        with vacuum:
            vacuum.run_once()
        after = {t: _stats(conn, t) for t in ("churned", "quiet")}
    engine.dispose()
    assert after["churned"][0] == before["churned"][0] + 1
    assert after["churned"][1] == before["churned"][1] + 1
    assert after["quiet"] == before["quiet"]
    assert vacuum.report()["vacuums"] == 1
    assert vacuum.report()["analyzes"] == 1
