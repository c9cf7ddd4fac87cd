"""Stand in for PostgreSQL's autovacuum while a benchmark runs against a server that has it off.

Every production PostgreSQL runs autovacuum; this machine's has it switched off. Without it, a
write-heavy benchmark measures table bloat instead of the application: each lead transition
leaves a dead row version behind (23,000 after an hour of load runs, against 11,500 live
rows), and every later lead query wades through them. This thread applies autovacuum's default
rules once per ``autovacuum_naptime`` (60 s), table by table, from the statistics views:

* VACUUM when dead rows exceed ``50 + 0.2 × reltuples`` or rows inserted since the last vacuum
  exceed ``1000 + 0.2 × reltuples`` (``autovacuum_vacuum_threshold`` / ``_scale_factor`` and
  the ``_insert_`` pair);
* ANALYZE when rows changed since the last analyze exceed ``50 + 0.1 × reltuples``.

It runs only when ``SHOW autovacuum`` says off, and reports what it did.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy import create_engine, text

NAPTIME_S = 60.0

DUE = text("""
    SELECT s.relname,
           s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0)
             OR s.n_ins_since_vacuum > 1000 + 0.2 * greatest(c.reltuples, 0) AS vacuum,
           s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0) AS analyze
      FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
     WHERE s.schemaname = 'public'
""")


def server_autovacuum_on(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SHOW autovacuum")).scalar_one() == "on"
    finally:
        engine.dispose()


@dataclass
class Autovacuum:
    """``with Autovacuum(url): ...`` keeps the tables vacuumed and analysed meanwhile."""

    url: str
    naptime_s: float = NAPTIME_S
    vacuums: int = 0
    analyzes: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> Autovacuum:
        self._engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self._thread = threading.Thread(target=self._loop, name="autovacuum", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=120)
        self._engine.dispose()

    def run_once(self) -> None:
        """One autovacuum round: every table past a threshold, one statement each."""
        with self._engine.connect() as conn:
            due = conn.execute(DUE).all()
            for name, vacuum, analyze in due:
                if not (vacuum or analyze):
                    continue
                what = "VACUUM (ANALYZE)" if vacuum and analyze else "VACUUM" if vacuum \
                    else "ANALYZE"
                conn.execute(text(f'{what} "{name}"'))
                self.vacuums += bool(vacuum)
                self.analyzes += bool(analyze)

    def _loop(self) -> None:
        while not self._stop.wait(self.naptime_s):
            self.run_once()

    def report(self) -> dict:
        return {"by": "bench (server autovacuum off)", "naptime_s": self.naptime_s,
                "vacuums": self.vacuums, "analyzes": self.analyzes}
