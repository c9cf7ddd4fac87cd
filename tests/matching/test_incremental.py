"""Incremental engine updates equal a fresh fit on the same capabilities, bit for bit."""

from __future__ import annotations

import random
import threading
from dataclasses import replace

import numpy as np
import pytest

from bench.matching import make_world
from matching import CapabilityProfile, MatchingEngine, MatchResult, NeedProfile
from matching.engine import same_but_figures


@pytest.fixture(scope="module")
def world() -> tuple[list[NeedProfile], list[CapabilityProfile]]:
    needs, caps, _ = make_world(120, 400, random_state=7)
    return needs, caps


def _results(engine: MatchingEngine, needs: list[NeedProfile]) -> list[MatchResult]:
    return [engine.rank(n, k=8, include_excluded=True) for n in needs]


def _assert_same(a: MatchingEngine, b: MatchingEngine, needs: list[NeedProfile]) -> None:
    assert _results(a, needs) == _results(b, needs)
    assert list(a.rank_many(needs, k=8)) == list(b.rank_many(needs, k=8))
    assert a.capabilities_ == b.capabilities_
    assert (a.rank_many(needs, k=8).scores.tobytes() == b.rank_many(needs, k=8).scores.tobytes())


def _figures(rng: random.Random, cap: CapabilityProfile) -> CapabilityProfile:
    return replace(cap, free_fte=(rng.choice([0.0, 0.5, 2.0, 7.25]), rng.random() * 4,
                                  rng.choice([0.0, 1.0, 3.5])),
                   supervisors_free=rng.choice([0.0, 0.5, 1.0, 2.0]),
                   workforce_age_days=rng.choice([None, 0.0, 12.5, 90.0, 400.0]))


def _attributes(rng: random.Random, cap: CapabilityProfile, all_caps: list) -> CapabilityProfile:
    other = rng.choice(all_caps)
    change = rng.randrange(5)
    if change == 0:  # the site moves
        return replace(cap, lat=other.lat + 0.001, lon=other.lon, municipality=other.municipality)
    if change == 1:  # another activity of the market (possibly another group)
        return replace(cap, activity=other.activity, competences=other.competences)
    if change == 2:
        return replace(cap, placement_modes=other.placement_modes, shifts=other.shifts,
                       certifications=other.certifications)
    if change == 3:
        return replace(cap, service_radius_km=rng.choice([None, 5.0, 30.0]))
    return replace(cap, provider_name=cap.provider_name + " vzw")


def test_random_figure_and_attribute_updates_equal_a_fresh_fit(world) -> None:  # noqa: ANN001
    needs, caps = world
    rng = random.Random(3)
    engine = MatchingEngine().fit(caps)
    current = {c.id: c for c in caps}
    figure_only = 0
    for step in range(40):
        batch = []
        for cap_id in rng.sample(sorted(current), rng.randint(1, 4)):
            cap = current[cap_id]
            new = _figures(rng, cap) if step % 3 else _attributes(rng, cap, caps)
            batch.append(new)
            current[cap_id] = new
        figure_only += all(same_but_figures(engine.capabilities_[engine.position_[c.id]], c)
                           for c in batch)
        engine = engine.updated(batch)
        assert engine.text_exact_
    assert figure_only >= 20  # both paths were taken
    _assert_same(engine, MatchingEngine().fit(current.values()), needs)


def test_figure_update_rewrites_only_figure_columns(world) -> None:  # noqa: ANN001
    needs, caps = world
    engine = MatchingEngine().fit(caps)
    cap = caps[5]
    after = engine.updated([replace(cap, free_fte=(0.0, 0.0, 0.0))])
    group = after.group_codes_[after.position_[cap.id]]
    assert after.changed_groups_ == {group}
    assert after.blocks_[group].tree is engine.blocks_[group].tree
    assert all(after.blocks_[g] is b for g, b in engine.blocks_.items() if g != group)
    assert engine.capabilities_[engine.position_[cap.id]] == cap  # the old engine is untouched
    assert after.changed_groups_since(engine.lineage_) == {group}
    assert engine.changed_groups_since(after.lineage_) is None
    assert after.changed_groups_since(MatchingEngine().fit(caps).lineage_) is None


def test_adds_and_removals_rank_like_a_fresh_fit_for_needs_without_text(world) -> None:  # noqa: ANN001
    needs, caps = world
    rng = random.Random(11)
    base, extra = caps[:300], caps[300:]
    engine = MatchingEngine().fit(base)
    current = {c.id: c for c in base}
    pending = list(extra)
    for _ in range(30):
        removed = rng.sample(sorted(current), rng.randint(0, 3))
        added = [pending.pop() for _ in range(min(len(pending), rng.randint(0, 4)))]
        reworded = [replace(current[x], text=current[x].text + " herstellen")
                    for x in rng.sample(sorted(set(current) - set(removed)), 1)]
        for x in removed:
            del current[x]
        for c in (*added, *reworded):
            current[c.id] = c
        engine = engine.updated([*added, *reworded], removed)
    assert not engine.text_exact_  # the idf still comes from the first texts
    plain = [replace(n, text="") for n in needs]
    fresh = MatchingEngine().fit(current.values())
    _assert_same(engine, fresh, plain)
    # needs with text: the same candidates pass the hard constraints
    for a, b in zip(_results(engine, needs), _results(fresh, needs), strict=True):
        assert {c.capability_id for c in a.excluded} == {c.capability_id for c in b.excluded}


def test_new_codes_renumber_and_still_equal_a_fresh_fit(world) -> None:  # noqa: ANN001
    needs, caps = world
    engine = MatchingEngine().fit(caps[:200])
    moved = [replace(c, activity="care.social", competences=("autonomy", "gardening"))
             for c in caps[200:260]]
    after = engine.updated([*moved, replace(caps[0], competences=("cooking",))])
    fresh = MatchingEngine().fit([replace(caps[0], competences=("cooking",)), *caps[1:200],
                                  *moved])
    _assert_same(after, fresh, [replace(n, text="") for n in needs])


def test_unchanged_upsert_and_unknown_removal_change_nothing(world) -> None:  # noqa: ANN001
    _needs, caps = world
    engine = MatchingEngine().fit(caps)
    after = engine.updated([caps[3]], ["no-such-id"])
    assert after.changed_groups_ == frozenset()
    assert after.blocks_ == engine.blocks_


def test_readers_see_whole_engines_while_updates_run(world) -> None:  # noqa: ANN001
    needs, caps = world
    rng = random.Random(5)
    engine = MatchingEngine().fit(caps)
    batches = [[_figures(rng, c) for c in rng.sample(caps, 20)] for _ in range(25)]
    versions = [engine]
    for batch in batches:
        versions.append(versions[-1].updated(batch))
    probe = needs[:6]
    expected = [_results(v, probe) for v in versions]
    assert len({repr(e) for e in expected}) > 5  # the updates do move the rankings
    holder = {"engine": engine}
    seen: set[int] = set()
    errors: list[BaseException] = []

    def write() -> None:
        current = engine
        for batch in batches:
            current = current.updated(batch)
            holder["engine"] = current

    def read() -> None:
        try:
            for _ in range(40):
                got = _results(holder["engine"], probe)
                assert got in expected  # some whole version, never a torn mix
                seen.add(expected.index(got))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write), *(threading.Thread(target=read) for _ in range(3))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert _results(holder["engine"], probe) == expected[-1]
    assert _results(engine, probe) == expected[0]  # the fitted engine itself never changed


def test_best_among_scores_a_subset_exactly_as_rank_many(world) -> None:  # noqa: ANN001
    # what monitoring relies on after a workforce write: max(best of the others, best among
    # the changed) is a full re-rank, bit for bit
    needs, caps = world
    engine = MatchingEngine().fit(caps)
    rng = random.Random(3)
    changed = rng.sample(range(len(caps)), 40)
    best, where = engine.best_among(needs, changed)
    full = engine.rank_many(needs, k=1)
    subset = MatchingEngine().fit(caps)
    for i, need in enumerate(needs):
        ranked = [c for c in subset.rank(need, k=len(caps)).items
                  if engine.position_[c.capability_id] in set(changed)]
        if ranked:
            assert best[i] == ranked[0].score
            scores = {c.capability_id: c.score for c in ranked}
            assert scores[engine.capabilities_[where[i]].id] == best[i]
        else:
            assert np.isnan(best[i])
            assert where[i] == -1
    # all positions: the best of everything, as rank_many gives it
    every, _ = engine.best_among(needs, range(len(caps)))
    assert every.tobytes() == full.scores[:, 0].tobytes()


def test_needs_prepared_once_serve_engines_updated_by_figures(world) -> None:  # noqa: ANN001
    needs, caps = world
    engine = MatchingEngine().fit(caps)
    prepared = engine.prepare(needs)
    rng = random.Random(5)
    changed = rng.sample(range(len(caps)), 10)
    newer = engine.updated([_figures(rng, caps[i]) for i in changed])
    assert newer.position_ is engine.position_  # figures only: the index is shared
    got = newer.best_among(prepared, changed)
    want = newer.best_among(needs, changed)
    assert got[0].tobytes() == want[0].tobytes()
    assert got[1].tolist() == want[1].tolist()
    assert got[0].tobytes() != engine.best_among(prepared, changed)[0].tobytes()


def test_a_batch_s_arrays_taken_apart_and_joined_score_as_freshly_prepared(world) -> None:  # noqa: ANN001
    # monitoring keeps the arrays rank_many built (without the profiles), joins those of
    # later batches and takes each activity group's rows from them: best_among must give the
    # bits it gives on needs prepared afresh
    needs, caps = world
    engine = MatchingEngine().fit(caps)
    half = len(needs) // 2
    first = engine.rank_many(needs[:half], k=1).prepared.without_profiles()
    second = engine.rank_many(needs[half:], k=1).prepared.without_profiles()
    joined = first.extended(second)
    assert joined.needs is None
    assert len(joined) == len(needs)
    rng = random.Random(11)
    rows = rng.sample(range(len(needs)), 60) + [0, 0]  # any order, repeats allowed
    changed = rng.sample(range(len(caps)), 25)
    got = engine.best_among(joined.take(np.array(rows)), changed)
    want = engine.best_among(engine.prepare([needs[i] for i in rows]), changed)
    assert got[0].tobytes() == want[0].tobytes()
    assert got[1].tolist() == want[1].tolist()
    # another vocabulary (a refit): arrays without profiles cannot be rebuilt, so they refuse
    refit = MatchingEngine().fit(caps)
    assert not joined.fits(refit)
    with pytest.raises(ValueError, match="another vocabulary"):
        refit.best_among(joined, changed)
