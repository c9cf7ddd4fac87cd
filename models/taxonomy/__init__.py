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
    # competence fit of target-group workers with the activity (DESIGN §4.7 calibration cards)
    competence_fit: str
    time_pressure: str
    typical_competences: tuple[str, ...]
    seed_refs: tuple[str, ...]
    extension: bool  # True where DESIGN marks the activity "(ext)": plain sector fact, not seeds
    # criteria that differ when the work is done as an enclave at the client (001:2322-2336)
    enclave_criteria: MappingProxyType[str, str] | None = field(default=None, hash=False)

    def potential_criteria(self, placement_mode: str | None = None) -> dict[str, str]:
        """The four criteria of DESIGN §4.7 for this activity (as an enclave if asked)."""
        criteria = {
            "market_demand": self.market_demand,
            "investment": self.investment,
            "competence_fit": self.competence_fit,
            "binding": self.binding,
        }
        if placement_mode == "enclave" and self.enclave_criteria:
            criteria.update(self.enclave_criteria)
        return criteria

    def rated_potential(self, placement_mode: str | None = None) -> str:
        """The potential the one rule gives this activity's criteria."""
        return potential_rating(**self.potential_criteria(placement_mode))

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
            competence_fit=a["competence_fit"],
            time_pressure=a["time_pressure"],
            typical_competences=tuple(a["typical_competences"]),
            seed_refs=tuple(a["seed_refs"]),
            extension=bool(a.get("extension", False)),
            enclave_criteria=_optional_labels(a.get("enclave_criteria")),
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


def known_activity(code: str) -> Activity:
    """The activity with a code already checked against the taxonomy; ``KeyError`` if unknown."""
    return _activities()[code]


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
    """Rate an opportunity ``high`` / ``medium`` / ``low``: the one rule of
    :func:`matching.potential.rate_potential` (DESIGN §4.7), imported when called so this
    module stays importable without NumPy.

    Examples
    --------
    >>> potential_rating("high", "low", "high", "medium")
    'high'
    >>> potential_rating("high", "high", "high", "high")
    'medium'
    """
    from matching.potential import rate_potential

    return rate_potential(market_demand, investment, competence_fit, binding)  # type: ignore[return-value]
