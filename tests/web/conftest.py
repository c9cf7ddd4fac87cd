"""The portal in a real browser: Debian's Chromium driven by Playwright against the app served
by uvicorn on a fresh migrated database (SQLite file, and PostgreSQL), one browser per session.

Under CI=true a missing /usr/bin/chromium (or Playwright) fails the tests instead of skipping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from sqlmodel import Session

from api.config import Settings
from api.db import make_engine
from api.main import create_app
from api.migrate import upgrade
from api.security import configure_password_hashing
from api.services import auth, catalogue, organisations
from models.capability import CapabilityCreate
from models.organisation import RegistrationCreate
from models.site import SiteCreate, WorkforceUpdate
from tests.conftest import new_database_url
from tests.factories import FAST_PASSWORD_HASHING, SMALL_POOLS, free_port

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PROVIDER_EMAIL = "els.provider@example.be"
PASSWORD = "portal-test-passphrase-2026"
NARROW = {"width": 375, "height": 812}


@dataclass
class Portal:
    url: str
    engine: object
    provider_site_id: str


def _seed_provider(session: Session) -> str:
    """One maatwerkbedrijf in Roeselare that offers returns of clothing in its workshop."""
    _, user = auth.register(session, RegistrationCreate.model_validate({
        "organisation": {"kind": "provider", "name": "Maatwerk Leiestreek",
                         "enterprise_number": "0456789034"},
        "user": {"email": PROVIDER_EMAIL, "password": PASSWORD, "full_name": "Els Vermeulen",
                 "phone": "+32 51 12 34 56"}}))
    site = organisations.create_site(session, user, user.organisation_id,
                                     SiteCreate(name="Atelier Roeselare", postcode="8800"))
    catalogue.create_capability(session, user, CapabilityCreate.model_validate({
        "site_id": str(site.id), "activity": "returns.apparel",
        "competences": ["laundry", "textile.repair", "sorting", "packing"],
        "placement_modes": ["workshop"]}))
    organisations.set_workforce(session, user, user.organisation_id, site.id, WorkforceUpdate(
        free_fte_low=2, free_fte_medium=6, free_fte_high=1, supervisors_available=2))
    return str(site.id)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def portal(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    url = new_database_url(request.param, tmp_path_factory, request)
    upgrade(url)
    engine = make_engine(url, **SMALL_POOLS)
    settings = Settings(environment="test", database_url=url,
                        secret_key="portal-browser-test-" + "x" * 32, **FAST_PASSWORD_HASHING)
    configure_password_hashing(settings)  # the seeded account too
    with Session(engine) as session:
        site_id = _seed_provider(session)
        session.commit()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, engine), host="127.0.0.1",
                                           port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield Portal(f"http://127.0.0.1:{server.config.port}", engine, site_id)
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


def audit(page, name: str, backend: str) -> None:  # noqa: ANN001
    """0 serious or critical axe findings, no horizontal scroll at 375 px, a screenshot."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
           for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{name}: {bad}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name}: {width} px wide, scrolls sideways"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"portal-{backend}-{name}.png"), full_page=True)


def error_of(page, field: str) -> str:  # noqa: ANN001
    """The message shown next to ``field``, found through the field's aria-describedby."""
    described = page.get_attribute(f"#{field}", "aria-describedby") or ""
    assert f"{field}-error" in described.split(), f"{field} is not described by its error"
    return page.inner_text(f"#{field}-error")
