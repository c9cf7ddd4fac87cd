"""Migration 0011 rewrites webhook secrets to the Standard Webhooks form, keeping the key."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import create_engine

from api.migrate import upgrade
from tests.conftest import new_database_url


def _stamps() -> tuple:
    return (sa.column("created_at", sa.DateTime(timezone=True)),
            sa.column("updated_at", sa.DateTime(timezone=True)))


ORGANISATION = sa.table("organisation", sa.column("id", sa.Uuid()), sa.column("kind"),
                        sa.column("name"), sa.column("nace_codes", sa.JSON()),
                        sa.column("description"), sa.column("illustrative", sa.Boolean()),
                        *_stamps())
ENDPOINT = sa.table("webhook_endpoint", sa.column("id", sa.Uuid()),
                    sa.column("organisation_id", sa.Uuid()), sa.column("url"),
                    sa.column("secret"), sa.column("active", sa.Boolean()), *_stamps())


@pytest.fixture(params=["sqlite", "postgres"])
def url_at_0008(request, tmp_path_factory):
    url = new_database_url(request.param, tmp_path_factory, request)
    upgrade(url, "0008")
    return url


def test_existing_secrets_become_whsec_base64_of_the_same_key_bytes(url_at_0008):
    plain, generated = "my-own-signing-secret-123", "whsec_" + "3f1c0a9b8e7d6c5b" * 3
    org_ids = [uuid.uuid4(), uuid.uuid4()]
    now = datetime(2026, 11, 30, tzinfo=UTC)
    stamps = {"created_at": now, "updated_at": now}
    engine = create_engine(url_at_0008)
    with engine.begin() as conn:
        for org_id, secret in zip(org_ids, (plain, generated), strict=True):
            conn.execute(ORGANISATION.insert().values(
                id=org_id, kind="provider", name="P", nace_codes=[], description="",
                illustrative=False, **stamps))
            conn.execute(ENDPOINT.insert().values(
                id=uuid.uuid4(), organisation_id=org_id, url="https://h.example.be/",
                secret=secret, active=True, **stamps))
    engine.dispose()
    upgrade(url_at_0008)
    engine = create_engine(url_at_0008)
    with engine.connect() as conn:
        by_org = dict(conn.execute(sa.select(ENDPOINT.c.organisation_id,
                                             ENDPOINT.c.secret)).all())
    engine.dispose()
    assert by_org[org_ids[0]] == "whsec_" + base64.b64encode(plain.encode()).decode()
    assert by_org[org_ids[1]] == generated  # already valid base64: kept as it was
