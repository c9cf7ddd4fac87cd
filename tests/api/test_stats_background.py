"""Unmet demand past its age: served at once, ranked afresh off the request path.

On a database of its own (committed rows, so the refresh thread's own session sees them), on
SQLite and PostgreSQL: an expired entry is answered without ranking every open need in the
request, a write that came meanwhile is applied incrementally, and the thread's fresh
scores equal a from-scratch scoring.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator

import numpy as np
import pytest
from sqlmodel import Session

from api.config import Settings
from api.db import make_engine
from api.migrate import upgrade
from api.security import configure_password_hashing
from api.services import auth, catalogue, organisations, unmet_demand
from api.services.matching import ENGINES, MAX_CACHE_SECONDS
from matching import MatchingEngine
from models.capability import CapabilityCreate
from models.need import NeedCreate
from models.organisation import RegistrationCreate, User
from models.site import SiteCreate, WorkforceUpdate
from tests.conftest import new_database_url
from tests.factories import FAST_PASSWORD_HASHING, SMALL_POOLS


def _register(session: Session, kind: str, n: int) -> User:
    _, user = auth.register(session, RegistrationCreate.model_validate({
        "organisation": {"kind": kind, "name": f"{kind.title()} {n}",
                         "enterprise_number": ("0456789034", "0417497106")[n % 2]},
        "user": {"email": f"{kind}{n}@example.be", "password": "background-passphrase-2026",
                 "full_name": f"{kind} {n}"}}))
    return user


def _need(session: Session, company: User, site_id: str, fte: float) -> None:
    need = catalogue.create_need(session, company, NeedCreate.model_validate({
        "site_id": site_id, "title": f"Retours {fte}", "activity": "returns.apparel",
        "competences": ["laundry", "sorting"], "placement_mode": "workshop", "fte": fte,
        "accommodates_support": "medium"}))
    catalogue.change_need_status(session, company, need.id, "open")


@pytest.fixture(params=["sqlite", "postgres"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[object, Settings, object, str]]:
    url = new_database_url(request.param, tmp_path_factory, request)
    upgrade(url)
    engine = make_engine(url, **SMALL_POOLS)
    settings = Settings(environment="test", database_url=url,
                        secret_key="unmet-background-test-" + "x" * 32, **FAST_PASSWORD_HASHING)
    configure_password_hashing(settings)
    with Session(engine) as session:
        provider = _register(session, "provider", 1)
        site = organisations.create_site(session, provider, provider.organisation_id,
                                         SiteCreate(name="Atelier", postcode="8500"))
        catalogue.create_capability(session, provider, CapabilityCreate.model_validate({
            "site_id": str(site.id), "activity": "returns.apparel",
            "competences": ["laundry", "sorting"], "placement_modes": ["workshop"]}))
        organisations.set_workforce(session, provider, provider.organisation_id, site.id,
                                    WorkforceUpdate(free_fte_low=2, free_fte_medium=3,
                                                    free_fte_high=0, supervisors_available=1))
        company = _register(session, "company", 2)
        company_site = organisations.create_site(session, company, company.organisation_id,
                                                 SiteCreate(name="Magazijn", postcode="8800"))
        for fte in (1.0, 2.0, 8.0):
            _need(session, company, str(company_site.id), fte)
        company_id, site_id = company.id, str(company_site.id)
        session.commit()
    yield engine, settings, company_id, site_id
    ENGINES.clear()
    engine.dispose()


def _same(got: unmet_demand.OpenNeedScores, want: unmet_demand.OpenNeedScores) -> None:
    for field in dataclasses.fields(unmet_demand.OpenNeedScores):
        np.testing.assert_array_equal(getattr(got, field.name), getattr(want, field.name),
                                      err_msg=field.name)


def _aged(cache: unmet_demand.UnmetCache, engine: object, settings: Settings
          ) -> tuple[tuple, unmet_demand.OpenNeedScores]:
    """Fill ``cache`` and age its entry past ``MAX_CACHE_SECONDS``: (its key, its scores)."""
    with Session(engine) as session:
        scores = cache.get(session, settings)
    (key, entry), = cache._entries.items()
    cache._entries[key] = dataclasses.replace(entry, born=entry.born - MAX_CACHE_SECONDS - 1)
    return key, scores


def test_an_expired_entry_is_served_and_ranked_afresh_off_the_request_path(
        world: tuple, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    engine, settings, company, company_site = world
    ranked: list[tuple[str, int]] = []  # (thread name, profiles) of each rank_many call
    rank_many = MatchingEngine.rank_many

    def counting(self: MatchingEngine, needs, k: int = 10):  # noqa: ANN001, ANN202
        needs = list(needs)
        ranked.append((threading.current_thread().name, len(needs)))
        return rank_many(self, needs, k)

    monkeypatch.setattr(MatchingEngine, "rank_many", counting)
    cache = unmet_demand.UnmetCache()
    _key, first = _aged(cache, engine, settings)
    assert [n for _, n in ranked] == [3]

    # past its age, a need is posted: the request ranks that one need, not all four
    with Session(engine) as session:
        _need(session, session.get_one(User, company), company_site, 0.5)
        session.commit()
    ranked.clear()
    with Session(engine) as session:
        served = cache.get(session, settings)
        in_request = [n for name, n in ranked if name != "unmet-refresh"]
        assert in_request == [1]
        _same(served, unmet_demand.score_open_needs(session, settings))
    assert served.fte.size == first.fte.size + 1

    cache.wait(timeout=60)
    assert ("unmet-refresh", 4) in ranked  # every open need, in the thread
    (fresh,) = cache._entries.values()
    assert not fresh.expired()
    ranked.clear()
    with Session(engine) as session:  # the fresh entry serves without ranking anything
        _same(cache.get(session, settings), unmet_demand.score_open_needs(session, settings))
    assert [n for name, n in ranked if name != "MainThread"] == []
    assert [n for _, n in ranked] == [4]  # the scratch scoring's own


def test_an_expired_entry_with_no_write_since_is_served_as_it_is(
        world: tuple, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    engine, settings, _company, _site = world
    cache = unmet_demand.UnmetCache()
    _key, first = _aged(cache, engine, settings)
    with Session(engine) as session:
        assert cache.get(session, settings) is first  # at once: nothing ranked here
    cache.wait(timeout=60)
    (fresh,) = cache._entries.values()
    assert not fresh.expired()
    _same(fresh.scores, first)


def test_the_fresh_scores_come_from_the_engine_refitted_meanwhile(world: tuple) -> None:
    # the morning: engine and scores both past their hour. The first overview starts the
    # engine's refit; the scores are ranked afresh with the refitted engine, so the writes
    # that follow are applied to them incrementally (their engine's lineage)
    engine, settings, _company, _site = world
    cache = unmet_demand.UnmetCache()
    key, _ = _aged(cache, engine, settings)
    fitted = ENGINES._entries[key]
    ENGINES._entries[key] = dataclasses.replace(fitted, born=fitted.born - MAX_CACHE_SECONDS - 1)
    with Session(engine) as session:
        cache.get(session, settings)
    cache.wait(timeout=120)
    (fresh,) = cache._entries.values()
    refitted = ENGINES._entries[key].engine
    assert refitted is not fitted.engine  # refitted in the background
    assert fresh.engine is refitted


def test_a_write_committed_during_the_background_ranking_is_applied_before_it_is_kept(
        world: tuple, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    engine, settings, company, company_site = world
    cache = unmet_demand.UnmetCache()
    key, _ = _aged(cache, engine, settings)
    refresh = unmet_demand._refresh

    def with_a_write_meanwhile(session, settings, stamp, previous, **kw):  # noqa: ANN001, ANN202
        out = refresh(session, settings, stamp, previous, **kw)
        if previous is None and threading.current_thread().name == "unmet-refresh":
            with Session(engine) as other:  # a company posts a need while all are ranked
                _need(other, other.get_one(User, company), company_site, 3.5)
                other.commit()
        return out

    monkeypatch.setattr(unmet_demand, "_refresh", with_a_write_meanwhile)
    with Session(engine) as session:
        cache.get(session, settings)
    cache.wait(timeout=60)
    (fresh,) = cache._entries.values()
    with Session(engine) as session:
        assert fresh.stamp == (unmet_demand.catalogue_stamp(session)
                               + unmet_demand._needs_stamp(session))
        _same(fresh.scores, unmet_demand.score_open_needs(session, settings))
    assert fresh.scores.fte.size == 4
