"""The `koppel` command line on a real (file) SQLite database."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from api.cli import main
from api.config import get_settings
from tests.factories import FAST_PASSWORD_HASHING


@pytest.fixture
def sqlite_env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_migrate_then_create_staff_and_refuse_duplicates(sqlite_env, capsys):
    assert main(["migrate"]) == 0
    assert main(["create-staff", "Staff@Example.be", "--password", "x" * 12]) == 0
    assert "Created staff account staff@example.be" in capsys.readouterr().out
    assert main(["create-staff", "staff@example.be", "--password", "y" * 12]) == 1
    assert main(["create-staff", "other@example.be", "--password", "short"]) == 2
    engine = create_engine(sqlite_env)
    with engine.connect() as conn:
        roles = conn.execute(text("SELECT email, role FROM app_user")).all()
    engine.dispose()
    assert roles == [("staff@example.be", "staff")]


def test_ready_reports_database_state(client):
    assert client.get("/ready").json() == {"status": "ok", "database": "ok"}
    assert client.get("/health").json()["status"] == "ok"


def test_unreachable_database_gives_503_problems_not_500():
    from fastapi.testclient import TestClient

    from api.config import Settings
    from api.main import create_app

    settings = Settings(environment="test", secret_key="t" * 40, db_timeout_seconds=1,
                        database_url="postgresql://postgres@127.0.0.1:1/nowhere")
    with TestClient(create_app(settings=settings), raise_server_exceptions=False) as c:
        r = c.get("/ready")
        assert r.status_code == 503
        assert r.headers["content-type"] == "application/problem+json"
        r = c.post("/auth/token", data={"username": "a@example.be", "password": "x" * 12})
        assert r.status_code == 503
        assert r.headers["retry-after"] == "5"


def test_demo_refuses_production(sqlite_env, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "a-private-production-secret-" + "z" * 20)
    get_settings.cache_clear()
    assert main(["demo", "--no-serve"]) == 2
    assert "refuses ENVIRONMENT=production" in capsys.readouterr().err
    assert not (tmp_path / "cli.db").exists()  # not even migrated


def test_demo_prints_the_portal_and_one_working_login_per_role(sqlite_env, capsys, tmp_path,
                                                               monkeypatch):
    import re

    monkeypatch.setenv("MAIL_DIR", str(tmp_path / "mail"))  # the demo's e-mails
    for name, value in FAST_PASSWORD_HASHING.items():  # the demo's 68 accounts
        monkeypatch.setenv(name.upper(), str(value))
    get_settings.cache_clear()

    from fastapi.testclient import TestClient

    from api.main import create_app

    assert main(["demo", "--no-serve", "--port", "8123"]) == 0
    out = capsys.readouterr().out
    assert "Portal (in a browser): http://127.0.0.1:8123/" in out
    logins = {role: (email, password, where) for role, email, password, where in
                  re.findall(r"^  (company|provider|staff)\s+(\S+@\S+) / (\S+)\s+(\S+)$", out,
                             re.MULTILINE)}
    assert set(logins) == {"company", "provider", "staff"}
    assert logins["staff"][2] == "http://127.0.0.1:8123/dashboard/login"
    assert logins["company"][2] == logins["provider"][2] == "http://127.0.0.1:8123/login"
    with TestClient(create_app(get_settings())) as client:
        for role, (email, password, _) in logins.items():
            r = client.post("/auth/token", data={"username": email, "password": password})
            assert r.status_code == 200, (role, r.text)
            me = client.get("/auth/me", headers={
                "Authorization": f"Bearer {r.json()['access_token']}"})
            assert me.status_code == 200, me.text
        # the staff login opens the dashboard through its form
        r = client.post("/dashboard/login", data={"email": logins["staff"][0],
                                                  "password": logins["staff"][1]},
                        follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (303, "/dashboard")
