"""Served match pages are reused only while the engine and the need's profile are unchanged."""

from __future__ import annotations

import pytest

from matching import MatchingEngine
from tests.factories import add_need, add_site, provider_with_offer, register, set_workforce


@pytest.fixture
def ranked(monkeypatch) -> list[str]:  # noqa: ANN001
    """The need ids the engine ranks, in order."""
    calls: list[str] = []
    original = MatchingEngine.rank

    def counting(self, need, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        calls.append(need.id)
        return original(self, need, *args, **kwargs)

    monkeypatch.setattr(MatchingEngine, "rank", counting)
    return calls


def test_the_same_page_is_ranked_once(client, ranked) -> None:  # noqa: ANN001
    provider_with_offer(client, "8800", low=4, medium=4, high=2, supervisors=2)
    company = register(client, "company")
    need = add_need(company, add_site(company, "8800"))
    url = f"/needs/{need['id']}/matches"
    first, again = company.get(url).json(), company.get(url).json()
    assert first == again
    assert ranked == [need["id"]]
    company.get(url, params={"limit": 3})  # another page size is another page
    company.get(url, headers={"Accept-Language": "en"})  # and another language
    assert len(ranked) == 3


def test_an_edited_need_is_ranked_again(client, ranked) -> None:  # noqa: ANN001
    provider_with_offer(client, "8800", low=4, medium=4, high=2, supervisors=2)
    company = register(client, "company")
    need = add_need(company, add_site(company, "8800"), fte=2.0)
    url = f"/needs/{need['id']}/matches"
    before = company.get(url).json()
    r = company.patch(f"/needs/{need['id']}", json={"fte": 40.0})
    assert r.status_code == 200, r.text
    after = company.get(url).json()
    assert len(ranked) == 2
    assert after["items"][0]["components"]["capacity"] < \
        before["items"][0]["components"]["capacity"]


def test_a_workforce_change_is_seen_at_once(client, ranked) -> None:  # noqa: ANN001
    provider, site, _cap = provider_with_offer(client, "8800", low=4, medium=4, high=2,
                                               supervisors=2)
    company = register(client, "company")
    need = add_need(company, add_site(company, "8800"), fte=8.0)
    url = f"/needs/{need['id']}/matches"
    before = company.get(url).json()["items"][0]["components"]["capacity"]
    set_workforce(provider, site, low=1, medium=0, high=0, supervisors=1)
    after = company.get(url).json()["items"][0]["components"]["capacity"]
    assert len(ranked) == 2
    assert after < before


def test_pages_are_kept_as_their_json_body(client, ranked) -> None:  # noqa: ANN001
    """One bytes object per page: nothing for the garbage collector to walk."""
    from api.services.matching import MATCH_PAGES

    provider_with_offer(client, "8800", low=4, medium=4, high=2, supervisors=2)
    company = register(client, "company")
    need = add_need(company, add_site(company, "8800"))
    r = company.get(f"/needs/{need['id']}/matches", headers={"Accept-Language": "en"})
    assert r.headers["content-type"] == "application/json"
    kept = [page for pages in MATCH_PAGES._pages.values() for page in pages.values()]
    assert r.content in kept
    assert all(type(page) is bytes for page in kept)
