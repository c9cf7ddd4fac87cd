"""The taxonomy data (DESIGN §3) is complete, consistent and loads into frozen objects."""

import dataclasses
import json

import pytest

from models import taxonomy
from tests.seeds import require_seeds

LEVELS = {"low", "medium", "high"}
LANGS = {"nl", "en"}


def _is_labels(value) -> bool:
    return set(value) == LANGS and all(isinstance(v, str) and v.strip() for v in value.values())


def test_there_are_20_activities_in_table_order():
    codes = list(taxonomy.activities())
    assert len(codes) == 20
    assert codes[0] == "returns.apparel"
    assert codes[-1] == "care.social"


def test_there_are_29_competences():
    assert len(taxonomy.competences()) == 29
    assert len(taxonomy.competence_codes()) == 29


def test_data_files_carry_the_taxonomy_version():
    assert set(taxonomy.data_versions().values()) == {taxonomy.TAXONOMY_VERSION}


@pytest.mark.parametrize("code", sorted(taxonomy.activity_codes()))
def test_activity_has_every_attribute(code):
    a = taxonomy.activity(code)
    assert a is not None
    assert a.code == code
    for labels in (a.label, a.family_label, a.cluster_name, a.market_demand_note):
        assert _is_labels(labels)
    for optional in (a.potential_note, a.investment_note):
        assert optional is None or _is_labels(optional)
    assert a.binding in LEVELS
    assert a.potential in LEVELS
    assert a.market_demand in LEVELS
    assert a.investment in LEVELS
    assert a.time_pressure in LEVELS
    assert a.modes
    assert a.seed_refs
    assert isinstance(a.extension, bool)


@pytest.mark.parametrize("code", sorted(taxonomy.activity_codes()))
def test_group_is_the_code_prefix(code):
    assert taxonomy.activity(code).group == code.split(".")[0]


@pytest.mark.parametrize("code", sorted(taxonomy.activity_codes()))
def test_typical_competences_are_two_to_five_known_codes(code):
    comps = taxonomy.activity(code).typical_competences
    assert 2 <= len(comps) <= 5
    assert len(set(comps)) == len(comps)
    assert set(comps) <= taxonomy.competence_codes()


@pytest.mark.parametrize("code", sorted(taxonomy.activity_codes()))
def test_modes_are_valid_placement_modes(code):
    modes = taxonomy.activity(code).modes
    assert set(modes) <= set(taxonomy.PLACEMENT_MODES)
    assert set(modes) <= set(taxonomy.vocabulary("placement_modes"))


def test_every_family_has_a_cluster_name_and_its_activities():
    families = taxonomy.families()
    assert len(families) == 14
    for family in families.values():
        assert _is_labels(family.cluster_name)
        assert _is_labels(family.label)
        assert family.activities
        assert all(taxonomy.activity(c).family == family.code for c in family.activities)
    assert dict(families["kledij"].cluster_name) == {"nl": "Kledijcluster",
                                                     "en": "Apparel cluster"}


def test_activities_of_one_family_share_its_labels():
    for a in taxonomy.activities().values():
        family = taxonomy.families()[a.family]
        assert dict(a.family_label) == dict(family.label)
        assert dict(a.cluster_name) == dict(family.cluster_name)


def test_design_table_values_are_carried():
    enclave_only = taxonomy.activity("care.support")
    assert enclave_only.modes == ("enclave",)
    assert enclave_only.potential == "high"
    lastmile = taxonomy.activity("lastmile.delivery")
    assert (lastmile.investment, lastmile.time_pressure) == ("high", "high")
    assert lastmile.investment_note["en"] == "electric cargo bikes"
    assert taxonomy.activity("assembly.manual").potential_note is not None
    assert taxonomy.activity("displays.build").investment_note["en"] == "production line"
    assert taxonomy.activity("packaging.primary").investment_note["en"] == "hygiene"


def test_only_facility_cleaning_is_an_extension_of_the_seeds():
    extensions = [a.code for a in taxonomy.activities().values() if a.extension]
    assert extensions == ["facility.cleaning"]


def test_seed_refs_are_well_formed_and_point_into_the_seeds():
    files = {path.name[:3]: path.read_text(encoding="utf-8").splitlines()
             for path in require_seeds().glob("*.txt")}
    for a in taxonomy.activities().values():
        for ref in a.seed_refs:
            file_no, _, line = ref.partition(":")
            assert len(file_no) == 3
            assert file_no.isdigit()
            assert line.isdigit()
            assert int(line) <= len(files[file_no])
            assert files[file_no][int(line) - 1].strip(), f"{a.code}: {ref} is a blank line"


def test_unknown_activity_is_none():
    assert taxonomy.activity("returns.nonsense") is None


def test_competences_have_nl_and_en_labels():
    for code, comp in taxonomy.competences().items():
        assert comp.code == code
        assert _is_labels(comp.label)


def test_design_competence_codes():
    assert {"manual.fine", "food.hygiene", "cargo.bike", "cooking", "it.testing"} <= (
        taxonomy.competence_codes()
    )


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("support_levels", ["low", "medium", "high"]),
        ("placement_modes", ["workshop", "on_site", "enclave", "individual"]),
        (
            "certifications",
            ["iso9001", "iso14001", "vca", "haccp", "brc_ifs", "fsc", "weee_permit"],
        ),
        ("shifts", ["day", "early_late", "night", "weekend"]),
        ("time_pressure", ["low", "medium", "high"]),
        ("public_transport_access", ["good", "limited", "poor"]),
        (
            "decline_reasons",
            ["distance", "skills", "supervision", "capacity", "timing", "price", "other"],
        ),
    ],
)
def test_vocabulary_codes_and_labels(name, codes):
    vocab = taxonomy.vocabulary(name)
    assert list(vocab) == codes
    for entry in vocab.values():
        assert _is_labels(entry["label"])
        assert "description" not in entry or _is_labels(entry["description"])


def test_support_levels_are_described_and_labelled_in_dutch():
    vocab = taxonomy.vocabulary("support_levels")
    assert [v["label"]["nl"] for v in vocab.values()] == ["laag", "middel", "hoog"]
    assert all("description" in v for v in vocab.values())


def test_unknown_vocabulary_raises_key_error():
    with pytest.raises(KeyError, match="unknown vocabulary"):
        taxonomy.vocabulary("colours")


def test_vocabulary_returns_a_copy():
    taxonomy.vocabulary("shifts")["day"]["label"]["nl"] = "kapot"
    assert taxonomy.vocabulary("shifts")["day"]["label"]["nl"] == "dagwerk"


def test_activities_are_frozen_and_hashable():
    a = taxonomy.activity("returns.apparel")
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.binding = "low"
    with pytest.raises(TypeError):
        a.label["nl"] = "x"
    assert hash(a) == hash(taxonomy.activity("returns.apparel"))


def test_to_dict_is_json_ready():
    data = taxonomy.activity("assembly.manual").to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["modes"] == ["workshop", "enclave"]


# DESIGN §4.7: the seed opportunity cards are the calibration set. Each row: the card, its seed
# lines, the card's criteria (demand, SEC investment, fit, binding), its seed rating, and the
# taxonomy activity (and placement mode) whose criteria must give the same rating.
SEED_CARDS = [
    ("returns logistics", "000:3448-3456", ("high", "low", "high", "medium"), "high",
     "returns.general", None),
    ("product displays", "000:2958-2966", ("high", "high", "high", "high"), "medium",
     "displays.build", None),
    ("warehouse tasks", "000:3138-3144", ("high", "medium", "medium", "high"), "medium",
     "warehouse.handling", None),
    ("last-mile logistics", "000:3279-3287", ("high", "high", "low", "high"), "medium",
     "lastmile.delivery", None),
    ("own webshop for own products", "000:2793-2797", ("low", "low", "high", "high"), "medium",
     "fulfilment.webshop", None),
    ("enclave work for in-house production", "001:2322-2336", ("high", "low", "high", "high"),
     "high", "assembly.manual", "enclave"),
    ("social support of the elderly", "002:199-213", ("high", "low", "high", "high"), "high",
     "care.social", None),
]


@pytest.mark.parametrize(
    ("card", "seed_lines", "criteria", "rating", "code", "mode"), SEED_CARDS,
    ids=[c[0] for c in SEED_CARDS],
)
def test_rule_and_taxonomy_reproduce_each_seed_card(card, seed_lines, criteria, rating, code,
                                                    mode):
    assert taxonomy.potential_rating(*criteria) == rating
    activity = taxonomy.activity(code)
    assert activity.rated_potential(mode) == rating
    if mode is None:  # the enclave card is a mode of assembly, whose seed rating is medium
        assert activity.potential == rating


def test_every_activity_rated_as_its_seed_potential():
    for a in taxonomy.activities().values():
        assert a.competence_fit in ("low", "medium", "high")
        assert a.rated_potential() == a.potential, a.code


def test_potential_rating_rejects_unknown_levels():
    with pytest.raises(ValueError, match="competence_fit"):
        taxonomy.potential_rating("high", "low", "great", "high")


def test_potential_criteria_of_an_activity():
    criteria = taxonomy.activity("lastmile.delivery").potential_criteria()
    assert criteria == {
        "market_demand": "high",
        "investment": "high",
        "competence_fit": "low",
        "binding": "high",
    }
    assert taxonomy.potential_rating(**criteria) == "medium"
    enclave = taxonomy.activity("assembly.manual").potential_criteria("enclave")
    assert (enclave["market_demand"], enclave["binding"]) == ("high", "high")
