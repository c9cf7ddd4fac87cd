"""`koppel worker` survives a database outage and stops cleanly on SIGTERM; in production,
cluster runs wait for the worker instead of running inside the API process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine
from sqlmodel import Session, select

from api.services.clusters import run_public
from models.cluster import ClusterRun, ClusterRunParams
from tests.api.test_outage import PrivatePostgres, private_pg  # noqa: F401 - the fixture
from tests.factories import staff

ROOT = Path(__file__).resolve().parents[2]


def _queue_run(url: str) -> uuid.UUID:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            run = ClusterRun(params=ClusterRunParams().model_dump(), message="queued")
            session.add(run)
            session.commit()
            return run.id
    finally:
        engine.dispose()


def _status(url: str, run_id: uuid.UUID) -> str:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return session.exec(select(ClusterRun.status).where(ClusterRun.id == run_id)).one()
    finally:
        engine.dispose()


def _wait(predicate, seconds: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def _log_of(path: Path) -> str:
    return "worker log:\n" + path.read_text()


def _lines(path: Path) -> list[dict]:
    complete = path.read_text().rpartition("\n")[0]  # not a line still being written
    return [json.loads(line) for line in complete.splitlines() if line.startswith("{")]


def test_worker_survives_a_database_outage_and_stops_on_sigterm(
        private_pg: PrivatePostgres, tmp_path: Path) -> None:  # noqa: F811
    from api.migrate import upgrade

    upgrade(private_pg.url)
    out = tmp_path / "worker.log"
    env = {**os.environ, "DATABASE_URL": private_pg.url, "ENVIRONMENT": "test",
           "DB_TIMEOUT_SECONDS": "2", "SECRET_KEY": "worker-" + "x" * 32}
    with out.open("w") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--interval", "0.2"],
                                cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    try:
        first = _queue_run(private_pg.url)
        _wait(lambda: _status(private_pg.url, first) in ("succeeded", "failed"), 60,
              "the worker did not execute a queued run")

        private_pg.stop()
        _wait(lambda: any(line.get("message", "").startswith("pass failed")
                          for line in _lines(out)), 30, "no failed pass was logged")
        time.sleep(1.5)
        assert proc.poll() is None, _log_of(out)  # still running
        failed = [line for line in _lines(out) if line["message"].startswith("pass failed")]
        assert failed[0]["level"] == "warning", _log_of(out)
        assert failed[0]["kind"] == "database", _log_of(out)
        # backing off: fewer passes failed than the 0.2 s interval would have made
        assert len(failed) < 8, _log_of(out)

        private_pg.start()
        second = _queue_run(private_pg.url)
        _wait(lambda: _status(private_pg.url, second) in ("succeeded", "failed"), 120,
              "the worker did not recover")
        # the run commits inside the pass; "recovered" is logged when the pass has ended
        _wait(lambda: any(line["message"] == "recovered" for line in _lines(out)), 30,
              "no recovery was logged")

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, _log_of(out)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert all(line["logger"].startswith(("koppel", "sqlalchemy", "py.warnings"))
               for line in _lines(out)), _log_of(out)


def test_in_production_cluster_runs_wait_for_the_worker(settings, engine, app, db) -> None:  # noqa: ANN001
    from fastapi.testclient import TestClient

    from api.main import create_app

    prod = create_app(settings=settings.model_copy(update={
        "environment": "production", "secret_key": settings.secret_key}), engine=engine)
    prod.dependency_overrides = app.dependency_overrides
    with TestClient(prod, base_url="https://testserver") as client:
        watcher = staff(client, db)
        r = watcher.post("/cluster-runs", json={})
        assert r.status_code == 202, r.text
        run_id = r.json()["id"]
    db.expire_all()
    run = db.get(ClusterRun, uuid.UUID(run_id))
    assert run_public(db, run).status == "queued"  # nothing ran in the API process
