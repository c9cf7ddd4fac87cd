"""The demo data set (DESIGN §12) is valid, complete and deterministic. No database."""

import json
import re
import uuid
from collections import Counter

import pytest

from api.demo_data import DATA_DIR, DEMO_PASSWORD, build_demo_dataset, enterprise_number
from models import taxonomy
from models.gazetteer import lookup_postcode
from tests.seeds import require_seeds

MIDWEST_POSTCODES = {
    "8800", "8700", "8870", "8850", "8830", "8770", "8880", "8810",
    "8760", "8780", "8740", "8755", "8840", "8710", "8750", "8890",
}  # fmt: skip

# DESIGN §12: every Midwest municipality (the pre-2025 ones, so Meulebeke and Ruiselede are
# parts of Tielt and Wingene now) has at least one site
MIDWEST_MUNICIPALITIES = {
    "Roeselare", "Tielt", "Izegem", "Ardooie", "Hooglede", "Ingelmunster", "Ledegem",
    "Lichtervelde", "Meulebeke", "Moorslede", "Oostrozebeke", "Pittem", "Ruiselede", "Staden",
    "Wielsbeke", "Wingene",
}  # fmt: skip

SEED_NAMED = {
    "AROP", "Blankedale", "Mivas", "AMAB", "BW Imsir / Vlotter", "Ryhove", "Mariasteen",
    "De Lochting", "Groep Waak",
}  # fmt: skip


@pytest.fixture(scope="module")
def data():
    return build_demo_dataset()


def _orgs(data, kind):
    return [o for o in data["organisations"] if o["kind"] == kind]


def _provider_sites(data):
    return [s for o in _orgs(data, "provider") for s in o["sites"]]


def _capabilities(data):
    return [c for s in _provider_sites(data) for c in s["capabilities"]]


def _needs(data):
    return [n for o in _orgs(data, "company") for s in o["sites"] for n in s["needs"]]


def _free(site):
    w = site["workforce"]
    return w["free_fte_low"] + w["free_fte_medium"] + w["free_fte_high"]


# ---- size and coverage ---------------------------------------------------------------------


def test_sizes(data):
    kinds = Counter(o["kind"] for o in data["organisations"])
    assert kinds == {"provider": 31, "company": 33, "department": 1}
    assert sum(len(o["users"]) for o in data["organisations"]) == 68
    assert len(_provider_sites(data)) == 61
    assert sum(len(s["needs"]) > 0 for o in _orgs(data, "company") for s in o["sites"]) == 33
    assert len(_capabilities(data)) == 126
    assert len(_needs(data)) == 72


def test_midwest_is_emphasised_and_the_rest_of_flanders_present(data):
    postcodes = Counter(s["postcode"] for s in _provider_sites(data))
    assert MIDWEST_POSTCODES <= set(postcodes) | {
        s["postcode"] for o in _orgs(data, "company") for s in o["sites"]
    }
    midwest = sum(n for pc, n in postcodes.items() if pc in MIDWEST_POSTCODES)
    assert midwest == 19
    provinces = Counter(lookup_postcode(s["postcode"]).province for s in _provider_sites(data))
    assert provinces == {"west-vlaanderen": 30, "antwerpen": 10, "oost-vlaanderen": 10,
                         "vlaams-brabant": 7, "limburg": 4}


def test_every_midwest_municipality_has_a_site_at_its_own_place(data):
    places = [lookup_postcode(s["postcode"]) for o in data["organisations"] for s in o["sites"]]
    localities = Counter(p.locality for p in places if p.postcode in MIDWEST_POSTCODES)
    assert set(localities) == MIDWEST_MUNICIPALITIES
    assert sum(localities.values()) == 31
    # Meulebeke and Ruiselede are parts of Tielt and Wingene since 2025, at their own points
    meulebeke, tielt = lookup_postcode("8760"), lookup_postcode("8700")
    ruiselede, wingene = lookup_postcode("8755"), lookup_postcode("8750")
    assert (meulebeke.municipality, ruiselede.municipality) == ("Tielt", "Wingene")
    assert (meulebeke.lat, meulebeke.lon) != (tielt.lat, tielt.lon)
    assert (ruiselede.lat, ruiselede.lon) != (wingene.lat, wingene.lon)


def test_needs_cover_every_activity_family_and_placement_mode(data):
    needs = _needs(data)
    assert {n["activity"] for n in needs} == taxonomy.activity_codes()
    assert {taxonomy.activity(n["activity"]).family for n in needs} == set(taxonomy.families())
    assert {n["placement_mode"] for n in needs} == set(taxonomy.PLACEMENT_MODES)


def test_capabilities_cover_every_activity_and_placement_mode(data):
    caps = _capabilities(data)
    assert {c["activity"] for c in caps} == taxonomy.activity_codes()
    assert {m for c in caps for m in c["placement_modes"]} == set(taxonomy.PLACEMENT_MODES)


# ---- taxonomy codes ------------------------------------------------------------------------


def test_capability_codes_are_valid_and_modes_fit_the_activity(data):
    certifications = set(taxonomy.vocabulary("certifications"))
    shifts = set(taxonomy.vocabulary("shifts"))
    for cap in _capabilities(data):
        activity = taxonomy.activity(cap["activity"])
        assert activity is not None
        assert cap["placement_modes"]
        assert set(cap["placement_modes"]) <= set(activity.modes), cap
        assert set(cap["competences"]) <= taxonomy.competence_codes()
        assert set(cap["certifications"]) <= certifications
        assert cap["shifts"]
        assert set(cap["shifts"]) <= shifts
        assert cap["service_radius_km"] > 0


def test_need_codes_are_valid_and_the_mode_fits_the_activity(data):
    vocab = {name: set(taxonomy.vocabulary(name)) for name in taxonomy.vocabulary_names()}
    for need in _needs(data):
        activity = taxonomy.activity(need["activity"])
        assert activity is not None
        assert need["placement_mode"] in activity.modes, need["title"]
        assert set(need["competences"]) <= taxonomy.competence_codes()
        assert need["competences"]
        assert need["accommodates_support"] in vocab["support_levels"]
        assert need["time_pressure"] in vocab["time_pressure"]
        assert set(need["shifts"]) <= vocab["shifts"]
        assert set(need["certifications_required"]) <= vocab["certifications"]
        assert need["status"] in {"open", "draft"}
        assert need["fte"] > 0
        assert need["max_distance_km"] is None or need["max_distance_km"] > 0
        if need["end_date"] is not None:
            assert need["end_date"] >= need["start_date"]


def test_public_transport_access_is_from_the_vocabulary(data):
    access = set(taxonomy.vocabulary("public_transport_access"))
    for org in data["organisations"]:
        for site in org["sites"]:
            assert site["public_transport_access"] in access


# ---- edge cases the engine must meet -------------------------------------------------------


def test_workforce_is_realistic(data):
    sites = _provider_sites(data)
    for site in sites:
        w = site["workforce"]
        for level in ("free_fte_low", "free_fte_medium", "free_fte_high"):
            assert 0 <= w[level] <= 25
        assert 0 <= w["supervisors_available"] <= 6
    assert sum(1 for s in sites if s["workforce"]["supervisors_available"] == 0) == 4
    assert sum(1 for s in sites if _free(s) == 0) == 3


def test_workforce_figures_have_varied_ages(data):
    # STALE_WORKFORCE_DAYS is 90: some figures are stale, some over a year old (DESIGN §12)
    ages = [s["workforce"]["age_days"] for s in _provider_sites(data)]
    assert sum(age > 90 for age in ages) == 10
    assert sum(age > 360 for age in ages) == 3
    assert sum(80 < age <= 90 for age in ages) == 1  # about to go stale
    assert len(set(ages)) == 36
    assert min(ages) >= 1


def test_some_needs_are_larger_than_any_single_provider_site(data):
    largest_site = max(_free(s) for s in _provider_sites(data))
    large = [n for n in _needs(data) if n["fte"] > largest_site]
    assert largest_site == 32.0
    assert len(large) == 5
    assert {n["status"] for n in large} == {"open"}


def test_peak_season_needs_carry_high_time_pressure(data):
    peak = [n for n in _needs(data) if n["peak_season"]]
    assert len(peak) == 4
    assert sum(1 for n in peak if n["time_pressure"] == "high") == 4


def test_night_work_is_both_required_and_offered(data):
    assert sum(1 for n in _needs(data) if "night" in n["shifts"]) == 2
    assert sum(1 for c in _capabilities(data) if "night" in c["shifts"]) == 5


def test_certifications_are_required_and_offered(data):
    required = Counter(c for n in _needs(data) for c in n["certifications_required"])
    offered = Counter(c for cap in _capabilities(data) for c in cap["certifications"])
    assert required == {"haccp": 6, "vca": 4, "fsc": 3, "weee_permit": 3, "brc_ifs": 1,
                        "iso9001": 1}
    assert offered == {"vca": 12, "haccp": 11, "fsc": 5, "iso9001": 5, "weee_permit": 4,
                       "brc_ifs": 1, "iso14001": 1}


def test_some_company_sites_are_poorly_served_by_public_transport(data):
    poor = [
        s
        for o in _orgs(data, "company")
        for s in o["sites"]
        if s["public_transport_access"] == "poor"
    ]
    assert len(poor) == 6
    # the Tielt-Roeselare area (seeds 004:410)
    assert {"8700", "8830", "8850"} <= {s["postcode"] for s in poor}


def test_needs_mix_complementary_flags_and_statuses(data):
    needs = _needs(data)
    complementary = Counter(n["complementary"] for n in needs)
    status = Counter(n["status"] for n in needs)
    assert complementary == {True: 64, False: 8}
    assert status == {"open": 68, "draft": 4}


def test_company_sites_have_needs_and_provider_sites_have_capabilities(data):
    for org in _orgs(data, "company"):
        for site in org["sites"]:
            assert site["needs"]
            assert "workforce" not in site
    for site in _provider_sites(data):
        assert site["capabilities"]
        assert set(site["workforce"]) == {
            "free_fte_low",
            "free_fte_medium",
            "free_fte_high",
            "supervisors_available",
            "age_days",
        }


# ---- identities ----------------------------------------------------------------------------


def test_enterprise_number_helper_computes_the_check_digits():
    assert enterprise_number(4031997) == "0403.199.702"
    with pytest.raises(ValueError, match="first digit"):
        enterprise_number(20_000_000)


def test_enterprise_numbers_are_valid_and_unique(data):
    numbers = [o["enterprise_number"] for o in data["organisations"]]
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        assert re.fullmatch(r"[01]\d{3}\.\d{3}\.\d{3}", number)
        digits = number.replace(".", "")
        assert 97 - int(digits[:8]) % 97 == int(digits[8:])


def test_keys_are_unique(data):
    org_keys = [o["key"] for o in data["organisations"]]
    site_keys = [s["key"] for o in data["organisations"] for s in o["sites"]]
    assert len(set(org_keys)) == len(org_keys)
    assert len(set(site_keys)) == len(site_keys)


def test_emails_are_unique_on_reserved_domains_with_long_passwords(data):
    users = [u for o in data["organisations"] for u in o["users"]]
    emails = [u["email"] for u in users]
    assert len(set(emails)) == len(emails)
    for org in data["organisations"]:
        assert org["users"]
        assert org["contact_email"].endswith((".example.be", "@example.be"))
    for user in users:
        assert re.fullmatch(r"[a-z0-9.]+@([a-z0-9-]+\.)*example\.(be|com)", user["email"])
        assert len(user["password"]) >= 12
        assert user["full_name"]
    assert len(DEMO_PASSWORD) >= 12


def test_demo_logins_exist_with_the_right_kind(data):
    kind_of = {u["email"]: o["kind"] for o in data["organisations"] for u in o["users"]}
    logins = data["demo_logins"]
    assert kind_of[logins["company"]] == "company"
    assert kind_of[logins["provider"]] == "provider"
    assert kind_of[logins["staff"]] == "department"


def test_staff_users_belong_to_the_department(data):
    (department,) = _orgs(data, "department")
    assert department["name"] == "Departement Werk en Sociale Economie"
    assert data["staff_users"] == department["users"]
    assert len(data["staff_users"]) == 1


def test_demo_provider_has_work_nearby(data):
    # the provider demo login should see opportunities: a need of its activity in its area
    provider = next(
        o
        for o in _orgs(data, "provider")
        if data["demo_logins"]["provider"] in {u["email"] for u in o["users"]}
    )
    activities = {c["activity"] for s in provider["sites"] for c in s["capabilities"]}
    near = {n["activity"] for o in _orgs(data, "company") for s in o["sites"]
            if s["postcode"] in MIDWEST_POSTCODES for n in s["needs"]}  # fmt: skip
    assert activities & near


# ---- who may carry a real name -------------------------------------------------------------


def test_only_seed_named_providers_are_not_illustrative(data):
    real = {o["name"] for o in data["organisations"] if not o["illustrative"]}
    assert real == SEED_NAMED | {"Departement Werk en Sociale Economie"}
    for org in data["organisations"]:
        if org["illustrative"]:
            assert "(illustratief)" in org["name"]


def test_companies_are_all_illustrative(data):
    assert all(o["illustrative"] for o in _orgs(data, "company"))


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        # activities the seeds attribute to each named maatwerkbedrijf
        ("AROP", {"displays.build", "fulfilment.webshop"}),  # 000:2866, 000:2713
        ("Blankedale", {"displays.build"}),  # 000:2868, 000:2948
        ("Mivas", {"displays.build", "packaging.copacking"}),  # 000:2868, 000:3692
        ("AMAB", {"returns.apparel", "packaging.copacking", "packaging.primary"}),  # 000:3692
        ("BW Imsir / Vlotter", {"returns.electronics", "lastmile.delivery"}),  # 000:4045, 3223
        ("Ryhove", {"packaging.primary"}),  # 001:2367-2370
        ("Mariasteen", {"assembly.manual", "production.metal"}),  # 001:1935
        ("Groep Waak", {"assembly.manual"}),  # 003:5-13
        # the seeds name De Lochting (004:1535) but give it no activity: its are illustrative
        ("De Lochting", {"green.maintenance", "packaging.copacking"}),
    ],
)
def test_seed_named_provider_carries_only_seed_activities(data, name, allowed):
    (org,) = [o for o in data["organisations"] if o["name"] == name]
    activities = {c["activity"] for s in org["sites"] for c in s["capabilities"]}
    assert activities
    assert activities <= allowed


# ---- geography and determinism -------------------------------------------------------------


def test_every_postcode_resolves_in_flanders(data):
    for org in data["organisations"]:
        for site in org["sites"]:
            place = lookup_postcode(site["postcode"])
            assert place is not None, site["postcode"]
            assert place.region == "flanders", site["postcode"]


def test_is_deterministic():
    assert build_demo_dataset() == build_demo_dataset()
    assert build_demo_dataset(7) == build_demo_dataset(7)


def test_random_state_changes_only_generated_figures():
    a, b = build_demo_dataset(1), build_demo_dataset(2)
    assert [o["key"] for o in a["organisations"]] == [o["key"] for o in b["organisations"]]
    assert _needs(a) == _needs(b)
    assert [s["workforce"] for s in _provider_sites(a)] != [
        s["workforce"] for s in _provider_sites(b)
    ]


def test_callers_get_fresh_objects():
    first = build_demo_dataset()
    first["organisations"][0]["sites"].clear()
    assert build_demo_dataset()["organisations"][0]["sites"]


# ---- the API's own request schemas accept the data ------------------------------------------


def test_records_pass_the_create_schemas(data):
    from models.capability import CapabilityCreate
    from models.need import NeedCreate
    from models.organisation import OrganisationCreate, UserCreate
    from models.site import SiteCreate, WorkforceUpdate

    site_id = uuid.uuid4()
    for org in data["organisations"]:
        if org["kind"] != "department":
            fields = {k: org[k] for k in ("kind", "name", "enterprise_number", "nace_codes",
                                          "description", "website", "contact_email",
                                          "contact_phone")}  # fmt: skip
            OrganisationCreate.model_validate(fields)
        for user in org["users"]:
            UserCreate.model_validate(user)
        for site in org["sites"]:
            SiteCreate.model_validate(
                {k: site[k] for k in ("name", "street", "postcode", "public_transport_access")}
            )
            if "workforce" in site:
                figures = {k: v for k, v in site["workforce"].items() if k != "age_days"}
                WorkforceUpdate.model_validate(figures)
            for cap in site.get("capabilities", []):
                CapabilityCreate.model_validate({**cap, "site_id": site_id})
            for need in site.get("needs", []):
                fields = {k: v for k, v in need.items() if k != "status"}
                NeedCreate.model_validate({**fields, "site_id": site_id})


# ---- where the seeds place the named maatwerkbedrijven -----------------------------------------


def _org(data, name):
    (org,) = [o for o in data["organisations"] if o["name"] == name]
    return org


def test_arop_is_in_wilrijk(data):
    (site,) = _org(data, "AROP")["sites"]
    place = lookup_postcode(site["postcode"])
    assert (place.municipality, place.locality) == ("Antwerpen", "Wilrijk")
    assert place.approximate is False


def test_the_seed_line_placing_arop_says_wilrijk():
    seeds = require_seeds()
    (study,) = seeds.glob("001_*.txt")
    line = study.read_text(encoding="utf-8").splitlines()[2083 - 1]
    assert "Arop" in line
    assert "Wilrijk" in line


def test_de_lochting_is_present_and_its_activities_are_marked_illustrative(data):
    org = _org(data, "De Lochting")
    assert org["kind"] == "provider"
    assert org["illustrative"] is False  # the name is from the seeds
    assert "004:1535" in org["description"]
    assert "illustratief" in org["description"]
    (site,) = org["sites"]
    assert lookup_postcode(site["postcode"]).postcode in MIDWEST_POSTCODES
    assert [c["activity"] for c in site["capabilities"]] == [
        "green.maintenance", "packaging.copacking"]
    assert all("(illustratief)" in c["description"] for c in site["capabilities"])


def test_every_seed_named_capability_cites_a_seed_line():
    raw = json.loads((DATA_DIR / "seed_providers.json").read_text(encoding="utf-8"))
    assert len(raw) == 9
    cited = 0
    for org in raw:
        for site in org["sites"]:
            for cap in site["capabilities"]:
                if org["key"] == "de-lochting":
                    assert cap["source"].startswith("illustrative")
                else:
                    assert re.search(r"\b00[0-4]:\d+", cap["source"]), cap
                    cited += 1
    assert cited == 15
