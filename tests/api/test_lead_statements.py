"""SQL statements per lead request: a budget, so that extra round trips fail a test.

Counts are per HTTP request, from the user lookup to the last write of the commit; the test
harness's SAVEPOINT / RELEASE around each request are left out (in production the request's
BEGIN / COMMIT stand there, whatever the request does). With a webhook endpoint, a write adds
at most one statement: the outbox INSERT. A write that e-mails someone adds two: the query for
the recipients and their outbox INSERT (which carries the webhook row too, when there is one).

Before the round-trip work on lead operations (statements without / with webhook endpoints):
send 15 / 19, view 10 / 14, accept 10 / 14, decline 10 / 14, withdraw 12 / 16, contract 16 / 20,
withdraw a contracted lead 17 / 21, read 5. View, accept and decline read the lead with its row
lock in one statement (they take no need or workforce lock that would have to come first); a
send reads the need's site with the need's lock, and the capability with any open lead it has
for the need.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.api.test_leads import World, make_world

NESTING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")

# send: one more for the sites placed only approximately (distance presentation); contract and
# withdrawing a contract: the catalogue change log (its lock row, the entry) that lets every
# worker's engine follow the workforce write instead of refitting
BUDGET = {
    "send": 10,
    "view": 5,
    "view again": 3,
    "accept": 5,
    "contract": 15,
    "withdraw contracted": 15,
    "decline": 5,
    "withdraw": 8,
    "read": 3,
}
# the operations that queue a webhook event (the idempotent second view and a read do not)
EMITTING = frozenset(BUDGET) - {"view again", "read"}
# the operations that e-mail someone (DESIGN §14: not a view): two statements more, the
# recipients (users not unsubscribed) and their outbox INSERT
MAILING = EMITTING - {"view"}


@contextmanager
def recording(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent on ``engine`` inside the block, savepoint handling left out."""
    statements: list[str] = []

    def before(_conn, _cursor, statement: str, *_args) -> None:  # noqa: ANN001
        if not statement.lstrip().upper().startswith(NESTING):
            statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def subscribe(world: World) -> None:
    for actor in (world.company, world.provider):
        r = actor.put(f"/organisations/{actor.org_id}/webhook",
                      json={"url": "https://hooks.example.be/koppel", "secret": "s" * 30})
        assert r.status_code == 200, r.text


def measure_lead_operations(world: World, engine: Engine) -> dict[str, list[str]]:
    """Each lead operation once, as a client calls it; the statements of each request."""
    seen: dict[str, list[str]] = {}

    def measured(name: str, call: Callable, status: int = 200) -> dict:
        with recording(engine) as statements:
            r = call()
        assert r.status_code == status, r.text
        seen[name] = statements
        return r.json()

    def send(need: dict) -> Callable:
        return lambda: world.company.post(f"/needs/{need['id']}/leads",
                                          json={"capability_id": world.capability["id"]})

    world.send(world.need(fte=1.0))  # the first send may fit the matching engine: not counted
    lead = measured("send", send(world.need(fte=2.0)), 201)
    url = f"/leads/{lead['id']}"
    measured("view", lambda: world.provider.post(f"{url}/view"))
    measured("view again", lambda: world.provider.post(f"{url}/view"))
    measured("accept", lambda: world.provider.post(f"{url}/accept"))
    measured("contract", lambda: world.company.post(f"{url}/contract", json={"fte": 2.0}))
    measured("withdraw contracted", lambda: world.company.post(f"{url}/withdraw"))
    measured("read", lambda: world.company.get(url))
    declined = world.send(world.need(fte=1.0))
    measured("decline", lambda: world.provider.post(f"/leads/{declined['id']}/decline",
                                                    json={"reason_code": "capacity"}))
    withdrawn = world.send(world.need(fte=1.0))
    measured("withdraw", lambda: world.company.post(f"/leads/{withdrawn['id']}/withdraw"))
    return seen


def over_budget(seen: dict[str, list[str]], budget: dict[str, int]) -> list[str]:
    return [f"{name}: {len(statements)} statements, budget {budget[name]}:\n  "
            + "\n  ".join(s[:160] for s in statements)
            for name, statements in seen.items() if len(statements) > budget[name]]


@pytest.mark.parametrize("with_webhooks", [False, True], ids=["no-webhooks", "webhooks"])
def test_lead_operations_stay_within_their_statement_budget(client, engine, with_webhooks):
    world = make_world(client)
    if with_webhooks:
        subscribe(world)
    budget = {name: n + (with_webhooks and name in EMITTING) + 2 * (name in MAILING)
              for name, n in BUDGET.items()}
    seen = measure_lead_operations(world, engine)
    assert set(seen) == set(BUDGET)
    problems = over_budget(seen, budget)
    assert not problems, "\n".join(problems)


def test_the_webhook_check_is_one_query_for_both_parties(client, engine):
    # a flag notifies both parties: still one endpoint query, and the counter moves in the
    # same UPDATE as the flag itself
    world = make_world(client)
    subscribe(world)
    world.send(world.need(fte=1.0))
    with recording(engine) as statements:
        r = world.provider.patch(f"/capabilities/{world.capability['id']}",
                                 json={"active": False})
    assert r.status_code == 200, r.text
    endpoint_queries = [s for s in statements
                        if s.startswith("SELECT") and "webhook_endpoint" in s]
    (lead_update,) = [s for s in statements if s.startswith("UPDATE lead ")]
    assert len(endpoint_queries) == 1, statements
    assert "flagged" in lead_update
    assert "event_sequence" in lead_update


@pytest.mark.parametrize("role", ["inbox", "outbox"])
def test_a_lead_page_is_four_statements(client, engine, role):
    # the user, the total, the page with each lead's need and site, and the parties
    world = make_world(client)
    for _ in range(3):
        world.send(world.need(fte=1.0))
    actor = world.provider if role == "inbox" else world.company
    with recording(engine) as statements:
        r = actor.get("/leads", params={"role": role, "limit": 2})
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["total"] == 3
    assert len(page["items"]) == 2
    assert all(item["need"]["municipality"] and item["company"]["name"]
               for item in page["items"]), page
    assert len(statements) <= 4, "\n".join(s[:160] for s in statements)
