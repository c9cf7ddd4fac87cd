"""A write served by one app instance is seen by a match served by another (one database).

Each backend gets a fresh migrated database and two real uvicorn server processes (two workers:
each its own engine cache in its own memory). Every write goes to instance A, every match is
read from instance B, which fitted its engine before the writes and must follow them through
the catalogue change log (the test checks what a client sees: the candidates, their capacity
component and provider names).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.migrate import upgrade
from tests.conftest import new_database_url
from tests.factories import (
    FAST_PASSWORD_HASHING,
    add_capability,
    add_need,
    add_site,
    free_port,
    register,
    set_workforce,
)

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-secret-" + "w" * 32


def _serve(url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "ENVIRONMENT": "test", "SECRET_KEY": SECRET,
           "RATE_LIMIT_ENABLED": "false",
           **{name.upper(): str(value) for name, value in FAST_PASSWORD_HASHING.items()}}
    return subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:app", "--host",
                             "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            cwd=ROOT, env=env)


def _wait(client: httpx.Client, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited"
        try:
            client.get("/health")
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


@pytest.fixture
def instances(backend: str, tmp_path_factory: pytest.TempPathFactory,
              request: pytest.FixtureRequest) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    url = new_database_url(backend, tmp_path_factory, request)
    upgrade(url)
    procs, clients = [], []
    try:
        for _ in range(2):
            port = free_port()
            procs.append(_serve(url, port))
            clients.append(httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60))
        for client, proc in zip(clients, procs, strict=True):
            _wait(client, proc)
        yield clients[0], clients[1]
    finally:
        for client in clients:
            client.close()
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)


def _matches(client: httpx.Client, token: str, need: dict) -> list[dict]:
    r = client.get(f"/needs/{need['id']}/matches", params={"limit": 10},
                   headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_a_write_on_one_instance_is_seen_by_a_match_on_another(instances) -> None:  # noqa: ANN001
    a, b = instances
    provider = register(a, "provider")
    kortrijk = add_site(provider, "8500")
    set_workforce(provider, kortrijk, low=3, medium=3, high=2, supervisors=2)
    first = add_capability(provider, kortrijk)
    company = register(a, "company")
    need = add_need(company, add_site(company, "8800"), fte=2.0)

    items = _matches(b, company.token, need)  # B fits its engine here
    assert [i["capability_id"] for i in items] == [first["id"]]
    capacity = items[0]["components"]["capacity"]
    assert capacity > 0

    set_workforce(provider, kortrijk, low=0, medium=0, high=0, supervisors=0)  # via A
    assert _matches(b, company.token, need) == []  # no free capacity left

    set_workforce(provider, kortrijk, low=0.5, medium=0, high=0, supervisors=1)
    items = _matches(b, company.token, need)
    assert [i["capability_id"] for i in items] == [first["id"]]
    assert 0 < items[0]["components"]["capacity"] < capacity  # 0.5 of the 2 FTE

    izegem = add_site(provider, "8870")
    set_workforce(provider, izegem, low=4, medium=4, high=2, supervisors=2)
    second = add_capability(provider, izegem)  # a new capability, nearer to Roeselare
    assert [i["capability_id"] for i in _matches(b, company.token, need)] == [
        second["id"], first["id"]]

    r = provider.delete(f"/capabilities/{second['id']}")
    assert r.status_code == 204, r.text
    assert [i["capability_id"] for i in _matches(b, company.token, need)] == [first["id"]]

    r = provider.patch(f"/organisations/{provider.org_id}", json={"name": "Atelier Zuid"})
    assert r.status_code == 200, r.text  # a renamed provider shows under its new name
    assert _matches(b, company.token, need)[0]["provider_name"] == "Atelier Zuid"
