"""Offline evaluation of match quality on hand-made scenarios (NDCG@k, top-1, rule violations).

A scenario is a small world — one need, a few capabilities — with what a person in the field
expects: the best provider, an order, and providers that must never be ranked. Scenarios come
in as plain data (``dict`` / JSON, see ``tests/eval/scenarios.json``) and are turned into
profiles by :func:`load_scenarios`; :func:`evaluate` ranks each with an engine built by a
caller-supplied factory and scores the ranking:

* **NDCG@k** with graded relevance: in an expected order ``[a, b, c]`` ``a`` has relevance 3,
  ``b`` 2, ``c`` 1; an expected best alone has relevance 1; everything else 0;
* **top-1**: the first ranked capability is the expected best (an expected best of ``None``
  means nothing may be ranked);
* **rule violations**: a ranked capability that the scenario lists as excluded, or that
  breaks a hard limit the evaluator checks on its own, independently of the engine:
  distance beyond ``max_distance_km`` or the service radius, placement mode, certification
  or shift missing, no free capacity, an enclave without a free supervisor;
* **reasons**: the share of expected reason codes present on the named candidates.

Examples
--------
>>> from matching import MatchingEngine
>>> data = {"towns": {"Roeselare": [50.9469, 3.123], "Izegem": [50.914, 3.2056],
...                   "Gent": [51.0543, 3.7174]},
...         "scenarios": [{"id": "near-vs-far", "group": "locality", "seeds": ["000:3444"],
...                        "need": {"activity": "returns.apparel", "town": "Roeselare"},
...                        "capabilities": [{"id": "far", "town": "Gent"},
...                                         {"id": "near", "town": "Izegem"}],
...                        "expect": {"best": "near"}}]}
>>> report = evaluate(load_scenarios(data), lambda caps: MatchingEngine().fit(caps))
>>> report.totals.top1, report.totals.violations
(1.0, 0)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from matching.scoring import haversine_km
from matching.types import (
    Candidate,
    CapabilityProfile,
    EngineConfig,
    MatchResult,
    NeedProfile,
    Weights,
)

DEFAULT_K = 5
#: floors the evaluation set must meet (enforced by ``koppel eval`` and the test suite)
FLOORS: Mapping[str, float] = {"top1": 0.95, "violations": 0, "group_top1": 1.0}

_NEED_DEFAULTS: dict[str, Any] = {
    "id": "need",
    "competences": (),
    "text": "",
    "placement_mode": "workshop",
    "fte": 2.0,
    "accommodates_support": "high",
    "time_pressure": "low",
    "peak_season": False,
    "shifts": ("day",),
    "certifications": (),
    "max_distance_km": None,
    "binding": "medium",
    "public_transport": "good",
}
_CAP_DEFAULTS: dict[str, Any] = {
    "competences": (),
    "text": "",
    "placement_modes": ("workshop", "on_site", "enclave", "individual"),
    "service_radius_km": None,
    "certifications": (),
    "shifts": ("day", "early_late"),
    "free_fte": (4.0, 4.0, 4.0),
    "supervisors_free": 2.0,
    "workforce_age_days": 10.0,
}


class Ranker(Protocol):
    def rank(self, need: NeedProfile, k: int = ...) -> MatchResult: ...


EngineFactory = Callable[[Sequence[CapabilityProfile]], Ranker]


@dataclass(frozen=True, slots=True)
class Scenario:
    """One evaluation world with its expectations and the seed passages it rests on."""

    id: str
    group: str
    need: NeedProfile
    capabilities: tuple[CapabilityProfile, ...]
    best: str | None
    order: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    reasons: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    seeds: tuple[str, ...] = ()
    title: str = ""

    def relevance(self) -> dict[str, int]:
        """Graded relevance per capability id (absent = 0)."""
        if self.order:
            n = len(self.order)
            return {cid: n - i for i, cid in enumerate(self.order)}
        return {self.best: 1} if self.best is not None else {}


def _place(raw: Mapping[str, Any], towns: Mapping[str, Sequence[float]]) -> dict[str, Any]:
    out = dict(raw)
    if "town" in out:
        town = out.pop("town")
        if town not in towns:
            raise ValueError(f"unknown town {town!r}")
        out["lat"], out["lon"] = (float(x) for x in towns[town])
        out.setdefault("municipality", town)
    return out


def _need(raw: Mapping[str, Any], towns: Mapping[str, Sequence[float]]) -> NeedProfile:
    values = {**_NEED_DEFAULTS, **_place(raw, towns)}
    values.pop("municipality", None)
    return NeedProfile(**values)


def _capability(raw: Mapping[str, Any], towns: Mapping[str, Sequence[float]],
                need: NeedProfile) -> CapabilityProfile:
    values = {**_CAP_DEFAULTS, "activity": need.activity, "competences": need.competences,
              **_place(raw, towns)}
    cid = values["id"]
    values.setdefault("provider_id", f"prov-{cid}")
    values.setdefault("provider_name", f"Maatwerk {cid}")
    values.setdefault("site_id", f"site-{cid}")
    values.setdefault("municipality", "")
    return CapabilityProfile(**values)


def scenario_from_dict(raw: Mapping[str, Any],
                       towns: Mapping[str, Sequence[float]]) -> Scenario:
    """Build a :class:`Scenario` from plain data; omitted profile fields take defaults.

    Capabilities default to the need's activity and competences, every placement mode, day
    and early/late shifts, 4/4/4 free FTE (low/medium/high) and 2 free supervisors.
    """
    need = _need(raw["need"], towns)
    caps = tuple(_capability(c, towns, need) for c in raw["capabilities"])
    ids = [c.id for c in caps]
    if len(set(ids)) != len(ids):
        raise ValueError(f"scenario {raw['id']}: duplicate capability ids")
    expect = raw.get("expect", {})
    order = tuple(expect.get("order", ()))
    if "best" not in expect and not order:
        raise ValueError(f"scenario {raw['id']}: expect needs 'best' or 'order'")
    best = expect["best"] if "best" in expect else order[0]
    if order and best != order[0]:
        raise ValueError(f"scenario {raw['id']}: best must head the expected order")
    excluded = tuple(expect.get("excluded", ()))
    reasons = {cid: tuple(codes) for cid, codes in expect.get("reasons", {}).items()}
    unknown = ({best} if best else set()) | set(order) | set(excluded) | set(reasons)
    unknown -= set(ids)
    if unknown:
        raise ValueError(f"scenario {raw['id']}: unknown capability ids {sorted(unknown)}")
    return Scenario(
        id=raw["id"], group=raw["group"], need=need, capabilities=caps, best=best,
        order=order, excluded=excluded, reasons=reasons, seeds=tuple(raw.get("seeds", ())),
        title=raw.get("title", ""),
    )


def load_scenarios(data: Mapping[str, Any]) -> list[Scenario]:
    """Scenarios from ``{"towns": {name: [lat, lon]}, "scenarios": [...]}``."""
    towns = data.get("towns", {})
    scenarios = [scenario_from_dict(s, towns) for s in data["scenarios"]]
    ids = [s.id for s in scenarios]
    if len(set(ids)) != len(ids):
        raise ValueError("scenario ids must be unique")
    return scenarios


# ---- metrics (pure functions of rankings) -------------------------------------------------

def ndcg_at_k(ranked: Sequence[str], relevance: Mapping[str, float], k: int = DEFAULT_K) -> float:
    """Normalised discounted cumulative gain of ``ranked`` (gain ``2**rel - 1``).

    With no relevant item the ideal ranking is empty: 1.0 when nothing was ranked, else 0.0.

    >>> ndcg_at_k(["a", "b"], {"a": 2, "b": 1})
    1.0
    >>> round(ndcg_at_k(["b", "a"], {"a": 2, "b": 1}), 4)
    0.7967
    """
    def dcg(rels: Sequence[float]) -> float:
        return math.fsum((2.0 ** r - 1.0) / math.log2(i + 2) for i, r in enumerate(rels[:k]))

    ideal = dcg(sorted(relevance.values(), reverse=True))
    if ideal == 0.0:
        return 1.0 if not ranked else 0.0
    return dcg([relevance.get(cid, 0.0) for cid in ranked]) / ideal


def hard_limit_breaches(need: NeedProfile, cap: CapabilityProfile) -> tuple[str, ...]:
    """Hard limits (DESIGN §4-§5) that ``cap`` breaks for ``need``, checked without the engine."""
    out = []
    distance = haversine_km(need.lat, need.lon, cap.lat, cap.lon)
    if need.max_distance_km is not None and distance > need.max_distance_km + 1e-6:
        out.append("max_distance_km")
    if cap.service_radius_km is not None and distance > cap.service_radius_km + 1e-6:
        out.append("service_radius_km")
    if need.placement_mode not in cap.placement_modes:
        out.append("placement_mode")
    if not set(need.certifications) <= set(cap.certifications):
        out.append("certification")
    if not set(need.shifts) <= set(cap.shifts):
        out.append("shift")
    if sum(cap.free_fte) <= 0.0:
        out.append("no_free_capacity")
    # enclave: a supervisor is always present, even for low-support workers (seeds 000:181-185)
    if need.placement_mode == "enclave" and cap.supervisors_free <= 0.0:
        out.append("enclave_without_supervisor")
    return tuple(out)


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    id: str
    group: str
    ranked: tuple[str, ...]
    ndcg: float
    top1: bool
    violations: tuple[tuple[str, str], ...]  # (capability id, rule)
    reasons_expected: int
    reasons_found: int
    seeds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GroupMetrics:
    group: str
    scenarios: int
    ndcg: float
    top1: float
    violations: int
    violation_rate: float  # violating ranked candidates / ranked candidates
    reasons: float  # expected reason codes found / expected (1.0 when none expected)

    def as_dict(self) -> dict[str, Any]:
        return {"group": self.group, "scenarios": self.scenarios, "ndcg": self.ndcg,
                "top1": self.top1, "violations": self.violations,
                "violation_rate": self.violation_rate, "reasons": self.reasons}


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    k: int
    results: tuple[ScenarioResult, ...]
    groups: tuple[GroupMetrics, ...]
    totals: GroupMetrics

    def failures(self, floors: Mapping[str, float] = FLOORS) -> list[str]:
        """Human-readable reasons the report is below ``floors`` (empty when it passes)."""
        out = []
        if self.totals.top1 < floors["top1"]:
            out.append(f"top-1 accuracy {self.totals.top1:.3f} < {floors['top1']}")
        if self.totals.violations > floors["violations"]:
            out.append(f"{self.totals.violations} rule violation(s) > {floors['violations']:g}")
        group_floor = floors.get("group_top1")
        if group_floor is not None:
            out.extend(f"group {g.group}: top-1 {g.top1:.3f} < {group_floor:g}"
                       for g in self.groups if g.top1 < group_floor)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "totals": self.totals.as_dict(),
            "groups": [g.as_dict() for g in self.groups],
            "scenarios": [
                {"id": r.id, "group": r.group, "ranked": list(r.ranked), "ndcg": r.ndcg,
                 "top1": r.top1, "violations": [list(v) for v in r.violations],
                 "seeds": list(r.seeds)}
                for r in self.results
            ],
            "floors": dict(FLOORS),
            "failures": self.failures(),
        }


def _aggregate(group: str, results: Sequence[ScenarioResult]) -> GroupMetrics:
    n = len(results)
    ranked = sum(len(r.ranked) for r in results)
    violations = sum(len(r.violations) for r in results)
    expected = sum(r.reasons_expected for r in results)
    return GroupMetrics(
        group=group, scenarios=n,
        ndcg=math.fsum(r.ndcg for r in results) / n if n else 0.0,
        top1=sum(r.top1 for r in results) / n if n else 0.0,
        violations=violations,
        violation_rate=violations / ranked if ranked else 0.0,
        reasons=sum(r.reasons_found for r in results) / expected if expected else 1.0,
    )


def evaluate_scenario(scenario: Scenario, ranker: Ranker,
                      k: int = DEFAULT_K) -> ScenarioResult:
    """Rank one scenario's need with a fitted ``ranker`` and score the result."""
    items: tuple[Candidate, ...] = ranker.rank(scenario.need, k=k).items
    ranked = tuple(c.capability_id for c in items)
    caps = {c.id: c for c in scenario.capabilities}
    violations = []
    for cid in ranked:
        if cid in scenario.excluded:
            violations.append((cid, "expected_excluded"))
        violations.extend((cid, rule) for rule in hard_limit_breaches(scenario.need, caps[cid]))
    top1 = ranked[:1] == (scenario.best,) if scenario.best is not None else not ranked
    by_id = {c.capability_id: {r.code for r in c.reasons} for c in items}
    expected = sum(len(codes) for codes in scenario.reasons.values())
    found = sum(code in by_id.get(cid, ()) for cid, codes in scenario.reasons.items()
                for code in codes)
    return ScenarioResult(
        id=scenario.id, group=scenario.group, ranked=ranked,
        ndcg=ndcg_at_k(ranked, scenario.relevance(), k), top1=top1,
        violations=tuple(violations), reasons_expected=expected, reasons_found=found,
        seeds=scenario.seeds,
    )


def evaluate(scenarios: Sequence[Scenario], engine_factory: EngineFactory,
             k: int = DEFAULT_K) -> EvaluationReport:
    """Evaluate every scenario with an engine fitted on its own capabilities.

    Parameters
    ----------
    scenarios : sequence of Scenario
    engine_factory : callable
        ``engine_factory(capabilities)`` returns a fitted object with ``rank(need, k)``,
        e.g. ``lambda caps: MatchingEngine(weights=w).fit(caps)``.
    k : int, default=5

    Returns
    -------
    EvaluationReport
        Per-scenario results, per-group metrics (groups sorted by name) and totals.
    """
    results = tuple(
        evaluate_scenario(s, engine_factory(s.capabilities), k) for s in scenarios
    )
    names = sorted({r.group for r in results})
    groups = tuple(_aggregate(g, [r for r in results if r.group == g]) for g in names)
    return EvaluationReport(k=k, results=results, groups=groups,
                            totals=_aggregate("total", results))


def format_table(report: EvaluationReport) -> str:
    """A plain-text table: one row per scenario group, then the totals."""
    header = f"{'group':<12} {'n':>3} {'NDCG@' + str(report.k):>7} {'top-1':>6} " \
             f"{'viol.':>5} {'viol.rate':>9} {'reasons':>7}"
    lines = [header, "-" * len(header)]
    for g in (*report.groups, report.totals):
        if g is report.totals:
            lines.append("-" * len(header))
        lines.append(f"{g.group:<12} {g.scenarios:>3} {g.ndcg:>7.3f} {g.top1:>6.3f} "
                     f"{g.violations:>5} {g.violation_rate:>9.3f} {g.reasons:>7.3f}")
    misses = [r for r in report.results if not r.top1 or r.violations]
    for r in misses:
        what = ", ".join(f"{cid}:{rule}" for cid, rule in r.violations) or "wrong top-1"
        lines.append(f"  ! {r.id}: ranked {list(r.ranked)} ({what})")
    return "\n".join(lines)


def _failed(result: ScenarioResult) -> bool:
    return (not result.top1 or bool(result.violations)
            or result.reasons_found < result.reasons_expected)


def ablation(scenarios: Sequence[Scenario], weights: Weights | None = None,
             config: EngineConfig | None = None, k: int = DEFAULT_K) -> list[tuple[str, int]]:
    """How many scenarios fail when one score component is dropped or one rule switched off.

    A scenario fails when its top-1 is wrong, a rule is violated or an expected reason is
    missing. Dropping a component sets its weight to 0 and rescales the others to sum to 1;
    switching off a rule sets its constant so that it has no effect (public transport: decay
    factors 1; freshness: figures never stale; peak season: factor 1; reach: coverage not
    discounted by distance; text: competence from the competence codes only). The set shows
    it can fail: every line should be above 0.

    Returns
    -------
    list of (str, int)
        ``("baseline", n)`` first, then one line per component and rule.
    """
    from dataclasses import replace

    from matching.engine import MatchingEngine

    weights = weights or Weights()
    config = config or EngineConfig()
    names = ("competence", "locality", "supervision", "capacity")
    variants: list[tuple[str, Weights, EngineConfig]] = [("baseline", weights, config)]
    values = weights.as_tuple()
    for i, name in enumerate(names):
        rest = math.fsum(v for j, v in enumerate(values) if j != i)
        if rest <= 0:
            continue
        scaled = [0.0 if j == i else v / rest for j, v in enumerate(values)]
        scaled[max((j for j in range(4) if j != i), key=lambda j: scaled[j])] += (
            1.0 - math.fsum(scaled))
        dropped = Weights(scaled[0], scaled[1], scaled[2], scaled[3], version=f"no-{name}")
        variants.append((f"drop {name}", dropped, config))
    rules_off: tuple[tuple[str, dict[str, Any]], ...] = (
        ("rule off: public transport", {"public_transport_limited": 1.0,
                                         "public_transport_poor": 1.0}),
        ("rule off: freshness", {"stale_after_days": 1e9}),
        ("rule off: peak season", {"peak_pressure_factor": 1.0}),
        ("rule off: reach of coverage", {"reach_decay_factor": 1e9}),
        ("rule off: text similarity", {"text_coverage_weight": 1.0}),
    )
    for label, changes in rules_off:
        variants.append((label, weights, replace(config, **changes)))
    out = []
    for label, w, c in variants:
        results = [evaluate_scenario(s, MatchingEngine(weights=w, config=c).fit(s.capabilities), k)
                   for s in scenarios]
        out.append((label, sum(_failed(r) for r in results)))
    return out


def format_ablation(lines: Sequence[tuple[str, int]], total: int) -> str:
    """The ablation as a plain-text table."""
    width = max(len(label) for label, _ in lines)
    rows = [f"{'variant':<{width}}  failing scenarios (of {total})"]
    rows += [f"{label:<{width}}  {n:>3}" for label, n in lines]
    return "\n".join(rows)
