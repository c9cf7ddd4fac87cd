"""E-mail: rendering in the recipient's language, signed unsubscribe links, and sending.

An outbox row's payload holds the recipient (``to``, ``user_id``, ``language``), the
``category`` and a ``template`` with its JSON ``context``, fixed when the row was queued.
``Mailer.send`` renders it (``api/templates/mail/<lang>/<template>.txt`` and ``.html``) into
a MIME message with a plain-text and an HTML part and a ``List-Unsubscribe`` header (RFC 2369,
with RFC 8058 one-click), and hands it to SMTP — or, without ``SMTP_HOST``, writes it to
``MAIL_DIR/<message id>.eml``. Rendering at send time keeps the secret key and the public URL
in the worker's settings rather than in the database.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from api.config import Settings
from models import taxonomy
from models.base import utcnow
from models.notification import MailCategory

LANGUAGES = ("nl", "en")
SMTP_TIMEOUT_SECONDS = 10.0

_env = Environment(loader=PackageLoader("api", "templates/mail"),
                   autoescape=select_autoescape(enabled_extensions=("html",)),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                   keep_trailing_newline=True)


def _activity_label(code: str, lang: str) -> str:
    found = taxonomy.activity(code)
    return found.label[lang] if found else code


def _decline_label(code: str, lang: str) -> str:
    found = taxonomy.vocabulary("decline_reasons").get(code)
    return found["label"][lang] if found else code


_env.filters["activity"] = _activity_label
_env.filters["decline_reason"] = _decline_label


def language_of(user: Any) -> str:  # noqa: ANN401 - a User, with or without `language`
    """The user's language when it is one we write in, Dutch otherwise (DESIGN §14)."""
    lang = getattr(user, "language", None) or "nl"
    return lang if lang in LANGUAGES else "nl"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(name: str, lang: str, **context: Any) -> Rendered:  # noqa: ANN401
    """Render ``mail/<lang>/<name>.txt`` (first line ``Subject: …``) and ``.html``."""
    text = _env.get_template(f"{lang}/{name}.txt").render(lang=lang, **context)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject: "):
        raise ValueError(f"mail/{lang}/{name}.txt must start with a Subject: line")
    html = _env.get_template(f"{lang}/{name}.html").render(lang=lang, **context)
    return Rendered(subject=first.removeprefix("Subject: ").strip(), text=body.lstrip("\n"),
                    html=html)


# ---- unsubscribe tokens -----------------------------------------------------------------------

def _mac(secret_key: str, message: str) -> str:
    digest = hmac.new(secret_key.encode(), b"koppel-unsubscribe:" + message.encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def unsubscribe_token(secret_key: str, user_id: uuid.UUID, category: MailCategory) -> str:
    """``<user id hex>.<category>.<HMAC>``: unguessable, needs no login and never expires
    (an old e-mail's link must still work)."""
    message = f"{user_id.hex}.{category.value}"
    return f"{message}.{_mac(secret_key, message)}"


def read_unsubscribe_token(secret_key: str, token: str) -> tuple[uuid.UUID, MailCategory] | None:
    """The (user id, category) a token names, or None when it is malformed or forged."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    user_hex, category, mac = parts
    try:
        expected = _mac(secret_key, f"{user_hex}.{category}")
        if not hmac.compare_digest(expected, mac):
            return None
        return uuid.UUID(hex=user_hex), MailCategory(category)
    except (ValueError, binascii.Error):
        return None


def unsubscribe_url(settings: Settings, user_id: uuid.UUID, category: MailCategory) -> str:
    token = unsubscribe_token(settings.secret_key, user_id, category)
    return f"{settings.public_url.rstrip('/')}/unsubscribe/{token}"


# ---- sending ----------------------------------------------------------------------------------

def build_message(settings: Settings, message_id: str, payload: dict[str, Any]) -> EmailMessage:
    """The MIME message for one outbox row's payload."""
    lang = payload["language"] if payload["language"] in LANGUAGES else "nl"
    category = MailCategory(payload["category"])
    link = unsubscribe_url(settings, uuid.UUID(payload["user_id"]), category)
    rendered = render(payload["template"], lang, unsubscribe_url=link, **payload["context"])
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = payload["to"]
    msg["Subject"] = rendered.subject
    msg["Date"] = format_datetime(utcnow())
    # the outbox row id: a receiver (or a person) can tell a retried message from a new one
    msg["Message-ID"] = make_msgid(idstring=message_id, domain="koppel")
    msg["List-Unsubscribe"] = f"<{link}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["X-Koppel-Category"] = category.value
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    msg["Content-Language"] = lang  # after the parts: set_content drops Content-* headers
    return msg


class Mailer:
    """Sends outbox e-mails by SMTP, or writes them under ``MAIL_DIR`` without ``SMTP_HOST``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def target(self) -> str:
        s = self.settings
        if s.smtp_host:
            return f"smtp://{s.smtp_host}:{s.smtp_port}"
        return Path(s.mail_dir).resolve().as_uri()

    def send(self, message_id: str, payload: dict[str, Any]) -> tuple[str, str | None]:
        """Deliver one message; returns (where it went, error or None)."""
        msg = build_message(self.settings, message_id, payload)
        try:
            if self.settings.smtp_host:
                self._smtp(msg)
            else:
                self._write(message_id, msg)
        except (smtplib.SMTPException, OSError) as exc:
            return self.target, f"{exc.__class__.__name__}: {exc}"[:500]
        return self.target, None

    def _smtp(self, msg: EmailMessage) -> None:
        s = self.settings
        with smtplib.SMTP(s.smtp_host or "", s.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password or "")
            smtp.send_message(msg)

    def _write(self, message_id: str, msg: EmailMessage) -> None:
        directory = Path(self.settings.mail_dir)
        directory.mkdir(parents=True, exist_ok=True)
        # named by the outbox row: a retry overwrites rather than duplicates
        final = directory / f"{message_id}.eml"
        partial = directory / f".{message_id}.eml.partial"
        partial.write_bytes(msg.as_bytes())
        os.replace(partial, final)
