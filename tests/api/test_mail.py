"""E-mail notifications (DESIGN §14) through a real SMTP server (aiosmtpd on 127.0.0.1).

Lead events are queued by the API in the test's transaction; a delivery pass hands them to
the SMTP server; the tests read what it received.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import SimpleNamespace

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from api.config import Settings
from api.services import delivery, notifications
from api.services.delivery import Transports
from api.services.mail import Mailer, language_of, read_unsubscribe_token
from models.base import utcnow
from models.notification import MailCategory, NotificationSettings
from models.site import Workforce
from models.webhook import OutboxEvent
from tests.api.test_leads import World, make_world
from tests.factories import add_capability, add_need, add_site, free_port, register, set_workforce


class SmtpServer:
    """aiosmtpd on 127.0.0.1; ``messages`` holds what it accepted, parsed."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        await asyncio.sleep(0)
        return "250 Message accepted for delivery"

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:  # noqa: ANN002
        self.controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m in self.messages if address in rcpt]


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


SECRET_KEY = "test-secret-" + "x" * 32  # the app's, so its unsubscribe endpoint reads the links


def mail_settings(port: int, **kw) -> Settings:  # noqa: ANN003
    return Settings(environment="test", secret_key=SECRET_KEY, smtp_host="127.0.0.1",
                    smtp_port=port, smtp_starttls=False,
                    mail_from="Koppel <no-reply@koppel.example.be>",
                    public_url="https://koppel.example.be", **kw)


def send_mail(connection, settings: Settings, now=None) -> delivery.DeliveryReport:  # noqa: ANN001
    transports = Transports(httpx.Client(), Mailer(settings), allow_private=True)
    return delivery.deliver_due(connection, transports, now or utcnow() + timedelta(seconds=1),
                                channel="email")


def emails(db) -> list[OutboxEvent]:  # noqa: ANN001
    db.expire_all()
    return list(db.exec(select(OutboxEvent).where(OutboxEvent.channel == "email")
                        .order_by(OutboxEvent.created_at, OutboxEvent.recipient)).all())


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


# ---- lead events ------------------------------------------------------------------------------

def test_a_sent_lead_mails_the_providers_users_in_dutch(client, db, connection, smtp):
    world = make_world(client)
    lead = world.send(world.need(title="Retourkledij verwerken"))
    report = send_mail(connection, mail_settings(smtp.port))
    assert (report.delivered, report.retried, report.failed) == (1, 0, 0)
    ((rcpt, message),) = smtp.messages
    assert rcpt == [world.provider.user["email"]]
    assert message["Subject"] == "Nieuwe lead: Retourkledij verwerken"
    assert message["Content-Language"] == "nl"
    assert message["From"] == "Koppel <no-reply@koppel.example.be>"
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://koppel.example.be/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = unsubscribe.strip("<>").rsplit("/", 1)[1]
    assert read_unsubscribe_token(SECRET_KEY, token) == (
        uuid.UUID(world.provider.user["id"]), MailCategory.leads)
    text = text_of(message)
    assert "stuurt u een lead" in text
    assert "Roeselare" in text  # the need's municipality
    assert lead["id"] in text
    # contact persons are exchanged once the provider accepts (DESIGN §6), not in the first mail
    assert "aankoop@modehuis.example.be" not in text
    assert "Retourkledij verwerken" in html_of(message)
    assert unsubscribe.strip("<>") in html_of(message)


def test_each_lead_event_reaches_the_side_design_names(client, db, connection, smtp):
    world = make_world(client)
    company, provider = world.company.user["email"], world.provider.user["email"]
    first = world.send(world.need(fte=1.0))
    world.provider.post(f"/leads/{first['id']}/accept")
    world.company.post(f"/leads/{first['id']}/contract", json={"fte": 1.0})
    second = world.send(world.need(fte=1.0, title="Tweede partij"))
    world.provider.post(f"/leads/{second['id']}/decline", json={"reason_code": "timing"})
    third = world.send(world.need(fte=1.0, title="Derde partij"))
    world.company.post(f"/leads/{third['id']}/withdraw")
    send_mail(connection, mail_settings(smtp.port))

    subjects = {address: sorted(m["Subject"] for m in smtp.to(address))
                for address in (company, provider)}
    assert subjects[provider] == sorted([
        "Nieuwe lead: Retourkledij verwerken", "Contract bevestigd: Retourkledij verwerken",
        "Nieuwe lead: Tweede partij", "Nieuwe lead: Derde partij"])
    name = world.provider.org["name"]
    assert subjects[company] == sorted([
        f"Lead aanvaard door {name}: Retourkledij verwerken",
        "Contract bevestigd: Retourkledij verwerken",
        f"Lead geweigerd door {name}: Tweede partij", "Lead ingetrokken: Derde partij"])
    assert len(smtp.messages) == 8
    (declined,) = [m for m in smtp.to(company) if "geweigerd" in m["Subject"]]
    assert "(reden: planning past niet" in text_of(declined)  # the reason's Dutch label


def test_an_expired_lead_mails_the_company(client, db, connection, smtp):
    from api.services.leads import expire_due

    world = make_world(client)
    world.send(world.need())
    assert expire_due(db, utcnow() + timedelta(days=30)) == 1
    db.commit()
    send_mail(connection, mail_settings(smtp.port), utcnow() + timedelta(days=30, seconds=1))
    (message,) = smtp.to(world.company.user["email"])
    assert message["Subject"].startswith("Lead verlopen zonder antwoord")
    assert len(smtp.to(world.provider.user["email"])) == 1  # the lead itself, earlier


def test_english_is_written_to_a_user_who_reads_english(smtp):
    user = SimpleNamespace(language="en")
    assert language_of(user) == "en"
    assert language_of(SimpleNamespace()) == "nl"  # no language yet: Dutch (DESIGN §14)
    assert language_of(SimpleNamespace(language="fr")) == "nl"  # not one we write in
    payload = {"to": "planning@werkpunt.example.be", "user_id": str(uuid.uuid4()),
               "language": "en", "category": "digest", "template": "digest",
               "context": {"provider": "Werkpunt", "day": "2026-12-02", "items": [
                   {"need_id": str(uuid.uuid4()), "title": "Returns", "fte": 2.0,
                    "activity": "returns.apparel", "municipality": "Roeselare", "score": 0.81,
                    "distance_km": 4.2}]}}
    url, error = Mailer(mail_settings(smtp.port)).send(str(uuid.uuid4()), payload)
    assert (url, error) == (f"smtp://127.0.0.1:{smtp.port}", None)
    ((rcpt, message),) = smtp.messages
    assert rcpt == ["planning@werkpunt.example.be"]
    assert message["Subject"] == "Koppel: 1 new need for Werkpunt"
    assert message["Content-Language"] == "en"
    assert "Apparel returns processing" in text_of(message)
    assert "No more daily digest" in text_of(message)


# ---- unsubscribe ------------------------------------------------------------------------------

def test_an_unsubscribed_category_sends_nothing(client, db, connection, smtp):
    world = make_world(client)
    world.send(world.need())
    send_mail(connection, mail_settings(smtp.port))
    ((_rcpt, message),) = smtp.messages
    path = message["List-Unsubscribe"].strip("<>").removeprefix("https://koppel.example.be")

    page = client.get(path)
    assert page.status_code == 200
    assert "<form method=\"post\"" in page.text
    assert len(emails(db)) == 1
    r = client.post(path, data={"List-Unsubscribe": "One-Click"})  # as a mail client does
    assert r.status_code == 200, r.text
    assert r.json() == {"email": world.provider.user["email"], "category": "leads",
                        "unsubscribed": True}
    assert client.post(path).status_code == 200  # again: still fine, nothing doubled

    world.send(world.need(title="Nog een opdracht"))
    assert len(emails(db)) == 1  # nothing queued for the unsubscribed user
    assert send_mail(connection, mail_settings(smtp.port)).attempted == 0
    assert len(smtp.messages) == 1


def test_a_forged_unsubscribe_token_is_refused(client, db):
    provider = register(client, "provider")
    forged = f"{uuid.UUID(provider.user['id']).hex}.leads.AAAAAAAAAAAAAAAAAAAAAAAA"
    for token in (forged, "not-a-token", f"{uuid.uuid4().hex}.spam.xyz"):
        r = client.post(f"/unsubscribe/{token}")
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["loc"] == ["path", "token"]


# ---- delivery ---------------------------------------------------------------------------------

def test_smtp_down_then_up_delivers_every_message_once(client, db, connection):
    world = make_world(client)
    for title in ("Eerste", "Tweede", "Derde"):
        lead = world.send(world.need(fte=1.0, title=title))
        world.provider.post(f"/leads/{lead['id']}/accept")
    port = free_port()  # nothing listens yet: connection refused
    now = utcnow() + timedelta(seconds=1)
    down = send_mail(connection, mail_settings(port), now)
    assert (down.delivered, down.retried) == (0, 6)
    assert all(e.status == "pending" and e.attempts == 1 for e in emails(db))
    with SmtpServer(port) as smtp:
        now += timedelta(minutes=2)
        up = send_mail(connection, mail_settings(port), now)
        again = send_mail(connection, mail_settings(port), now + timedelta(hours=2))
        assert (up.delivered, up.retried, again.attempted) == (6, 0, 0)
        assert len(smtp.messages) == 6
        ids = {m["Message-ID"] for _rcpt, m in smtp.messages}
        assert len(ids) == 6
        assert len(smtp.to(world.provider.user["email"])) == 3
        assert len(smtp.to(world.company.user["email"])) == 3
    assert all(e.status == "delivered" for e in emails(db))


def test_without_smtp_host_mails_are_written_as_eml_files(client, db, connection, tmp_path):
    world = make_world(client)
    world.send(world.need())
    settings = Settings(environment="test", secret_key=SECRET_KEY, mail_dir=str(tmp_path))
    report = send_mail(connection, settings)
    assert report.delivered == 1
    (path,) = tmp_path.glob("*.eml")
    (event,) = emails(db)
    assert path.name == f"{event.id}.eml"
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] == world.provider.user["email"]
    assert message["Subject"] == "Nieuwe lead: Retourkledij verwerken"


# ---- the daily opportunity digest -------------------------------------------------------------

def _provider(client, postcode: str, name: str):  # noqa: ANN001, ANN202
    provider = register(client, "provider", name)
    site = add_site(provider, postcode)
    set_workforce(provider, site)
    add_capability(provider, site)
    return provider


def test_a_digest_lists_only_needs_the_provider_ranks_top_five_for(client, db, connection, app,
                                                                   smtp):
    world: World = make_world(client)  # provider in Izegem (8870), company in Roeselare (8800)
    r = world.provider.put(f"/organisations/{world.provider.org_id}/notifications",
                           json={"opportunity_digest": True})
    assert r.status_code == 200, r.text
    assert r.json()["opportunity_digest"] is True
    # five providers in and around Kortrijk, each nearer to a Kortrijk need than Izegem is
    for i, postcode in enumerate(("8500", "8501", "8510", "8511", "8520")):
        _provider(client, postcode, f"Kortrijkse Werkplaats {i}")
    near = world.need(title="Dichtbij: retours Roeselare")
    kortrijk_site = add_site(world.company, "8500")
    far = add_need(world.company, kortrijk_site, title="Ver weg: retours Kortrijk")
    ranked = world.company.get(f"/needs/{far['id']}/matches?limit=6").json()["items"]
    # the Izegem provider scores well enough for Kortrijk, but five others rank above it
    assert [i["provider_id"] for i in ranked].index(world.provider.org_id) == 5
    assert ranked[5]["score"] >= 0.6
    add_need(world.company, world.company_site, title="Andere activiteit",
             activity="production.metal", competences=["packing"])

    settings = app.state.settings
    now = utcnow() + timedelta(minutes=1)
    assert notifications.queue_digests(db, settings, now) == 1
    assert notifications.queue_digests(db, settings, now) == 0  # same day: idempotent
    (event,) = [e for e in emails(db) if e.event_type == "digest.opportunities"]
    assert event.recipient == world.provider.user["id"]
    items = event.payload["context"]["items"]
    assert [i["title"] for i in items] == ["Dichtbij: retours Roeselare"]
    assert items[0]["need_id"] == near["id"]
    assert items[0]["score"] >= 0.6

    report = send_mail(connection, mail_settings(smtp.port), now + timedelta(seconds=1))
    assert report.delivered == 1
    (message,) = smtp.to(world.provider.user["email"])
    assert message["Subject"] == f"Koppel: 1 nieuwe opdracht voor {world.provider.org['name']}"
    assert "Dichtbij: retours Roeselare" in text_of(message)
    assert "Ver weg" not in text_of(message)
    assert "/unsubscribe/" in message["List-Unsubscribe"]


def test_no_digest_without_opt_in_or_the_next_day_twice(client, db, app):
    world = make_world(client)
    world.need(title="Dichtbij")
    settings = app.state.settings
    now = utcnow() + timedelta(minutes=1)
    assert notifications.queue_digests(db, settings, now) == 0  # not opted in
    db.add(NotificationSettings(organisation_id=uuid.UUID(world.provider.org_id),
                                opportunity_digest=True))
    db.flush()
    assert notifications.queue_digests(db, settings, now) == 1
    # the next day the need is no longer new: nothing to tell
    assert notifications.queue_digests(db, settings, now + timedelta(days=1)) == 0


def test_only_providers_may_opt_in_to_the_digest(client):
    company = register(client, "company")
    r = company.put(f"/organisations/{company.org_id}/notifications",
                    json={"opportunity_digest": True})
    assert r.status_code == 409
    r = company.put(f"/organisations/{company.org_id}/notifications",
                    json={"opportunity_digest": "soms"})
    assert (r.status_code, r.json()["errors"][0]["loc"]) == (422, ["body",
                                                                   "opportunity_digest"])


# ---- the weekly workforce reminder ------------------------------------------------------------

def test_a_reminder_goes_weekly_while_figures_are_about_to_go_stale(client, db, app):
    world = make_world(client)
    settings = app.state.settings  # stale after 90 days, reminded from day 83
    today = utcnow()
    now = (today - timedelta(days=today.weekday())).replace(hour=12)  # this week's Monday noon
    assert notifications.queue_workforce_reminders(db, settings, now) == 0  # fresh figures
    (workforce,) = db.exec(select(Workforce).where(
        Workforce.site_id == uuid.UUID(world.provider_site["id"]))).all()
    workforce.figures_as_of = now - timedelta(days=85)
    db.flush()
    assert notifications.queue_workforce_reminders(db, settings, now) == 1
    # later the same ISO week: already reminded
    assert notifications.queue_workforce_reminders(db, settings, now + timedelta(days=3)) == 0
    week_later = now + timedelta(days=7)
    assert notifications.queue_workforce_reminders(db, settings, week_later) == 1
    reminders = [e for e in emails(db) if e.event_type == "reminder.workforce"]
    assert len(reminders) == 2
    assert {e.recipient for e in reminders} == {world.provider.user["id"]}
    (site,) = reminders[0].payload["context"]["sites"]
    assert (site["name"], site["stale"]) == (world.provider_site["name"], False)
    assert (reminders[1].payload["context"]["sites"][0]["stale"]) is True


def test_users_of_other_organisations_never_get_anothers_mail(client, db, connection, smtp):
    world = make_world(client)
    stranger = register(client, "provider")
    world.send(world.need())
    send_mail(connection, mail_settings(smtp.port))
    assert smtp.to(stranger.user["email"]) == []
    assert [rcpt for rcpt, _m in smtp.messages] == [[world.provider.user["email"]]]
