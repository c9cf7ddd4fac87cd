"""Koppel's taxonomy: activities, competences and closed vocabularies, as versioned data.

The data lives next to this module in JSON (``activities.json``, ``competences.json``,
``vocabularies.json``) with Dutch and English labels; DESIGN §3 is its source and each
activity cites the seed studies it comes from (``seed_refs``). The files are read once and
cached for the life of the process: they change only with a new ``TAXONOMY_VERSION``, i.e.
with a new release, so the cache needs no invalidation.

Stdlib only, so every layer (api, models, scripts) may import it.

Examples
--------
>>> from models import taxonomy
>>> taxonomy.activity("returns.apparel").cluster_name["nl"]
'Kledijcluster'
>>> taxonomy.potential_rating("high", "low", "high", "high")
'high'
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

__all__ = [
    "BINDINGS",
    "LEVELS",
    "PLACEMENT_MODES",
    "TAXONOMY_VERSION",
    "Activity",
    "Competence",
    "FamilyInfo",
    "Level",
    "activities",
    "activity",
    "activity_codes",
    "competence_codes",
    "competences",
    "data_versions",
    "families",
    "potential_rating",
    "vocabulary",
    "vocabulary_names",
]

_DATA_DIR = Path(__file__).resolve().parent

Level = Literal["high", "medium", "low"]
LEVELS: tuple[str, ...] = ("low", "medium", "high")
BINDINGS: tuple[str, ...] = LEVELS
PLACEMENT_MODES: tuple[str, ...] = ("workshop", "on_site", "enclave", "individual")

# Bump with every change to the JSON files; tests check that all three files carry it.
TAXONOMY_VERSION = "2026.11-1"


def _labels(raw: dict[str, str]) -> MappingProxyType[str, str]:
    return MappingProxyType(dict(raw))


def _optional_labels(raw: dict[str, str] | None) -> MappingProxyType[str, str] | None:
    return None if raw is None else _labels(raw)


@dataclass(frozen=True, slots=True)
class Activity:
    """One activity of DESIGN §3.1 (a kind of work a need asks for and a capability offers)."""

    code: str
    group: str  # the part before the dot: same group scores 0.5 on competence (DESIGN §5)
    family: str  # cluster kind (DESIGN §4.5: clusters are per family and local area)
    family_label: MappingProxyType[str, str] = field(hash=False)
    # "Kledijcluster" names clusters like "Kledijcluster Roeselare"
    cluster_name: MappingProxyType[str, str] = field(hash=False)
    label: MappingProxyType[str, str] = field(hash=False)
    binding: str  # local binding high | medium | low (000:2537)
    modes: tuple[str, ...]  # placement modes the activity allows
    potential: str  # the seed studies' rating of the opportunity
    potential_note: MappingProxyType[str, str] | None = field(hash=False)
    market_demand: str
    market_demand_note: MappingProxyType[str, str] = field(hash=False)
    investment: str  # SEC investment needed
    investment_note: MappingProxyType[str, str] | None = field(hash=False)
    time_pressure: str
    typical_competences: tuple[str, ...]
    seed_refs: tuple[str, ...]
    extension: bool  # True where DESIGN marks the activity "(ext)": plain sector fact, not seeds

    def potential_criteria(self, competence_fit: str = "high") -> dict[str, str]:
        """The four criteria of DESIGN §4.7 for this activity, given a competence fit."""
        return {
            "market_demand": self.market_demand,
            "investment": self.investment,
            "competence_fit": competence_fit,
            "binding": self.binding,
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, as in ``activities.json`` (for the API)."""
        return _plain(self)


@dataclass(frozen=True, slots=True)
class Competence:
    code: str
    label: MappingProxyType[str, str] = field(hash=False)

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)


@dataclass(frozen=True, slots=True)
class FamilyInfo:
    """An activity family: the kind of cluster its activities form."""

    code: str
    label: MappingProxyType[str, str] = field(hash=False)
    cluster_name: MappingProxyType[str, str] = field(hash=False)
    activities: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)


def _plain(obj: Activity | Competence | FamilyInfo) -> dict[str, Any]:
    def convert(value: Any) -> Any:
        if isinstance(value, MappingProxyType):
            return dict(value)
        if isinstance(value, tuple):
            return list(value)
        return value

    return {name: convert(getattr(obj, name)) for name in obj.__dataclass_fields__}


def _read(name: str) -> dict[str, Any]:
    with (_DATA_DIR / name).open(encoding="utf-8") as fh:
        return json.load(fh)


@cache
def _activities() -> MappingProxyType[str, Activity]:
    raw = _read("activities.json")
    items: dict[str, Activity] = {}
    for a in raw["activities"]:
        items[a["code"]] = Activity(
            code=a["code"],
            group=a["group"],
            family=a["family"],
            family_label=_labels(a["family_label"]),
            cluster_name=_labels(a["cluster_name"]),
            label=_labels(a["label"]),
            binding=a["binding"],
            modes=tuple(a["modes"]),
            potential=a["potential"],
            potential_note=_optional_labels(a.get("potential_note")),
            market_demand=a["market_demand"],
            market_demand_note=_labels(a["market_demand_note"]),
            investment=a["investment"],
            investment_note=_optional_labels(a.get("investment_note")),
            time_pressure=a["time_pressure"],
            typical_competences=tuple(a["typical_competences"]),
            seed_refs=tuple(a["seed_refs"]),
            extension=bool(a.get("extension", False)),
        )
    return MappingProxyType(items)


@cache
def _competences() -> MappingProxyType[str, Competence]:
    raw = _read("competences.json")
    return MappingProxyType(
        {
            c["code"]: Competence(code=c["code"], label=_labels(c["label"]))
            for c in raw["competences"]
        }
    )


@cache
def _vocabularies() -> dict[str, dict[str, dict[str, Any]]]:
    return _read("vocabularies.json")["vocabularies"]


def data_versions() -> dict[str, str]:
    """The ``version`` stamped in each data file (all equal ``TAXONOMY_VERSION``)."""
    return {
        name: _read(name)["version"]
        for name in ("activities.json", "competences.json", "vocabularies.json")
    }


def activities() -> dict[str, Activity]:
    """All activities by code, in the order of DESIGN §3.1 (a fresh dict; values are frozen)."""
    return dict(_activities())


def activity(code: str) -> Activity | None:
    """The activity with this code, or ``None`` for an unknown code."""
    return _activities().get(code)


@cache
def activity_codes() -> frozenset[str]:
    return frozenset(_activities())


def competences() -> dict[str, Competence]:
    """All competences by code, in the order of DESIGN §3.2."""
    return dict(_competences())


@cache
def competence_codes() -> frozenset[str]:
    return frozenset(_competences())


def vocabulary_names() -> tuple[str, ...]:
    """Names accepted by :func:`vocabulary`."""
    return tuple(_vocabularies())


def vocabulary(name: str) -> dict[str, dict[str, Any]]:
    """Labels of one closed vocabulary: ``{code: {"label": {nl, en}, "description"?: {nl, en}}}``.

    Names: ``support_levels``, ``placement_modes``, ``certifications``, ``shifts``,
    ``time_pressure``, ``public_transport_access``, ``decline_reasons``. The codes are the
    dict's keys, in their natural order. Raises ``KeyError`` for an unknown name.
    """
    vocabularies = _vocabularies()
    if name not in vocabularies:
        raise KeyError(f"unknown vocabulary {name!r}; known: {', '.join(vocabularies)}")
    return json.loads(json.dumps(vocabularies[name]))  # deep copy: callers cannot edit the cache


@cache
def _families() -> MappingProxyType[str, FamilyInfo]:
    grouped: dict[str, list[Activity]] = {}
    for a in _activities().values():
        grouped.setdefault(a.family, []).append(a)
    return MappingProxyType(
        {
            family: FamilyInfo(
                code=family,
                label=members[0].family_label,
                cluster_name=members[0].cluster_name,
                activities=tuple(m.code for m in members),
            )
            for family, members in grouped.items()
        }
    )


def families() -> dict[str, FamilyInfo]:
    """Activity families (cluster kinds) by code, in order of first appearance in the table."""
    return dict(_families())


_VALID_LEVELS = frozenset(LEVELS)


def potential_rating(
    market_demand: str, investment: str, competence_fit: str, binding: str
) -> Level:
    """Rate an opportunity ``high`` / ``medium`` / ``low`` as the seed studies do (000:2566-2592).

    Each argument is ``"low"``, ``"medium"`` or ``"high"``. Mapping (DESIGN §4.7):

    ======================  ====================  ==========================
    criterion               good (for ``high``)   poor (forces ``low``)
    ======================  ====================  ==========================
    market_demand           high                  low (low demand/saturation)
    investment (SEC)        low                   high
    competence_fit          high                  low
    binding (local)         high                  low
    ======================  ====================  ==========================

    ``high`` when all four are good; ``low`` when any one is poor ("en/of" in the seeds);
    ``medium`` otherwise, i.e. a mix of criteria.

    Note the seeds' own ratings in ``activities.json`` (``potential``) are the studies'
    judgements and do not always follow this rule exactly (returns are rated high with
    medium binding, 000:3444); this function is what Koppel computes for needs and clusters.

    Examples
    --------
    >>> potential_rating("high", "low", "high", "high")
    'high'
    >>> potential_rating("high", "high", "high", "high")
    'low'
    >>> potential_rating("medium", "low", "high", "high")
    'medium'
    """
    args = {
        "market_demand": market_demand,
        "investment": investment,
        "competence_fit": competence_fit,
        "binding": binding,
    }
    for name, value in args.items():
        if value not in _VALID_LEVELS:
            raise ValueError(f"{name} must be one of low, medium, high; got {value!r}")
    # "en/of" in the seeds: a single poor criterion makes the opportunity low
    poor = (market_demand == "low", investment == "high", competence_fit == "low", binding == "low")
    if any(poor):
        return "low"
    good = (
        market_demand == "high",
        investment == "low",
        competence_fit == "high",
        binding == "high",
    )
    if all(good):
        return "high"
    return "medium"
