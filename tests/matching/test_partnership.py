"""The pure partnership search: exact, minimal, one member per site, near first for high binding."""

from __future__ import annotations

from matching.partnership import PartnerCandidate, propose, render, shortage


def _c(cid, km, low=0.0, medium=0.0, high=0.0, sup=0.0, score=0.7, site=None):  # noqa: ANN001, ANN202
    return PartnerCandidate(cid, site or f"s-{cid}", f"p-{cid}", f"Provider {cid}", f"Town {cid}",
                            km, score, (low, medium, high), sup)


def test_three_sites_of_12_10_8_cover_30_together():
    cands = [_c("a", 5, low=12), _c("b", 8, low=10), _c("c", 12, low=8)]
    out = propose(cands, placement_mode="workshop", accommodates_support="low",
                  uncovered_fte=30, binding="medium")
    assert len(out) == 1
    assert [m.fte for m in out[0].members] == [12.0, 10.0, 8.0]
    assert out[0].covered_fte == 30.0
    assert out[0].uncovered_fte == 0.0
    assert render(out[0].reasons[0]) == "Samen dekken ze 30 van 30 VTE (12 + 10 + 8)"


def test_no_proposal_when_one_site_covers_it():
    cands = [_c("a", 5, low=30), _c("b", 8, low=10)]
    assert propose(cands, placement_mode="workshop", accommodates_support="low",
                   uncovered_fte=30, binding="medium") == []


def test_only_minimal_combinations_and_one_member_per_site():
    # two capabilities of site s1 share one workforce: offered once
    cands = [_c("a1", 5, low=12, site="s1"), _c("a2", 5, low=12, site="s1"),
             _c("b", 8, low=10), _c("c", 12, low=8), _c("d", 14, low=9)]
    out = propose(cands, placement_mode="workshop", accommodates_support="low",
                  uncovered_fte=30, binding="medium", limit=10)
    sets = [sorted(m.candidate.capability_id for m in p.members) for p in out]
    # a1 + c + d = 29 and b + c + d = 27 fall short; a1 + b + c + d has a member too many
    assert sets == [["a1", "b", "c"], ["a1", "b", "d"]]
    assert all(p.covered_fte == 30.0 for p in out)


def test_levels_above_the_workplace_and_supervision_limit_what_a_member_brings():
    # enclave, medium accepted: b's high workers never count; c's 1 supervisor carries 8 medium
    cands = [_c("a", 5, low=10, sup=1), _c("b", 6, medium=4, high=10, sup=1),
             _c("c", 9, medium=12, sup=1)]
    out = propose(cands, placement_mode="enclave", accommodates_support="medium",
                  uncovered_fte=30, binding="medium", limit=5)
    best = out[0]
    assert best.covered_fte == 22.0
    by_id = {m.candidate.capability_id: m.coverage for m in best.members}
    assert by_id["b"].high == 0.0
    assert by_id["c"].medium == 8.0
    assert all(c.supervisors == 1 for c in by_id.values())
    short = shortage(cands, placement_mode="enclave", accommodates_support="medium",
                     uncovered_fte=30, best_covered_fte=best.covered_fte)
    assert short.fte_above_level == 10.0
    assert short.fte_without_supervisor == 4.0
    assert short.supervisors_short == 1


def test_far_site_never_before_near_ones_for_high_binding():
    cands = [_c("far", 60, low=12, score=0.9), _c("a", 5, low=12), _c("b", 8, low=10),
             _c("c", 12, low=8)]
    out = propose(cands, placement_mode="workshop", accommodates_support="low",
                  uncovered_fte=30, binding="high", limit=10)
    sets = [{m.candidate.capability_id for m in p.members} for p in out]
    assert sets[0] == {"a", "b", "c"}
    first_far = next(i for i, s in enumerate(sets) if "far" in s)
    assert all("far" not in s for s in sets[:first_far])
    assert all("far" in s for s in sets[first_far:])


def test_supervisor_reason_names_the_municipality_in_both_languages():
    cands = [_c("a", 5, low=10, sup=0.0), _c("b", 6, low=12, sup=1), _c("c", 9, low=10, sup=1)]
    out = propose(cands, placement_mode="enclave", accommodates_support="low",
                  uncovered_fte=20, binding="medium")
    texts = [render(r, "en") for r in out[0].reasons if r.code == "partnership_supervisor"]
    assert texts == ["Town b brings the enclave supervisor (1 supervisor for 12 FTE)",
                     "Town c brings the enclave supervisor (1 supervisor for 8 FTE)"]
