"""Rate-limit windows through the ``limits`` library: memory or Redis, shared across processes,
failing open when Redis is down; every login form throttled like /auth; forwarded addresses
believed only from FORWARDED_ALLOW_IPS."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api import metrics
from api.main import create_app
from api.middleware import LimitStore, Window
from tests.factories import PASSWORD, free_port, register

REDIS_URL = os.environ.get("KOPPEL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ROOT = Path(__file__).resolve().parents[2]


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


needs_redis = pytest.mark.skipif(not _redis_up() and not os.environ.get("CI"),
                                 reason="no Redis at 127.0.0.1:6379")


def _closed_port_url() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"  # bound then released: nothing listens


def _limited(settings, engine, app, **update):  # noqa: ANN001, ANN003, ANN202
    limited = create_app(settings=settings.model_copy(update={
        "rate_limit_enabled": True, "rate_limit_auth_per_ip": 30,
        "rate_limit_login_failures": 3, "rate_limit_per_token": 5, **update}), engine=engine)
    limited.dependency_overrides = app.dependency_overrides
    return TestClient(limited, raise_server_exceptions=False)


# ---- the window itself ------------------------------------------------------------------------

@pytest.mark.parametrize("backend", ["memory", pytest.param("redis", marks=needs_redis)])
def test_window_refuses_over_the_limit_and_frees_up_after_it(backend) -> None:  # noqa: ANN001
    store = LimitStore(REDIS_URL if backend == "redis" else None,
                       key_prefix="koppel-test-" + uuid.uuid4().hex)
    window = Window(store, 2, 1, "t")
    assert window.hit("k") is None
    assert window.hit("k") is None
    assert window.hit("k") == 1
    assert window.retry_after("k") == 1
    assert window.hit("other") is None  # keys are independent
    time.sleep(1.1)
    assert window.retry_after("k") is None
    assert window.hit("k") is None
    window.record("k")
    assert window.hit("k") == 1
    window.reset("k")
    assert window.hit("k") is None


def test_unreachable_redis_fails_open_with_a_warning_and_a_metric(
        settings, engine, app, caplog) -> None:  # noqa: ANN001
    before = metrics.LIMITER_FAIL_OPEN._value.get()
    errors_before = metrics.LIMITER_ERRORS._value.get()
    caplog.set_level(logging.WARNING, logger="koppel.limits")
    with _limited(settings, engine, app, redis_url=_closed_port_url(),
                  rate_limit_auth_per_ip=2) as client:
        statuses = [client.post("/auth/token", data={"username": f"n{i}@example.be",
                                                     "password": "whatever-password"}).status_code
                    for i in range(5)]
        actor = register(client, "company")
        assert {actor.get("/needs").status_code for _ in range(8)} == {200}
    assert statuses == [401] * 5  # served, not throttled, not a 500
    assert metrics.LIMITER_FAIL_OPEN._value.get() - before >= 5 + 8
    assert metrics.LIMITER_ERRORS._value.get() > errors_before
    warnings = [r for r in caplog.records if r.name == "koppel.limits"]
    assert warnings
    assert "fail open" in warnings[0].getMessage()
    assert len(warnings) < 5  # one warning per outage interval, not one per request


# ---- issue: throttles that hold ---------------------------------------------------------------

def _login(client: TestClient, email: str, password: str, **kw):  # noqa: ANN003, ANN202
    return client.post("/auth/token", data={"username": email, "password": password}, **kw)


def test_dashboard_login_shares_the_auth_per_ip_window(settings, engine, app) -> None:  # noqa: ANN001
    with _limited(settings, engine, app, rate_limit_auth_per_ip=10) as client:
        for i in range(5):
            assert _login(client, f"a{i}@example.be", "whatever-password").status_code == 401
            r = client.post("/dashboard/login", data={"email": f"b{i}@example.be",
                                                      "password": "whatever-password"})
            assert r.status_code == 401
        r = client.post("/dashboard/login", data={"email": "c@example.be",
                                                  "password": "whatever-password"})
        assert r.status_code == 429
        assert int(r.headers["Retry-After"]) > 0
        assert _login(client, "d@example.be", "whatever-password").status_code == 429
        assert client.get("/dashboard/login").status_code == 200  # the form itself is not a try


def test_dashboard_login_shares_the_per_account_failures(settings, engine, app) -> None:  # noqa: ANN001
    with _limited(settings, engine, app) as client:
        actor = register(client, "company")
        email = actor.user["email"]
        assert _login(client, email, "wrong-password-123").status_code == 401
        for _ in range(2):
            r = client.post("/dashboard/login", data={"email": email,
                                                      "password": "wrong-password-123"})
            assert r.status_code == 401
        assert _login(client, email, PASSWORD).status_code == 429


def test_made_up_bearer_strings_count_per_address(settings, engine, app) -> None:  # noqa: ANN001
    with _limited(settings, engine, app) as client:
        statuses = [client.get("/needs", headers={"Authorization": f"Bearer made-up-{i}"})
                    .status_code for i in range(6)]
        assert statuses == [401] * 5 + [429]
        # a real token has its own window, apart from the address's
        actor = register(client, "company")
        assert actor.get("/needs").status_code == 200


def test_forwarded_for_is_ignored_unless_the_peer_is_allowed(settings, engine, app) -> None:  # noqa: ANN001
    with _limited(settings, engine, app, rate_limit_auth_per_ip=3) as client:
        statuses = [_login(client, f"x{i}@example.be", "whatever-password",
                           headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
                    for i in range(4)]
        assert statuses == [401] * 3 + [429]
    # the TestClient's peer is "testclient": allowed, each forwarded address counts on its own
    with _limited(settings, engine, app, rate_limit_auth_per_ip=3,
                  forwarded_allow_ips="10.0.0.0/8, testclient") as client:
        statuses = [_login(client, f"x{i}@example.be", "whatever-password",
                           headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
                    for i in range(4)]
        assert statuses == [401] * 4
        statuses = [_login(client, f"x{i}@example.be", "whatever-password",
                           headers={"X-Forwarded-For": "203.0.113.9"}).status_code
                    for i in range(4)]
        assert statuses == [401] * 3 + [429]


# ---- two processes, one Redis -----------------------------------------------------------------

def _start(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as out:  # the child keeps its own descriptor
        return subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait_ready(port: int, proc: subprocess.Popen, log: Path) -> None:
    # generous: two servers start at once on a loaded 2-core machine
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert proc.poll() is None, "server exited: " + log.read_text(errors="replace")[-2000:]
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("server did not start: " + log.read_text(errors="replace")[-2000:])


@pytest.mark.slow
@needs_redis
def test_two_processes_on_one_redis_share_one_limit(tmp_path) -> None:  # noqa: ANN001
    from api.migrate import upgrade

    db_url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    upgrade(db_url)
    env = {**os.environ, "DATABASE_URL": db_url, "ENVIRONMENT": "test",
           "SECRET_KEY": "test-secret-" + "y" * 32, "REDIS_URL": REDIS_URL,
           "REDIS_KEY_PREFIX": "koppel-test-" + uuid.uuid4().hex,
           "RATE_LIMIT_AUTH_PER_IP": "10", "RATE_LIMIT_LOGIN_FAILURES": "4"}
    env.pop("FORWARDED_ALLOW_IPS", None)
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"server-{port}.log" for port in ports]
    procs = [_start(port, env, log) for port, log in zip(ports, logs, strict=True)]
    try:
        for port, proc, log in zip(ports, procs, logs, strict=True):
            _wait_ready(port, proc, log)
        a, b = (f"http://127.0.0.1:{port}" for port in ports)
        email = "shared@example.be"
        r = httpx.post(a + "/auth/register", json={
            "organisation": {"kind": "company", "name": "Shared NV",
                             "enterprise_number": "0123.456.749"},
            "user": {"email": email, "password": PASSWORD, "full_name": "Shared"}})
        assert r.status_code == 201, r.text
        seen = []
        for i in range(4):  # failed logins alternate between the two processes
            # a fresh X-Forwarded-For each time: from loopback it is not believed by default
            seen.append(httpx.post((a, b)[i % 2] + "/auth/token",
                                   data={"username": email, "password": "wrong-password-1"},
                                   headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code)
        assert seen == [401] * 4
        r = httpx.post(b + "/auth/token", data={"username": email, "password": PASSWORD})
        assert r.status_code == 429  # 4 failures in all: the account is locked on both
        assert "account" in r.json()["detail"]
        # register + 4 + 1 = 6 auth requests from this address so far; 4 more reach 10
        seen = [httpx.post((a, b)[i % 2] + "/auth/token",
                           data={"username": f"other{i}@example.be", "password": "x" * 12})
                .status_code for i in range(4)]
        assert seen == [401] * 4
        r = httpx.post(a + "/auth/token", data={"username": "o@example.be", "password": "x" * 12})
        assert r.status_code == 429
        assert "address" in r.json()["detail"]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)
