"""The server-drawn map of Flanders: the projection fits the provinces in the box, keeps west
left and north up, and places municipalities inside it."""

from __future__ import annotations

import pytest

from api.services import geomap


def test_the_projection_fits_flanders_in_the_box_west_left_north_up() -> None:
    rings = [ring for rings in geomap.flemish_outlines().values() for ring in rings]
    project = geomap.Projection(rings, width=360, pad=8)
    xs, ys = zip(*(project(lon, lat) for ring in rings for lon, lat in ring), strict=True)
    assert min(xs) == pytest.approx(8, abs=0.1)
    assert max(xs) == pytest.approx(352, abs=0.1)
    assert min(ys) == pytest.approx(8, abs=0.1)
    assert max(ys) == pytest.approx(project.height - 8, abs=1)
    brugge, hasselt = geomap.municipality_point("Brugge"), geomap.municipality_point("Hasselt")
    antwerpen = geomap.municipality_point("antwerpen")  # any case
    leuven = geomap.municipality_point("Leuven")
    assert None not in (brugge, hasselt, antwerpen, leuven)
    assert project(*brugge)[0] < project(*hasselt)[0]  # west is left
    assert project(*antwerpen)[1] < project(*leuven)[1]  # north up
    assert geomap.municipality_point("Namur") is None  # Flanders only


def test_a_point_map_numbers_points_and_scales_the_radius() -> None:
    roeselare = geomap.municipality_point("Roeselare")
    kortrijk = geomap.municipality_point("Kortrijk")
    assert None not in (roeselare, kortrijk)
    shown = geomap.point_map([(1, "Roeselare", *roeselare), (3, "Kortrijk", *kortrijk)],
                             centre=kortrijk, radius_km=20)
    assert [p.number for p in shown.points] == [1, 3]
    assert len(shown.provinces) == 5
    assert shown.centre == (shown.points[1].x, shown.points[1].y)
    # 20 km on a map of Flanders (about 250 km wide) drawn 344 units wide: about 28 units
    assert 20 < shown.reach < 36
    assert geomap.point_map([], radius_km=20).reach is None  # no centre, no radius
