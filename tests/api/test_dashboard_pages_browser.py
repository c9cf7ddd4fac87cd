"""The staff pages in Chromium (Debian's, driven by Playwright) against the demo data served by
uvicorn, on SQLite and PostgreSQL: a person logs in, reads the dashboard in Dutch and English,
starts a cluster run and endorses a cluster; the pages carry no script (axe-core is injected
by the test only). Every page has 0
serious or critical axe-core findings and no horizontal scroll at 375 px; screenshots go to
test-artifacts/.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlmodel import Session

from api.config import Settings
from api.db import make_engine
from api.demo_data import DEMO_LOGINS, DEMO_PASSWORD
from api.main import create_app
from api.migrate import upgrade
from api.security import configure_password_hashing
from api.services.demo import load_demo
from api.services.demo_activity import simulate
from tests.conftest import new_database_url
from tests.factories import FAST_PASSWORD_HASHING

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
NARROW = {"width": 375, "height": 812}
WIDE = {"width": 1400, "height": 1000}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def served(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    url = new_database_url(request.param, tmp_path_factory, request)
    upgrade(url)
    engine = make_engine(url)
    settings = Settings(environment="test", database_url=url,
                        secret_key="dashboard-browser-test-" + "x" * 32, **FAST_PASSWORD_HASHING)
    configure_password_hashing(settings)  # the demo's 68 accounts, as `koppel demo` does
    with Session(engine) as session:
        load_demo(session)
        session.commit()
    simulate(engine, settings)
    server = uvicorn.Server(uvicorn.Config(create_app(settings, engine), host="127.0.0.1",
                                           port=_free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{server.config.port}", request.param
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


def _audit(page, name: str) -> None:  # noqa: ANN001
    """No script on the page (every step is a link or a form), 0 serious or critical axe
    findings, no horizontal scroll, a screenshot."""
    from axe_playwright_python.sync_playwright import Axe

    assert page.locator("script").count() == 0, f"{name}: the page carries a script"

    results = Axe().run(page)
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
           for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{name}: {bad}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name}: {width} px wide, scrolls sideways"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _login(page, base: str) -> None:  # noqa: ANN001
    page.goto(base + "/dashboard/login")
    page.fill("#email", DEMO_LOGINS["staff"])
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/dashboard")


@pytest.mark.parametrize("viewport", [NARROW, WIDE], ids=["375", "1400"])
def test_staff_pages_read_in_dutch_and_english(browser, served: tuple[str, str],  # noqa: ANN001
                                               viewport: dict) -> None:
    base, backend = served
    tag = f"dashboard-{backend}-{viewport['width']}"
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(base + "/dashboard/login")
    assert page.get_attribute("html", "lang") == "nl"
    _audit(page, f"{tag}-login")
    _login(page, base)
    assert page.get_attribute("html", "lang") == "nl"
    assert page.locator("[data-kpi=open_needs]").count() == 1
    _audit(page, f"{tag}-nl")
    for part in ("#map-title", "#bars-title", "#chart-needs_posted", "#clusters-title"):
        page.locator(f"section:has({part})").screenshot(
            path=str(ARTIFACTS / f"{tag}-nl-{part[1:]}.png"))
    page.click("text=English")
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("text=Open needs").count() >= 1
    _audit(page, f"{tag}-en")
    page.click("text=Nederlands")
    assert page.get_attribute("html", "lang") == "nl"
    context.close()


def test_start_a_run_and_endorse_a_cluster_with_forms(browser,  # noqa: ANN001
                                                              served: tuple[str, str]) -> None:
    base, backend = served
    tag = f"dashboard-{backend}-375"
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    _login(page, base)
    page.select_option("select[name=family]", "kledij")
    page.click("#start-run button[type=submit]")
    page.wait_for_url(lambda url: "/dashboard?run=" in url)
    # the run executes after the redirect; reload until the page says it finished
    deadline = time.monotonic() + 60
    while page.locator("#clusters .message.ok").count() == 0:
        assert page.locator("#clusters .message.error").count() == 0, page.content()
        assert time.monotonic() < deadline, "the run did not finish"
        page.wait_for_timeout(250)
        page.reload()
    run_id = page.url.split("run=")[1].split("#")[0]
    rows = page.locator("tr[data-cluster]")
    assert rows.count() >= 1
    assert page.locator(f'a[data-run="{run_id}"]').count() == rows.count()
    _audit(page, f"{tag}-run")
    rows.first.locator("a").first.click()
    page.wait_for_url(lambda url: "/dashboard/clusters/" in url)
    assert page.locator("[data-action=endorsed]").count() == 1
    _audit(page, f"{tag}-cluster")
    page.click("[data-action=endorsed]")
    page.wait_for_url(lambda url: url.endswith("?changed=endorsed"))
    assert page.locator("[data-status=endorsed]").count() == 1
    assert page.locator("[data-action=forming]").count() == 1
    _audit(page, f"{tag}-cluster-endorsed")
    context.close()
