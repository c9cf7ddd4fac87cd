"""Database outages: a private PostgreSQL instance is stopped and started under the running app.

The instance lives in a temporary directory on a free port (never the machine's main cluster):
while it is down, `/ready` and API requests answer a 503 problem quickly (bounded by
`db_timeout_seconds`); once it is back, the same app serves again without a restart.
Under CI=true missing PostgreSQL binaries fail the test; locally they skip it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from api.config import Settings
from api.main import create_app
from api.migrate import upgrade
from tests.conftest import IN_CI
from tests.factories import FAST_PASSWORD_HASHING, free_port, register

TIMEOUT_S = 2.0
# what a refused request may take beyond the deadline on a loaded 2-core machine (a hang, the
# failure these tests catch, lasts until the test's own 30 s bounds or the kernel's timeouts)
SLACK_S = 3.0


def _pg_bin() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


class PrivatePostgres:
    """initdb + pg_ctl in a temp dir, as the `postgres` OS user when we are root."""

    def __init__(self, bindir: Path, root: Path) -> None:
        self.bindir, self.data, self.port = bindir, root / "data", free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(root, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "--no-sync")

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.as_user, str(self.bindir / tool), *args], check=True,
                       capture_output=True, timeout=120)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-l",
                  str(self.data / "server.log"), "-o",
                  f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-m", "fast", "stop")

    def _processes(self) -> list[int]:
        """This instance's postmaster and its children (never any other server's)."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
        return [postmaster, *map(int, children)]

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """SIGSTOP the postmaster first (no new backends), then its backends; SIGCONT after."""
        postmaster = self._processes()[0]
        os.kill(postmaster, signal.SIGSTOP)
        stopped = [postmaster]
        try:
            for pid in self._processes()[1:]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGSTOP)
                    stopped.append(pid)
            yield
        finally:
            for pid in reversed(stopped):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)


@pytest.fixture
def private_pg() -> Iterator[PrivatePostgres]:
    bindir = _pg_bin()
    if bindir is None or not (bindir / "initdb").exists():
        message = "PostgreSQL server binaries (initdb, pg_ctl) not found"
        if IN_CI:
            pytest.fail(message + " (required under CI=true)")
        pytest.skip(message)
    # not under pytest's tmp dir: the `postgres` user must be able to reach it
    root = Path(tempfile.mkdtemp(prefix="koppel_pg_outage_"))
    try:
        pg = PrivatePostgres(bindir, root)
        pg.start()
        try:
            yield pg
        finally:
            with contextlib.suppress(subprocess.CalledProcessError):
                pg.stop()  # unless already stopped
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _timed(call):  # noqa: ANN001, ANN202
    t0 = time.perf_counter()
    result = call()
    return result, time.perf_counter() - t0


def test_database_outage_gives_quick_503s_and_the_app_recovers_without_restart(
        private_pg: PrivatePostgres) -> None:
    upgrade(private_pg.url)
    settings = Settings(environment="test", database_url=private_pg.url,
                        secret_key="outage-" + "x" * 32, db_timeout_seconds=TIMEOUT_S,
                        rate_limit_enabled=False, **FAST_PASSWORD_HASHING)
    app = create_app(settings=settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        company = register(client, "company")
        assert client.get("/ready").status_code == 200
        assert company.get("/needs").status_code == 200

        private_pg.stop()
        ready, seconds = _timed(lambda: client.get("/ready"))
        assert ready.status_code == 503
        assert ready.headers["content-type"] == "application/problem+json"
        assert seconds < 3 * TIMEOUT_S
        for path in ("/needs", "/auth/me"):
            r, seconds = _timed(lambda p=path: company.get(p))
            assert r.status_code == 503, (path, r.text)
            assert r.json()["status"] == 503
            assert r.headers["Retry-After"]
            assert seconds < 3 * TIMEOUT_S
        assert client.get("/health").status_code == 200  # liveness needs no database

        private_pg.start()
        deadline = time.monotonic() + 30
        while client.get("/ready").status_code != 200:  # bounded: 30 s
            assert time.monotonic() < deadline, "the app did not recover"
            time.sleep(0.2)
        assert company.get("/needs").status_code == 200
        assert company.post("/organisations/" + company.org_id + "/sites",
                            json={"name": "Depot", "postcode": "8800"}).status_code == 201
    engine = create_engine(private_pg.url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM site")).scalar_one() == 1
    engine.dispose()


def test_a_paused_database_gives_503s_within_the_timeout_on_pooled_and_fresh_connections(
        private_pg: PrivatePostgres) -> None:
    """SIGSTOP: the server's kernel still acknowledges packets, so no socket timeout fires
    and the server never sends statement_timeout; the app's own deadline must."""
    upgrade(private_pg.url)
    settings = Settings(environment="test", database_url=private_pg.url,
                        secret_key="outage-" + "x" * 32, db_timeout_seconds=TIMEOUT_S,
                        rate_limit_enabled=False)
    with TestClient(create_app(settings=settings), raise_server_exceptions=False) as client:
        company = register(client, "company")
        assert company.get("/needs").status_code == 200  # the pool now holds a connection
        with private_pg.paused():
            for path in ("/needs", "/auth/me", "/ready", "/needs"):
                r, seconds = _timed(lambda p=path: company.get(p))
                assert r.status_code == 503, (path, r.text)
                assert r.headers["content-type"] == "application/problem+json"
                assert r.headers["Retry-After"]
                assert seconds < TIMEOUT_S + SLACK_S, (path, seconds)
            # a second app with an empty pool: only fresh connections
            with TestClient(create_app(settings=settings),
                            raise_server_exceptions=False) as fresh:
                # warm the new app up without the database (first-request costs are not ours)
                # (liveness answers without the database)
                assert fresh.get("/health").status_code == 200
                r, seconds = _timed(lambda: fresh.get("/needs", headers=company.headers))
                assert r.status_code == 503, r.text
                assert seconds < TIMEOUT_S + SLACK_S, seconds
        deadline = time.monotonic() + 30
        while client.get("/ready").status_code != 200:  # bounded: 30 s
            assert time.monotonic() < deadline, "the app did not recover"
            time.sleep(0.2)
        assert company.get("/needs").status_code == 200
        r = company.post("/organisations/" + company.org_id + "/sites",
                         json={"name": "Depot", "postcode": "8800"})
        assert r.status_code == 201, r.text


def test_the_probe_tells_a_silent_server_from_an_answering_one(pg_databases) -> None:  # noqa: ANN001
    from sqlalchemy.engine import make_url

    from api.dbwatch import PROBE_SECONDS, answers
    from tests.conftest import PG_ADMIN_URL

    with socket.socket() as silent:  # accepts (the kernel does), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        result, seconds = _timed(lambda: answers(silent.getsockname()))
        assert result is False
        assert seconds < PROBE_SECONDS + 0.5
    url = make_url(PG_ADMIN_URL)
    assert answers((url.host or "127.0.0.1", url.port or 5432)) is True
    assert answers(("127.0.0.1", free_port())) is False  # nothing listening
