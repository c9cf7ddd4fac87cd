"""Tiny factories that build worlds through the public API, as a client would."""

from __future__ import annotations

import itertools
import socket
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

_counter = itertools.count(1)
PASSWORD = "a-long-test-password"
# argon2's cheapest cost for test Settings: every registration hashes once and every login
# verifies, so the production cost would dominate the suite's run time
FAST_PASSWORD_HASHING: dict[str, Any] = {"password_hash_time_cost": 1,
                                         "password_hash_memory_cost": 8,
                                         "password_hash_parallelism": 1}


# small connection pools for the engines tests make (conftest sets the same through the
# environment for every Settings): many engines are alive at once in a run, and a PostgreSQL
# server allows 100 connections by default
SMALL_POOLS: dict[str, int] = {"pool_size": 1, "max_overflow": 20}


def free_port() -> int:
    """A TCP port on 127.0.0.1 the system has just handed out, for a server a test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def enterprise_number(seed: int) -> str:
    base = 10_000_000 + seed  # first digit 0
    digits = f"{base:08d}{97 - base % 97:02d}"
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


@dataclass
class Actor:
    client: TestClient
    org: dict
    user: dict
    token: str
    sites: list[dict] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def org_id(self) -> str:
        return self.org["id"]

    def get(self, url: str, headers: dict | None = None, **kw: Any):  # noqa: ANN201
        return self.client.get(url, headers={**self.headers, **(headers or {})}, **kw)

    def post(self, url: str, json: Any = None, **kw: Any):  # noqa: ANN201
        return self.client.post(url, json=json, headers=self.headers, **kw)

    def patch(self, url: str, json: Any = None, **kw: Any):  # noqa: ANN201
        return self.client.patch(url, json=json, headers=self.headers, **kw)

    def put(self, url: str, json: Any = None, **kw: Any):  # noqa: ANN201
        return self.client.put(url, json=json, headers=self.headers, **kw)

    def delete(self, url: str, **kw: Any):  # noqa: ANN201
        return self.client.delete(url, headers=self.headers, **kw)


def login(client: TestClient, email: str, password: str = PASSWORD) -> str:
    r = client.post("/auth/token", data={"username": email, "password": password})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def register(client: TestClient, kind: str, name: str | None = None) -> Actor:
    n = next(_counter)
    email = f"user{n}-{kind}@example.be"
    body = {
        "organisation": {"kind": kind, "name": name or f"{kind.title()} {n}",
                         "enterprise_number": enterprise_number(n)},
        "user": {"email": email, "password": PASSWORD, "full_name": f"User {n}"},
    }
    r = client.post("/auth/register", json=body)
    assert r.status_code == 201, r.text
    data = r.json()
    return Actor(client, data["organisation"], data["user"], login(client, email))


def staff(client: TestClient, db) -> Actor:  # noqa: ANN001
    from api.services.auth import create_staff

    n = next(_counter)
    email = f"staff{n}@example.be"
    user = create_staff(db, email, PASSWORD)
    db.commit()
    token = login(client, email)
    return Actor(client, {"id": str(user.organisation_id)}, {"id": str(user.id)}, token)


def add_site(actor: Actor, postcode: str = "8800", **kw: Any) -> dict:
    body = {"name": kw.pop("name", f"Site {postcode}"), "postcode": postcode, **kw}
    r = actor.post(f"/organisations/{actor.org_id}/sites", json=body)
    assert r.status_code == 201, r.text
    actor.sites.append(r.json())
    return r.json()


def set_workforce(actor: Actor, site: dict, low: float = 3, medium: float = 3, high: float = 2,
                  supervisors: float = 2) -> dict:
    r = actor.put(f"/providers/{actor.org_id}/workforce/{site['id']}", json={
        "free_fte_low": low, "free_fte_medium": medium, "free_fte_high": high,
        "supervisors_available": supervisors})
    assert r.status_code == 200, r.text
    return r.json()


def add_capability(actor: Actor, site: dict, activity: str = "returns.apparel",
                   **kw: Any) -> dict:
    body = {"site_id": site["id"], "activity": activity,
            "placement_modes": kw.pop("placement_modes", ["workshop"]),
            "competences": kw.pop("competences", ["laundry", "packing"]),
            "description": kw.pop("description", "Wassen, strijken en herverpakken"), **kw}
    r = actor.post("/capabilities", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def add_offer(actor: Actor, postcode: str = "8800", *, low: float = 3, medium: float = 3,
              high: float = 2, supervisors: float = 2, site_name: str | None = None,
              **cap_kw: Any) -> tuple[dict, dict]:
    """A site of provider ``actor`` with workforce figures and one capability on it.

    Returns ``(site, capability)``; ``cap_kw`` go to :func:`add_capability`.
    """
    site = add_site(actor, postcode, **({"name": site_name} if site_name else {}))
    set_workforce(actor, site, low=low, medium=medium, high=high, supervisors=supervisors)
    return site, add_capability(actor, site, **cap_kw)


def provider_with_offer(client: TestClient, postcode: str = "8500", *, name: str | None = None,
                        **kw: Any) -> tuple[Actor, dict, dict]:
    """A new provider with one staffed site and a capability: ``(provider, site, capability)``."""
    provider = register(client, "provider", name)
    site, capability = add_offer(provider, postcode, **kw)
    return provider, site, capability


def company_with_sites(client: TestClient, *postcodes: str,
                       name: str | None = None) -> tuple[Actor, list[dict]]:
    """A new company with one site per postcode: ``(company, sites)``."""
    company = register(client, "company", name)
    return company, [add_site(company, postcode) for postcode in postcodes]


def need_body(site: dict, **kw: Any) -> dict:
    body = {"site_id": site["id"], "title": "Retourkledij verwerken",
            "description": "Retours wassen, strijken en herverpakken",
            "activity": "returns.apparel", "competences": ["laundry", "packing"],
            "placement_mode": "workshop", "fte": 2.0, "accommodates_support": "medium"}
    body.update(kw)
    return body


def add_need(actor: Actor, site: dict, *, publish: bool = True, **kw: Any) -> dict:
    r = actor.post("/needs", json=need_body(site, **kw))
    assert r.status_code == 201, r.text
    need = r.json()
    if publish:
        r = actor.post(f"/needs/{need['id']}/status", json={"status": "open"})
        assert r.status_code == 200, r.text
        need = r.json()
    return need
