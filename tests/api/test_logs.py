"""JSON-lines logs: one access line per request with its request id, route template, status,
duration and organisation; request ids echoed and in problem bodies; no secrets or bodies."""

from __future__ import annotations

import io
import json
import logging

from api.logs import JsonFormatter
from tests.api.test_leads import make_world
from tests.factories import PASSWORD


class _Capture:
    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(JsonFormatter())
        self.root = logging.getLogger()

    def __enter__(self) -> _Capture:
        self.level = self.root.level
        self.root.addHandler(self.handler)
        self.root.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *exc: object) -> None:
        self.root.removeHandler(self.handler)
        self.root.setLevel(self.level)

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.text.splitlines()]


def test_a_full_lead_cycle_logs_no_token_password_or_body(client) -> None:  # noqa: ANN001
    with _Capture() as logs:
        world = make_world(client)
        need = world.need(fte=2.0, title="Retourverwerking geheimproject Zeta")
        r = world.company.post(f"/needs/{need['id']}/leads",
                               json={"capability_id": world.capability["id"]})
        assert r.status_code == 201, r.text
        lead = r.json()
        assert world.provider.post(f"/leads/{lead['id']}/accept").status_code == 200
        r = world.company.post(f"/leads/{lead['id']}/contract", json={"fte": 2.0})
        assert r.status_code == 200, r.text
        r = client.post("/auth/token", data={"username": world.company.user["email"],
                                             "password": PASSWORD})
        refresh = r.json()["refresh_token"]
        bad = client.post("/auth/token", data={"username": world.company.user["email"],
                                               "password": "not-my-password-xyz"})
        assert bad.status_code == 401
    text = logs.text
    secrets = [PASSWORD, "not-my-password-xyz", world.company.token, world.provider.token,
               refresh, r.json()["access_token"],
               # bodies: a title, contact details and an email sent only in bodies
               "geheimproject", "aankoop@modehuis.example.be", "info@maatwerk.example.be",
               world.company.user["email"]]
    for secret in secrets:
        assert secret not in text, secret
    lines = logs.lines()
    access = [line for line in lines if line["logger"] == "koppel.access"]
    assert len(access) >= 15
    assert all(set(line) >= {"ts", "level", "request_id", "method", "route", "status",
                             "duration_ms", "organisation_id"} for line in access)
    assert len({line["request_id"] for line in access}) == len(access)
    by_route = {(line["method"], line["route"]): line for line in access}
    contract = by_route[("POST", "/leads/{lead_id}/contract")]
    assert contract["status"] == 200
    assert contract["organisation_id"] == world.company.org_id
    assert by_route[("POST", "/leads/{lead_id}/accept")]["organisation_id"] == \
        world.provider.org_id
    assert by_route[("POST", "/auth/register")]["organisation_id"] is None
    assert by_route[("POST", "/needs/{need_id}/leads")]["status"] == 201
    assert by_route[("POST", "/auth/token")]["status"] in (200, 401)


def test_request_id_is_taken_echoed_and_in_problem_bodies(client) -> None:  # noqa: ANN001
    r = client.get("/needs/not-a-uuid", headers={"X-Request-ID": "edge-42.abc"})
    assert r.headers["X-Request-ID"] == "edge-42.abc"
    assert r.json()["request_id"] == "edge-42.abc"
    r = client.get("/nowhere")
    assert r.status_code == 404
    made = r.headers["X-Request-ID"]
    assert len(made) == 32
    assert r.json()["request_id"] == made
    # a request id that could forge log lines is replaced by a fresh one
    r = client.get("/health", headers={"X-Request-ID": "x\" injected"})
    assert r.headers["X-Request-ID"] != "x\" injected"
    assert client.get("/health").headers["X-Request-ID"] != made


def test_log_lines_are_json_with_extras_and_exceptions() -> None:
    with _Capture() as logs:
        log = logging.getLogger("koppel.test")
        log.info("hello %s", "world", extra={"channel": "webhook"})
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("failed")
    first, second = logs.lines()
    assert (first["message"], first["channel"], first["level"]) == ("hello world", "webhook",
                                                                    "info")
    assert "ValueError: boom" in second["exc"]
