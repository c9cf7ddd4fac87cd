"""Unmet demand after need writes: only new or changed profiles are ranked, same result.

The cache of best scores (api.services.unmet_demand.UNMET) is compared with a from-scratch scoring
(``score_open_needs``) array by array after every write, on SQLite and PostgreSQL, and the
engine's ``rank_many`` is wrapped to count the profiles it is asked to rank.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields, replace

import numpy as np
import pytest
from sqlalchemy import select

from api.services import unmet_demand
from api.services.matching import ENGINES, engine_config, need_profile
from api.services.weights import current_weights
from matching import MatchingEngine
from models.capability import Capability
from models.need import Need
from models.site import Site
from tests.factories import (
    Actor,
    add_capability,
    add_need,
    add_site,
    company_with_sites,
    provider_with_offer,
    register,
    set_workforce,
    staff,
)


@dataclass
class Market:
    staff: Actor
    company: Actor
    provider: Actor
    provider_site: dict
    roeselare: dict
    gent: dict
    needs: list[dict]  # the open needs, each with its own profile


@pytest.fixture(autouse=True)
def _empty_caches() -> None:
    # entries of earlier tests on the same database must not decide what gets ranked here
    unmet_demand.UNMET.clear()
    ENGINES.clear()


@pytest.fixture
def ranked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many profiles each ``rank_many`` call ranked, in call order."""
    calls: list[int] = []
    rank_many = MatchingEngine.rank_many

    def counting(self: MatchingEngine, needs, k: int = 10):  # noqa: ANN001, ANN202
        needs = list(needs)
        calls.append(len(needs))
        return rank_many(self, needs, k)

    monkeypatch.setattr(MatchingEngine, "rank_many", counting)
    return calls


@pytest.fixture
def market(client, db) -> Market:  # noqa: ANN001
    provider, provider_site, _ = provider_with_offer(  # Kortrijk
        client, "8500", low=3, medium=3, high=2, supervisors=2)
    company, (roeselare, gent) = company_with_sites(client, "8800", "9000")
    needs = [
        add_need(company, roeselare, fte=2.0),  # served from Kortrijk
        add_need(company, roeselare, activity="green.maintenance", placement_mode="on_site",
                 competences=["gardening"], fte=3.0),  # no capability of that activity
        add_need(company, gent, fte=1.5, max_distance_km=10),  # every candidate too far
        add_need(company, gent, fte=1.0, description="Retours sorteren"),  # served
    ]
    return Market(staff(client, db), company, provider, provider_site, roeselare, gent, needs)


def _assert_same(got: unmet_demand.OpenNeedScores, want: unmet_demand.OpenNeedScores) -> None:
    for field in fields(unmet_demand.OpenNeedScores):
        a, b = getattr(got, field.name), getattr(want, field.name)
        assert a.dtype == b.dtype, field.name
        np.testing.assert_array_equal(a, b, err_msg=field.name)  # NaN equals NaN here


def _cached_equals_scratch(db, settings, ranked: list[int]) -> list[int]:  # noqa: ANN001
    """The cached scores after the latest write, checked against a from-scratch scoring.

    Returns the profile counts the cache ranked for it (the scratch scoring's are left out).
    """
    ranked.clear()
    cached = unmet_demand.UNMET.get(db, settings)
    calls = list(ranked)
    _assert_same(cached, unmet_demand.score_open_needs(db, settings))
    return calls


def _warm(db, settings, ranked: list[int], market: Market) -> None:  # noqa: ANN001
    assert _cached_equals_scratch(db, settings, ranked) == [len(market.needs)]


def test_a_new_need_is_the_only_one_ranked(market: Market, db, settings,  # noqa: ANN001
                                           ranked: list[int]) -> None:
    _warm(db, settings, ranked, market)
    add_need(market.company, market.roeselare, fte=4.0, description="Retours herstellen")
    assert _cached_equals_scratch(db, settings, ranked) == [1]
    assert unmet_demand.UNMET.get(db, settings).fte.size == len(market.needs) + 1


def test_a_changed_need_is_the_only_one_ranked(market: Market, db, settings,  # noqa: ANN001
                                               ranked: list[int]) -> None:
    _warm(db, settings, ranked, market)
    served = market.needs[0]
    r = market.company.patch(f"/needs/{served['id']}", json={"max_distance_km": 5})
    assert r.status_code == 200, r.text
    assert _cached_equals_scratch(db, settings, ranked) == [1]
    # the change took effect: now too far from every capability
    scores = unmet_demand.UNMET.get(db, settings)
    assert np.isnan(scores.best).sum() == 3


def test_closing_a_need_ranks_nothing(market: Market, db, settings,  # noqa: ANN001
                                      ranked: list[int]) -> None:
    _warm(db, settings, ranked, market)
    r = market.company.post(f"/needs/{market.needs[1]['id']}/status", json={"status": "closed"})
    assert r.status_code == 200, r.text
    assert _cached_equals_scratch(db, settings, ranked) == []
    assert unmet_demand.UNMET.get(db, settings).fte.size == len(market.needs) - 1


def test_a_need_with_a_known_profile_is_not_ranked_again(market: Market, db, settings,  # noqa: ANN001
                                                         ranked: list[int]) -> None:
    _warm(db, settings, ranked, market)
    add_need(market.company, market.roeselare, fte=2.0)  # the same profile as needs[0]
    assert _cached_equals_scratch(db, settings, ranked) == []


def test_a_changed_need_changed_back_is_ranked_again(market: Market, db, settings,  # noqa: ANN001
                                                     ranked: list[int]) -> None:
    # a profile no open need has any more is dropped, so the map stays as large as the open needs
    _warm(db, settings, ranked, market)
    need = market.needs[3]
    for description in ("Retours sorteren en labelen", need["description"]):
        r = market.company.patch(f"/needs/{need['id']}", json={"description": description})
        assert r.status_code == 200, r.text
        assert _cached_equals_scratch(db, settings, ranked) == [1]


@pytest.mark.parametrize(("write", "ranked_after"), [
    # the two returns needs the Kortrijk capability serves best: the green one has no capability
    # of its group, the Gent one within 10 km none in reach (one column scored, not ranked)
    ("workforce", 2),
    ("capability", 4),  # a new text: the engine is refitted, every need is ranked again
    ("company_site", 2),  # the two needs of that site have a new profile
])
def test_a_catalogue_write_ranks_only_the_needs_it_can_affect(  # noqa: ANN001
        market: Market, db, settings, ranked: list[int], write: str,
        ranked_after: int) -> None:
    _warm(db, settings, ranked, market)
    if write == "workforce":
        set_workforce(market.provider, market.provider_site, low=0.5, medium=0, high=0,
                      supervisors=0)
    elif write == "capability":
        add_capability(market.provider, add_site(market.provider, "9000"),
                       activity="green.maintenance", placement_modes=["on_site"],
                       competences=["gardening"], description="Groenonderhoud")
    else:
        r = market.company.patch(
            f"/organisations/{market.company.org_id}/sites/{market.roeselare['id']}",
            json={"public_transport_access": "poor"})
        assert r.status_code == 200, r.text
    assert _cached_equals_scratch(db, settings, ranked) == [ranked_after]


def test_new_weights_rank_every_open_need(market: Market, db, settings,  # noqa: ANN001
                                          ranked: list[int],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _warm(db, settings, ranked, market)
    other = replace(current_weights(db), competence=0.30, locality=0.20, version="test")
    monkeypatch.setattr(unmet_demand, "current_weights", lambda _session: other)
    assert _cached_equals_scratch(db, settings, ranked) == [len(market.needs)]


def test_after_max_cache_seconds_everything_is_ranked_again(
        market: Market, db, settings, ranked: list[int],  # noqa: ANN001
        monkeypatch: pytest.MonkeyPatch) -> None:
    _warm(db, settings, ranked, market)
    monkeypatch.setattr(unmet_demand, "MAX_CACHE_SECONDS", 0)  # the engine itself stays cached
    add_need(market.company, market.roeselare, fte=4.0, description="Retours herstellen")
    assert _cached_equals_scratch(db, settings, ranked) == [len(market.needs) + 1]


def test_the_profile_key_covers_every_column_need_profile_reads(market: Market, db) -> None:  # noqa: ANN001
    source = unmet_demand.ProfileSource(unmet_demand.open_need_rows(db)[0])

    class Recorder:
        def __init__(self) -> None:
            self.read: set[str] = set()

        def __getattr__(self, name: str) -> object:
            self.read.add(name)
            return getattr(source, name)

    recorder = Recorder()
    need_profile(recorder, recorder)
    assert recorder.read == {c.key for c in unmet_demand.SCORED_COLUMNS} | {"id"}


def test_loaded_rows_give_the_profiles_of_the_needs_and_sites(market: Market, db) -> None:  # noqa: ANN001
    rows = unmet_demand.open_need_rows(db)
    got = [need_profile(s, s) for s in map(unmet_demand.ProfileSource, rows)]
    needs = db.scalars(select(Need).where(Need.status == "open").order_by(Need.id)).all()
    assert got == [need_profile(need, db.get(Site, need.site_id)) for need in needs]
    assert len(got) == len(market.needs)


def test_staff_figures_follow_need_writes(market: Market, ranked: list[int]) -> None:
    def unmet() -> tuple[int, float]:
        body = market.staff.get("/stats/overview").json()["unmet"]
        return body["needs"], body["fte"]

    assert unmet() == (2, 4.5)  # green.maintenance (no capability), Gent within 10 km
    add_need(market.company, market.gent, activity="green.maintenance",
             placement_mode="on_site", competences=["gardening"], fte=0.5)
    assert unmet() == (3, 5.0)
    r = market.company.patch(f"/needs/{market.needs[0]['id']}", json={"max_distance_km": 5})
    assert r.status_code == 200, r.text
    assert unmet() == (4, 7.0)
    r = market.company.post(f"/needs/{market.needs[1]['id']}/status", json={"status": "closed"})
    assert r.status_code == 200, r.text
    ranked.clear()
    body = market.staff.get("/stats/overview").json()
    assert ranked == []  # only a need closed: nothing to rank
    assert (body["unmet"]["needs"], body["unmet"]["fte"], body["open_needs"]) == (3, 4.0, 4)

    unmet_demand.UNMET.clear()  # from scratch: the same figures
    assert market.staff.get("/stats/overview").json() == body



def test_workforce_writes_follow_exactly_and_rank_only_needs_whose_best_changed(
        market: Market, db, settings, ranked: list[int]) -> None:  # noqa: ANN001
    # a second provider in Gent serves the Gent need best; figures change back and forth, to
    # nothing (excluded) and back, on both sides. After each write the cache equals a scratch
    # scoring, and only needs whose best capability was the written one are ranked again
    other = register(market.company.client, "provider")
    gent_site = add_site(other, "9000")
    set_workforce(other, gent_site, low=2, medium=1, high=0, supervisors=1)
    capability_at = {gent_site["id"]: add_capability(other, gent_site)["id"]}
    capability_at[market.provider_site["id"]] = db.scalars(
        select(Capability.id).where(Capability.site_id == uuid.UUID(market.provider_site["id"]))
    ).one()
    _warm(db, settings, ranked, market)
    writes = [(market.provider, market.provider_site, (0.5, 0, 0, 0)),
              (other, gent_site, (6, 2, 1, 2)),
              (market.provider, market.provider_site, (0, 0, 0, 0)),
              (other, gent_site, (0, 0, 0, 0)),
              (market.provider, market.provider_site, (3, 3, 2, 2)),
              (other, gent_site, (2, 1, 0, 1))]
    counts = []
    for actor, site, (low, medium, high, supervisors) in writes:
        (entry,) = unmet_demand.UNMET._entries.values()  # what the cache holds now
        served = sum(entry.best_by_profile[key][1] == str(capability_at[site["id"]])
                     for key in entry.keys)
        set_workforce(actor, site, low=low, medium=medium, high=high, supervisors=supervisors)
        calls = _cached_equals_scratch(db, settings, ranked)
        assert sum(calls) == served, (calls, served)
        counts.append(served)
    # both paths were taken: a column only, and ranking the needs the site served best
    assert 0 in counts, counts
    assert max(counts) > 0, counts


def test_a_workforce_write_reuses_the_needs_arrays_the_rankings_built(
        market: Market, db, settings, ranked: list[int],  # noqa: ANN001
        monkeypatch: pytest.MonkeyPatch) -> None:
    # the full scoring builds every open need's scoring arrays and a need write those of its
    # new profile; the first workforce write of the group then prepares no need afresh (it
    # used to decode and vectorise the whole group on the request path) and still equals a
    # scratch scoring
    prepared: list[int] = []
    prepare = MatchingEngine.prepare

    def counting(self: MatchingEngine, needs):  # noqa: ANN001, ANN202
        needs = tuple(needs)
        prepared.append(len(needs))
        return prepare(self, needs)

    monkeypatch.setattr(MatchingEngine, "prepare", counting)
    _warm(db, settings, ranked, market)
    add_need(market.company, market.gent, fte=2.5, description="Retours plooien")
    assert _cached_equals_scratch(db, settings, ranked) == [1]
    for low in (0.5, 4.0):
        set_workforce(market.provider, market.provider_site, low=low, medium=1, high=0,
                      supervisors=1)
        _cached_equals_scratch(db, settings, ranked)
    assert prepared == []
    (entry,) = unmet_demand.UNMET._entries.values()
    assert entry.prepared  # the group's needs were taken from the kept arrays
    assert set(entry.sides.row) >= set(entry.keys)


def test_the_kept_arrays_drop_gone_profiles_once_they_are_half(
        market: Market, db, settings) -> None:  # noqa: ANN001
    need = db.get(Need, uuid.UUID(market.needs[0]["id"]))
    profile = need_profile(need, db.get(Site, need.site_id))
    engine = ENGINES.get(db, current_weights(db), engine_config(settings))
    one = engine.prepare([profile]).without_profiles()
    gone = [i.to_bytes(2, "big") for i in range(1100)]
    sides = unmet_demand._Sides({b"kept": 0}, one)
    # rows of gone profiles stay while they are at most 2 × present + 1024 rows
    few = sides.extended(gone[:10], engine.prepare([profile] * 10).without_profiles(),
                         [b"kept"])
    assert len(few.prepared) == 11
    assert few.row[gone[9]] == 10
    # beyond that only the present profiles' rows are kept, their arrays unchanged
    many = sides.extended(gone, engine.prepare([profile] * 1100).without_profiles(), [b"kept"])
    assert many.row == {b"kept": 0}
    assert len(many.prepared) == 1
    for name, values in one.side.a.items():
        np.testing.assert_array_equal(many.prepared.side.a[name], values, err_msg=name)
    assert (many.prepared.side.text != one.side.text).nnz == 0
    assert many.of([b"kept", b"kept"]) is not None
    assert many.of([gone[0]]) is None


def test_creation_times_become_utc_microseconds_exactly() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    brussels = timezone(timedelta(hours=1))
    values = [datetime(2026, 3, 29, 1, 59, 59, 999_999, tzinfo=brussels),  # aware, not UTC
              datetime(2026, 12, 3, 14, 0, 0, 1),  # naive: UTC (SQLite)
              datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)]  # before the epoch
    got = unmet_demand._utc64(values)
    assert got.dtype == np.dtype("datetime64[us]")
    assert got.tolist() == [datetime(2026, 3, 29, 0, 59, 59, 999_999),
                            datetime(2026, 12, 3, 14, 0, 0, 1),
                            datetime(1969, 12, 31, 23, 59, 59, 999_999)]
