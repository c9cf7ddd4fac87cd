"""Schema fuzzing: every operation of the app's own OpenAPI, as each role, must never answer 5xx
and must answer what it documents (status code, content type and response schema).

Schemathesis generates requests from `/openapi.json` (valid ones, and invalid ones that must
be refused with a documented 4xx); half of the cases address the real resources of a small
world (the caller's organisation, site, need, capability, lead) so paths reach the service
layer rather than stopping at a 404. A stateful run then chains operations along the links
Schemathesis infers (create a site, read it, change it, ...), as each role. Bounded:
``KOPPEL_FUZZ_EXAMPLES`` examples per operation, role and strategy, and as many stateful
scenarios per role (default 5 for the suite; 50 for the full run, see README);
``KOPPEL_FUZZ_BACKENDS`` (default ``sqlite``) lists the backends, e.g. ``sqlite,postgres``.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import (
    Actor,
    add_need,
    add_offer,
    add_site,
    register,
    staff,
)

EXAMPLES = int(os.environ.get("KOPPEL_FUZZ_EXAMPLES", "5"))
BACKENDS = os.environ.get("KOPPEL_FUZZ_BACKENDS", "sqlite").split(",")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]

# Operations fuzzed with generated path ids only: with a real id they would end the world
# (erasure revokes every token of the caller's organisation).
NO_REAL_IDS = {("DELETE", "/organisations/{org_id}")}


def _world(client, db) -> dict[str, tuple[Actor, dict[str, str]]]:  # noqa: ANN001
    company, provider = register(client, "company"), register(client, "provider")
    c_site = add_site(company, "8800")
    p_site, cap = add_offer(provider, "8870", low=5, medium=5, high=2, supervisors=3)
    need = add_need(company, c_site)
    lead = company.post(f"/needs/{need['id']}/leads", json={"capability_id": cap["id"]})
    assert lead.status_code == 201, lead.text
    shared = {"need_id": need["id"], "cap_id": cap["id"], "lead_id": lead.json()["id"],
              "provider_id": provider.org_id}
    dept = staff(client, db)
    return {
        "company": (company, {**shared, "org_id": company.org_id, "site_id": c_site["id"]}),
        "provider": (provider, {**shared, "org_id": provider.org_id, "site_id": p_site["id"]}),
        "staff": (dept, {**shared, "org_id": provider.org_id, "site_id": p_site["id"]}),
    }


def _describe(exc: BaseException) -> str:
    parts = [str(e) for e in getattr(exc, "exceptions", ())] or [str(exc)]
    return " | ".join(p.replace("\n", " ")[:400] for p in parts)


def _fuzz(operation, role: str, actor: Actor, ids: dict[str, str],  # noqa: ANN001
          failures: list[str]) -> int:
    headers = {"Authorization": f"Bearer {actor.token}"}
    names = {p.name for p in operation.path_parameters}
    real = {k: v for k, v in ids.items() if k in names}
    strategies = [operation.as_strategy(mode, headers=headers)
                  for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
    if real and len(real) == len(names) and (operation.method.upper(),
                                             operation.path) not in NO_REAL_IDS:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, headers=headers,
                                                path_parameters=real))
    calls = 0

    @settings(max_examples=EXAMPLES * len(strategies), deadline=None, database=None,
              derandomize=True, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(strategies))
    def run(case: Any) -> None:
        nonlocal calls
        calls += 1
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup
            label = f"{operation.method.upper()} {operation.path} as {role}"
            failures.append(f"{label}: {response.status_code} {_describe(exc)}\n"
                            f"  {case.as_curl_command()}")

    run()
    return calls


def _stateful(schema, role: str, actor: Actor, failures: list[str]) -> int:  # noqa: ANN001
    headers = {"Authorization": f"Bearer {actor.token}"}
    calls = 0

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers}

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None,
                              **kwargs: Any) -> None:
            nonlocal calls
            calls += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except (AssertionError, BaseExceptionGroup) as exc:
                label = f"stateful {case.operation.method.upper()} {case.operation.path} as {role}"
                failures.append(f"{label}: {response.status_code} {_describe(exc)}\n"
                                f"  {case.as_curl_command()}")

    Machine.run(settings=settings(max_examples=EXAMPLES, stateful_step_count=8, deadline=None,
                                  database=None, derandomize=True,
                                  phases=[Phase.explicit, Phase.generate],
                                  suppress_health_check=list(HealthCheck)))
    return calls


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
def test_every_operation_survives_fuzzing_as_every_role(app, client, db) -> None:  # noqa: ANN001
    world = _world(client, db)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 50
    calls = 0
    for operation in operations:
        for role, (actor, ids) in world.items():
            calls += _fuzz(operation, role, actor, ids, failures)
    assert calls >= len(operations) * len(world)
    # stateful last: a chain may erase the caller's organisation, which ends its tokens
    steps = sum(_stateful(schema, role, actor, failures) for role, (actor, _) in world.items())
    assert steps >= EXAMPLES * len(world)
    assert not failures, f"{len(failures)} failure(s):\n" + "\n".join(failures[:30])


# ---- regression tests for what the fuzzer found ---------------------------------------------

def test_timestamps_are_rfc3339_with_an_offset_on_every_backend(client) -> None:  # noqa: ANN001
    """SQLite handed back naive datetimes: `created_at` left as "2026-11-28T09:00:00"."""
    actor = register(client, "company")
    org = actor.get(f"/organisations/{actor.org_id}").json()
    for key in ("created_at", "updated_at"):
        assert org[key].endswith(("Z", "+00:00")), org[key]


def test_dashboard_login_documents_its_401_403_and_429_answers(client) -> None:  # noqa: ANN001
    """The login form answers 401/403/429 (the form again), which the OpenAPI did not list."""
    responses = client.get("/openapi.json").json()["paths"]["/dashboard/login"]["post"][
        "responses"]
    assert {"303", "401", "403", "429"} <= responses.keys()
    r = client.post("/dashboard/login", data={"email": "nobody@example.be",
                                              "password": "wrong-password-1"})
    assert r.status_code == 401
