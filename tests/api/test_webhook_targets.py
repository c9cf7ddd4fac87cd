"""Webhooks never reach into our own network (server-side request forgery).

A webhook URL is user input that the server and the worker will POST to. Loopback, private,
link-local (cloud metadata), carrier-grade NAT and other non-public addresses are refused when
the endpoint is set and again before every delivery (a name can be re-pointed later). Local
and test environments allow them by default so that a demo can post to 127.0.0.1; production
does not. Name resolution is injected here: the tests use no network.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from api.config import Settings
from api.services import delivery
from api.services.webhooks import forbidden_target
from models.base import utcnow
from tests.api.test_leads import make_world
from tests.api.test_webhooks import SECRET, Receiver, attempts, outbox, transports
from tests.factories import register


def _resolver(table: dict[str, list[str]]):  # noqa: ANN202
    def resolve(host: str) -> list[str]:
        if host not in table:
            raise OSError(-2, "Name or service not known")
        return table[host]
    return resolve


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/hook", "http://10.1.2.3/hook", "http://192.168.0.10/hook",
    "http://172.16.5.4/hook", "http://169.254.169.254/latest/meta-data", "http://0.0.0.0/",
    "http://100.64.0.1/hook", "http://[::1]/hook", "http://[fd00::1]/hook",
    "http://[::ffff:127.0.0.1]/hook", "http://[fe80::1]/hook",
    "http://[::127.0.0.1]/", "http://[64:ff9b::a9fe:a9fe]/",
])
def test_non_public_addresses_are_refused(url: str) -> None:
    assert "non-public address" in forbidden_target(url, _resolver({}))


# IPv6 forms that carry an IPv4 address: judged by the address inside as well
@pytest.mark.parametrize(("address", "public"), [
    ("::127.0.0.1", False),  # IPv4-compatible loopback
    ("::10.0.0.1", False),
    ("::8.8.8.8", True),
    ("::ffff:169.254.169.254", False),  # IPv4-mapped metadata service
    ("::ffff:8.8.8.8", True),  # a mapped address is the IPv4 address itself
    ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254
    ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1
    ("64:ff9b::c0a8:1", False),  # NAT64 of 192.168.0.1
    ("64:ff9b::808:808", True),  # NAT64 of 8.8.8.8
    ("64:ff9b:1::808:808", False),  # local-use NAT64 prefix (RFC 8215)
    ("2002:7f00:1::1", False),  # 6to4 of 127.0.0.1
    ("2002:a9fe:a9fe::", False),  # 6to4 of 169.254.169.254
    ("2002:0a00:0001::1", False),  # 6to4 of 10.0.0.1
    ("2002:808:808::1", True),  # 6to4 of 8.8.8.8
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),  # Teredo
    ("2606:2800:220:1::1", True),
    ("93.184.216.34", True),
    ("127.0.0.1", False),
])
def test_ipv4_embedding_ipv6_forms_are_judged_by_the_ipv4_inside(address: str,
                                                                  public: bool) -> None:
    import ipaddress

    from api.services.addresses import is_public

    assert is_public(ipaddress.ip_address(address)) is public
    verdict = forbidden_target(f"http://[{address}]/hook" if ":" in address
                               else f"http://{address}/hook", _resolver({}))
    assert (verdict is None) is public, verdict


def test_a_name_resolving_to_an_embedding_form_is_refused() -> None:
    resolve = _resolver({"sneaky.example.be": ["64:ff9b::a9fe:a9fe"]})
    assert "non-public" in forbidden_target("https://sneaky.example.be/x", resolve)


def test_public_addresses_and_names_pass() -> None:
    resolve = _resolver({"hooks.example.be": ["93.184.216.34", "2606:2800:220:1::1"]})
    assert forbidden_target("https://hooks.example.be/koppel", resolve) is None
    assert forbidden_target("https://93.184.216.34/koppel", resolve) is None


def test_a_name_is_refused_if_any_of_its_addresses_is_private() -> None:
    resolve = _resolver({"intranet.example.be": ["93.184.216.34", "10.0.0.7"],
                         "localhost": ["127.0.0.1", "::1"]})
    assert "10.0.0.7" in forbidden_target("https://intranet.example.be/x", resolve)
    assert "127.0.0.1" in forbidden_target("http://localhost:8000/admin", resolve)
    assert "does not resolve" in forbidden_target("https://nowhere.example.be/", resolve)


def test_production_refuses_a_private_webhook_url(app, client) -> None:  # noqa: ANN001
    app.state.settings = Settings(environment="production", secret_key="p" * 40,
                                  database_url=app.state.settings.database_url)
    provider = register(client, "provider")
    url = f"/organisations/{provider.org_id}/webhook"
    for target in ("http://127.0.0.1:5432/", "http://169.254.169.254/latest/meta-data"):
        r = provider.put(url, json={"url": target})
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["loc"] == ["body", "url"]
        assert "non-public" in r.json()["detail"]
    assert provider.get(url).status_code == 404  # nothing was stored
    r = provider.put(url, json={"url": "https://93.184.216.34/koppel"})
    assert r.status_code == 200, r.text


def test_the_setting_overrides_the_environment(app, client) -> None:  # noqa: ANN001
    provider = register(client, "provider")
    url = f"/organisations/{provider.org_id}/webhook"
    assert provider.put(url, json={"url": "http://127.0.0.1:9/hook"}).status_code == 200
    app.state.settings = app.state.settings.model_copy(
        update={"webhook_allow_private_networks": False})
    assert provider.put(url, json={"url": "http://127.0.0.1:9/hook"}).status_code == 422


def test_delivery_refuses_a_url_that_now_points_inside(client, db, connection) -> None:  # noqa: ANN001
    """The endpoint was accepted (say its name was public then); at delivery time it points
    to 127.0.0.1: nothing is posted, the attempt says why, and the event is retried."""
    world = make_world(client)
    with Receiver() as receiver:
        r = world.provider.put(f"/organisations/{world.provider.org_id}/webhook",
                               json={"url": receiver.url, "secret": SECRET})
        assert r.status_code == 200
        world.send(world.need())
        refusing = transports(httpx.Client())
        refusing.allow_private = False
        report = delivery.deliver_due(connection, refusing, utcnow() + timedelta(seconds=1),
                                      channel="webhook")
        assert receiver.requests == 0
    assert (report.delivered, report.retried, report.failed) == (0, 1, 0)
    (attempt,) = attempts(db)
    assert attempt.error.startswith("refused: 127.0.0.1 is a non-public address")
    (event,) = outbox(db)
    assert (event.status, event.attempts) == ("pending", 1)
