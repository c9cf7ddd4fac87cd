"""Small server-drawn maps of Flanders: an equirectangular projection scaled by cos(latitude)
fitted to the Flemish provinces' outlines, and the geometry of a map of points on them.

Pages draw the result as inline SVG: no tiles, no script, nothing from another site.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from models import gazetteer

KM_PER_DEGREE_LAT = 111.32
FLEMISH_PROVINCES = ("antwerpen", "limburg", "oost-vlaanderen", "vlaams-brabant",
                     "west-vlaanderen")


class Projection:
    """(lon, lat) → (x, y) in a ``width``-wide box with ``pad`` around the fitted rings."""

    def __init__(self, rings: Sequence[Sequence[tuple[float, float]]], *, width: int,
                 pad: int) -> None:
        lons = [p[0] for r in rings for p in r]
        lats = [p[1] for r in rings for p in r]
        self.width, self.pad = width, pad
        self.lon0, self.lat1 = min(lons), max(lats)
        self.kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
        span = (max(lons) - self.lon0) * self.kx
        self.scale = (width - 2 * pad) / span
        self.height = round((self.lat1 - min(lats)) * self.scale + 2 * pad)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (round(self.pad + (lon - self.lon0) * self.kx * self.scale, 1),
                round(self.pad + (self.lat1 - lat) * self.scale, 1))


def flemish_outlines() -> dict[str, list[list[tuple[float, float]]]]:
    return {slug: gazetteer.province_outline(slug) or [] for slug in FLEMISH_PROVINCES}


def svg_path(rings: Iterable[Sequence[tuple[float, float]]], project: Projection) -> str:
    return " ".join("M" + " L".join("{},{}".format(*project(lon, lat)) for lon, lat in ring)
                    + " Z" for ring in rings)


@cache
def _flemish_municipalities() -> dict[str, gazetteer.Municipality]:
    return {m.name.casefold(): m for m in gazetteer.municipalities("flanders")}


def municipality_point(name: str) -> tuple[float, float] | None:
    """(lon, lat) of a Flemish municipality's centre, by its (Dutch) name."""
    found = _flemish_municipalities().get(name.strip().casefold())
    return (found.lon, found.lat) if found is not None else None


@dataclass(frozen=True, slots=True)
class MapPoint:
    x: float
    y: float
    label: str
    number: int  # the number shown beside the point and in the list of results


@dataclass(frozen=True, slots=True)
class PointMap:
    width: int
    height: int
    provinces: list[str]  # one SVG path per province
    points: list[MapPoint]
    centre: tuple[float, float] | None  # the searched place, projected
    reach: float | None  # the searched radius around it, in map units


def point_map(points: Sequence[tuple[int, str, float, float]], *,
              centre: tuple[float, float] | None = None, radius_km: float | None = None,
              width: int = 360, pad: int = 8) -> PointMap:
    """A map of Flanders with ``points`` as (number, label, lon, lat), the searched place
    ``centre`` (lon, lat) and the ``radius_km`` around it marked when given."""
    outlines = flemish_outlines()
    project = Projection([ring for rings in outlines.values() for ring in rings],
                         width=width, pad=pad)
    return PointMap(width=width, height=project.height,
                    provinces=[svg_path(rings, project) for rings in outlines.values() if rings],
                    points=[MapPoint(*project(lon, lat), label=label, number=number)
                            for number, label, lon, lat in points],
                    centre=project(*centre) if centre is not None else None,
                    reach=(round(radius_km / KM_PER_DEGREE_LAT * project.scale, 1)
                           if centre is not None and radius_km else None))
