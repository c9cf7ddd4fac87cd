"""The dashboard's figures and labels against the demo data, on SQLite and PostgreSQL.

The demo is loaded (with its simulated history and cluster run, as ``koppel demo`` does) once
per backend into a fresh database; these tests only read it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.config import Settings
from api.db import make_engine
from api.demo_data import DEMO_LOGINS, DEMO_PASSWORD
from api.main import create_app
from api.migrate import upgrade
from api.security import configure_password_hashing
from api.services.demo import load_demo
from api.services.demo_activity import simulate
from models import taxonomy
from tests.conftest import new_database_url
from tests.factories import FAST_PASSWORD_HASHING


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo(request: pytest.FixtureRequest,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = new_database_url(request.param, tmp_path_factory, request)
    upgrade(url)
    engine = make_engine(url)
    settings = Settings(environment="test", database_url=url, rate_limit_enabled=False,
                        secret_key="dashboard-demo-test-" + "x" * 32, **FAST_PASSWORD_HASHING)
    configure_password_hashing(settings)  # the demo's 68 accounts, as `koppel demo` does
    with Session(engine) as session:
        load_demo(session)
        session.commit()
    simulate(engine, settings)
    with TestClient(create_app(settings, engine)) as client:
        r = client.post("/auth/token", data={"username": DEMO_LOGINS["staff"],
                                             "password": DEMO_PASSWORD})
        assert r.status_code == 200, r.text
        client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        yield client
    engine.dispose()


class _Svg(HTMLParser):
    """Circles, province labels, bar labels (with their <title>) and month labels."""

    def __init__(self) -> None:
        super().__init__()
        self.circles: list[tuple[float, float, float]] = []
        self.provinces: list[dict] = []
        self.bars: list[dict] = []
        self.months: list[dict] = []
        self._open: dict | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag == "circle" and "marker" in classes:
            self.circles.append((float(a["cx"]), float(a["cy"]), float(a["r"])))
        elif tag == "text" and "province-label" in classes:
            self._open = {"x": float(a["x"]), "y": float(a["y"]), "text": "", "title": ""}
            self.provinces.append(self._open)
        elif tag == "text" and "bar-label" in classes:
            self._open = {"code": a["data-code"], "text": "", "title": ""}
            self.bars.append(self._open)
        elif tag == "text" and "month" in classes:
            self._open = {"period": a["data-period"], "text": "", "title": ""}
            self.months.append(self._open)
        elif tag == "title" and self._open is not None:
            self._in_title = True

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open["title" if self._in_title else "text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "text":
            self._open = None


def _page(client: TestClient, query: str = "") -> _Svg:
    client.cookies.clear()  # no language kept from an earlier test
    r = client.get("/dashboard" + query)
    assert r.status_code == 200, r.text
    parsed = _Svg()
    parsed.feed(r.text)
    return parsed


def test_long_activity_labels_are_cut_at_a_word_with_an_ellipsis(demo: TestClient) -> None:
    bars = _page(demo).bars
    assert bars
    cut = 0
    for bar in bars:
        full = taxonomy.activity(bar["code"]).label["nl"]
        shown = bar["text"]
        assert bar["title"] == full, bar
        assert len(shown) <= 32, shown
        if not full.startswith(shown):
            cut += 1
            assert shown.endswith("…"), shown
            stem = shown[:-1]
            assert full.startswith(stem), shown
            # the cut falls between words: the next character of the label is a space
            assert full[len(stem)] in " ,:(", shown
    assert cut > 0, "the demo has labels longer than 32 characters"
    orderpick = next(b for b in bars if b["code"] == "warehouse.orderpick")
    assert orderpick["text"] == "Orderpicking en handling van…"


NL_MONTHS = r"(jan\.|feb\.|mrt\.|apr\.|mei|jun\.|jul\.|aug\.|sep\.|okt\.|nov\.|dec\.)"
EN_MONTHS = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"


@pytest.mark.parametrize(("lang", "months", "names"), [
    ("nl", NL_MONTHS, ("jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.", "sep.",
                       "okt.", "nov.", "dec.")),
    ("en", EN_MONTHS, ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                       "Nov", "Dec")),
])
def test_month_labels_name_the_month_and_the_year(demo: TestClient, lang: str, months: str,
                                                  names: tuple[str, ...]) -> None:
    labels = _page(demo, f"?lang={lang}").months
    assert len(labels) == 4 * 6  # four charts, every other of twelve months
    for label in labels:
        assert re.fullmatch(months + r" \d{4}", label["text"]), label
        year, month = label["period"].split("-")
        assert label["text"] == f"{names[int(month) - 1]} {year}"


def test_province_names_are_not_covered_by_circles(demo: TestClient) -> None:
    page = _page(demo)
    assert len(page.provinces) == 5
    assert len(page.circles) > 10
    for label in page.provinces:
        # a 12 px bold label: at most 7.2 px per character, 12 px above the baseline
        half = len(label["text"]) * 3.6
        left, right = label["x"] - half, label["x"] + half
        top, bottom = label["y"] - 12, label["y"] + 3
        for cx, cy, r in page.circles:
            nx, ny = min(max(cx, left), right), min(max(cy, top), bottom)
            assert math.hypot(cx - nx, cy - ny) >= r, (label["text"], (cx, cy, r))


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict] = []
        self.caption: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "tr" and "data-cluster" in a:
            self.rows.append({"id": a["data-cluster"]})
        elif tag == "td" and "data-providers" in a:
            self.rows[-1]["providers"] = int(a["data-providers"])
        elif tag == "a" and "data-run" in a and self.rows:
            self.rows[-1]["run"] = a["data-run"]
        elif tag == "caption":
            self.caption = {"shown": int(a["data-shown"]), "total": int(a["data-total"]),
                            "text": ""}

    def handle_data(self, data: str) -> None:
        if self.caption is not None and "end" not in self.caption:
            self.caption["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self.caption is not None:
            self.caption["end"] = True


def _rows(client: TestClient, query: str = "") -> _Rows:
    client.cookies.clear()  # no language kept from an earlier test
    r = client.get("/dashboard" + query)
    assert r.status_code == 200, r.text
    parsed = _Rows()
    parsed.feed(r.text)
    return parsed


def test_cluster_table_uses_the_api_provider_count(demo: TestClient) -> None:
    differs = 0
    page = 1
    while True:
        table = _rows(demo, f"?page={page}")
        for row in table.rows:
            cluster = demo.get(f"/clusters/{row['id']}").json()
            assert row["providers"] == cluster["provider_count"], cluster["name"]
            assert row["run"] == cluster["run_id"]
            organisations = {p["provider_id"] for p in cluster["providers"]}
            differs += len(organisations) != cluster["provider_count"]
        if table.caption is None or table.caption["shown"] + (page - 1) * 25 >= \
                table.caption["total"]:
            break
        page += 1
    assert differs > 0, "the demo has a provider with several sites in one cluster"


def test_cluster_table_says_how_many_it_shows_and_pages_through_all(demo: TestClient) -> None:
    api = demo.get("/clusters?limit=200").json()
    assert api["total"] > 25
    first = _rows(demo)
    assert first.caption is not None
    assert (first.caption["shown"], first.caption["total"]) == (25, api["total"])
    assert f"25 van {api['total']} getoond" in first.caption["text"]
    english = _rows(demo, "?lang=en")
    assert f"showing 25 of {api['total']}" in english.caption["text"]
    seen = [r["id"] for r in first.rows]
    page = 2
    while len(seen) < api["total"]:
        html = demo.get(f"/dashboard?page={page - 1}").text
        assert f'href="/dashboard?page={page}#clusters"' in html  # the link to the next page
        more = _rows(demo, f"?page={page}")
        assert more.rows
        seen += [r["id"] for r in more.rows]
        page += 1
    assert sorted(seen) == sorted(c["id"] for c in api["items"])
