"""The dashboard in a real browser: headless Chromium against the demo data on a live server.

The demo data is committed to a fresh migrated SQLite file (the per-test rollback fixtures
cannot serve a second process), the app runs under uvicorn on 127.0.0.1, and Chromium logs in
through the real login form: a test-only page on the same origin holds the form, filled in as a
person would, and submits it. No token ever appears in a URL.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from api.config import Settings
from api.db import make_engine
from api.demo_data import DEMO_LOGINS, DEMO_PASSWORD
from api.main import create_app
from api.migrate import upgrade
from api.security import configure_password_hashing
from api.services.dashboard import KPIS
from api.services.demo import load_demo
from api.services.demo_activity import simulate
from tests.factories import FAST_PASSWORD_HASHING, SMALL_POOLS, free_port

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                  # let the login form's redirect to /dashboard finish before dumping
                  "--virtual-time-budget=15000")


def _chromium() -> str:
    if Path(CHROMIUM).exists() or shutil.which("chromium"):
        return CHROMIUM if Path(CHROMIUM).exists() else str(shutil.which("chromium"))
    if IN_CI:
        pytest.fail(f"{CHROMIUM} is required under CI=true (scripts/test.sh installs it)")
    pytest.skip(f"{CHROMIUM} not installed; `apt-get install chromium` to run the browser test")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'koppel.db'}"
    upgrade(url)
    engine = make_engine(url, **SMALL_POOLS)
    settings = Settings(environment="test", database_url=url,
                        secret_key="browser-test-" + "x" * 32, **FAST_PASSWORD_HASHING)
    configure_password_hashing(settings)  # the demo's 68 accounts, as `koppel demo` does
    with Session(engine) as session:
        load_demo(session)
        session.commit()
    simulate(engine, settings)  # the demo's lead history and cluster run, as `koppel demo` does
    app = create_app(settings, engine)
    form = (f'<!doctype html><form method="post" action="/dashboard/login">'
            f'<input name="email" value="{escape(DEMO_LOGINS["staff"])}">'
            f'<input name="password" type="password" value="{escape(DEMO_PASSWORD)}">'
            f'</form><script>document.forms[0].submit()</script>')
    # the test-only login page auto-submits with an inline script; the app's strict CSP (no
    # scripts anywhere in the product) is relaxed for this page alone
    app.add_api_route("/test-login", lambda: HTMLResponse(
        form, headers={"Content-Security-Policy": "script-src 'unsafe-inline'"}),
        include_in_schema=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(),
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


def _browse(base: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"chromium-{len(list(tmp_path.iterdir()))}"
    result = subprocess.run(
        [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra,
         f"{base}/test-login"], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


class _KpiReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.kpis: dict[str, dict[str, str]] = {}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("data-kpi"):
            self._open = a["data-kpi"]
            self.kpis[self._open] = {"value": a.get("data-value") or "", "text": ""}

    def handle_data(self, data: str) -> None:
        if self._open:
            self.kpis[self._open]["text"] += data

    def handle_endtag(self, tag: str) -> None:
        self._open = None


def _staff_token(base: str) -> str:
    r = httpx.post(f"{base}/auth/token",
                   data={"username": DEMO_LOGINS["staff"], "password": DEMO_PASSWORD})
    r.raise_for_status()
    return r.json()["access_token"]


def _lookup(data: dict, path: tuple[str, ...]) -> object:
    for part in path:
        data = data[part]
    return data


def _shown_number(text: str) -> float | None:
    """ "1 234,5 FTE" → 1234.5; "91,8 %" → 0.918; "–" → None."""
    text = text.replace("\u202f", "").replace(" ", "").strip()
    if text == "–":
        return None
    percent = text.endswith("%")
    number = float(re.sub(r"[^0-9,.-]", "", text).replace(",", "."))
    return number / 100 if percent else number


def test_dashboard_kpis_in_chromium_equal_the_overview_figures(
        live_server: str, tmp_path: Path) -> None:
    dom = _browse(live_server, tmp_path, "--dump-dom").stdout
    reader = _KpiReader()
    reader.feed(dom)
    overview = httpx.get(f"{live_server}/stats/overview",
                         headers={"Authorization": f"Bearer {_staff_token(live_server)}"}).json()

    assert set(reader.kpis) == {key for key, *_ in KPIS}
    for key, _label, path, unit in KPIS:
        expected = _lookup(overview, path)
        shown = reader.kpis[key]
        if expected is None:
            assert shown["value"] == "", key
            assert shown["text"].strip() == "–", key
            continue
        assert float(shown["value"]) == pytest.approx(expected), key
        # the text shows one decimal (of a percentage for shares)
        precision = 0.0006 if unit == "%" else 0.051
        assert _shown_number(shown["text"]) == pytest.approx(expected, abs=precision), key
    assert overview["open_needs"] > 0
    assert overview["unmet"]["needs"] > 0


def test_dashboard_renders_offline_and_saves_a_screenshot(live_server: str,
                                                          tmp_path: Path) -> None:
    dom = _browse(live_server, tmp_path, "--dump-dom").stdout
    assert 'class="province"' in dom
    assert dom.count('class="marker ') > 10
    assert not re.search(r'(src|href)="(https?:)?//', dom), "the page must not load anything"
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "dashboard.png"
    shot.unlink(missing_ok=True)
    _browse(live_server, tmp_path, f"--screenshot={shot}", "--window-size=1400,2000")
    assert shot.stat().st_size > 20_000


def test_dashboard_without_login_redirects_to_the_login_page(live_server: str) -> None:
    r = httpx.get(f"{live_server}/dashboard")
    assert r.status_code == 303
    assert r.headers["location"] == "/dashboard/login"


def test_login_form_sets_a_strict_httponly_cookie(live_server: str) -> None:
    r = httpx.post(f"{live_server}/dashboard/login",
                   data={"email": DEMO_LOGINS["staff"], "password": DEMO_PASSWORD})
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("koppel_token=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/dashboard" in cookie
    t0 = time.perf_counter()
    page = httpx.get(f"{live_server}/dashboard",
                     cookies={"koppel_token": r.cookies["koppel_token"]})
    elapsed_ms = (time.perf_counter() - t0) * 1000
    assert page.status_code == 200
    assert 'data-kpi="open_needs"' in page.text
    assert elapsed_ms < 3000  # the 300 ms target is measured by bench/stats.py


def test_login_form_refuses_a_company_user(live_server: str) -> None:
    r = httpx.post(f"{live_server}/dashboard/login",
                   data={"email": DEMO_LOGINS["company"], "password": DEMO_PASSWORD})
    assert r.status_code == 403
    assert "set-cookie" not in r.headers
