"""The demo data set for Flanders (DESIGN §12), as plain data.

``build_demo_dataset()`` returns dicts and lists only: no database, no I/O, and the same
result for the same ``random_state``. The CLI (``koppel demo``) turns it into rows.

Shape::

    {"organisations": [{"key", "kind", "name", "enterprise_number", "nace_codes",
                        "description", "website", "illustrative", "contact_email",
                        "contact_phone", "users": [...], "sites": [...]}],
     "demo_logins": {"company": email, "provider": email, "staff": email},
     "staff_users": [...]}

Create users from ``organisations[*].users`` (the role follows the organisation's kind:
company, provider, or department → staff). ``staff_users`` lists the department's users
again for convenience; it is not a second set of accounts.

Who is who
----------
* Maatwerkbedrijven named in the seed studies carry only the activities the seeds attribute
  to them (each cites its seed line) and ``illustrative: False``; their sites, street-less
  addresses, capacity and contact details are still invented for the demo.
* Every other provider and every company is fictional and ``illustrative: True``.
* Emails use the reserved ``example.be`` domain; every user's password is ``DEMO_PASSWORD``.
  People's names are invented and deliberately unlike the interviewees named in the seeds.

The set has an emphasis on West-Flanders and the Midwest region (Roeselare, Tielt, Izegem …)
and covers every activity, family and placement mode of the taxonomy, with edge cases the
engine must handle: sites without supervisors or without free capacity, night work, peak
season needs (seeds 000:3534-3546), certifications, needs larger than any single provider
site (a samenwerkingsverband, 004:1191) and company sites poorly served by public transport
(the Tielt-Roeselare area, 004:410).
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

from models import taxonomy

__all__ = [
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "build_demo_dataset",
    "enterprise_number",
]

# Demo only: printed by `koppel demo`; never use outside a local demo.
DEMO_PASSWORD = "koppel-demo-2026"

DEMO_LOGINS = {
    "company": "els.vandenberghe@modehuis-online.example.be",
    "provider": "pieter.declercq@maatwerk-leiestreek.example.be",
    "staff": "sofie.willems@wse.example.be",
}

_DOMAIN = "example.be"

# Default service radius by the activity's local binding: clients of tightly bound work
# are near (DESIGN §4.3 decay lengths 15/30/75 km).
_RADIUS_BY_BINDING = {"high": 25.0, "medium": 40.0, "low": 80.0}


# ---- enterprise numbers -------------------------------------------------------------------


def enterprise_number(prefix: int) -> str:
    """A valid KBO number from its first eight digits (``0 <= prefix < 20_000_000``).

    The last two digits are ``97 - prefix % 97``.

    >>> enterprise_number(4031997)
    '0403.199.702'
    """
    if not 0 <= prefix < 20_000_000:
        raise ValueError("the first digit of an enterprise number is 0 or 1")
    digits = f"{prefix:08d}{97 - prefix % 97:02d}"
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def _enterprise_prefix(key: str, random_state: int, taken: set[int]) -> int:
    # Derived from the key (not from iteration order) so adding an organisation does not
    # renumber the others; fictional, in the range of today's numbers (0200… to 1999…).
    digest = hashlib.sha256(f"{random_state}:{key}".encode()).digest()
    prefix = 2_000_000 + int.from_bytes(digest[:8], "big") % 18_000_000
    while prefix in taken:
        prefix = 2_000_000 + (prefix - 2_000_000 + 1) % 18_000_000
    taken.add(prefix)
    return prefix


# ---- small builders -----------------------------------------------------------------------


def _cap(
    activity: str,
    modes: tuple[str, ...] | None = None,
    *,
    radius: float | None = None,
    certs: tuple[str, ...] = (),
    shifts: tuple[str, ...] = ("day",),
    extra: tuple[str, ...] = (),
    description: str | None = None,
    active: bool = True,
) -> dict[str, Any]:
    spec = taxonomy.activity(activity)
    if spec is None:
        raise ValueError(f"unknown activity {activity!r}")
    competences = list(dict.fromkeys((*spec.typical_competences, *extra)))
    return {
        "activity": activity,
        "competences": competences,
        "description": description or spec.label["nl"],
        "placement_modes": list(modes or spec.modes),
        "service_radius_km": radius if radius is not None else _RADIUS_BY_BINDING[spec.binding],
        "certifications": list(certs),
        "shifts": list(shifts),
        "active": active,
    }


def _need(
    activity: str,
    mode: str,
    fte: float,
    title: str,
    description: str,
    *,
    support: str = "medium",
    time_pressure: str | None = None,
    peak: bool = False,
    shifts: tuple[str, ...] = ("day",),
    certs: tuple[str, ...] = (),
    max_km: float | None = 40.0,
    complementary: bool = True,
    start: str = "2027-01-15",
    end: str | None = None,
    status: str = "open",
    extra: tuple[str, ...] = (),
    drop: tuple[str, ...] = (),
) -> dict[str, Any]:
    spec = taxonomy.activity(activity)
    if spec is None:
        raise ValueError(f"unknown activity {activity!r}")
    # a need starts from the activity's typical competences and may add or remove some
    competences = [c for c in dict.fromkeys((*spec.typical_competences, *extra)) if c not in drop]
    return {
        "title": title,
        "description": description,
        "activity": activity,
        "competences": competences,
        "placement_mode": mode,
        "fte": fte,
        "accommodates_support": support,
        "time_pressure": time_pressure or spec.time_pressure,
        "peak_season": peak,
        "shifts": list(shifts),
        "certifications_required": list(certs),
        "max_distance_km": max_km,
        "complementary": complementary,
        "start_date": start,
        "end_date": end,
        "status": status,
    }


def _site(
    key: str,
    name: str,
    street: str,
    postcode: str,
    transport: str = "good",
    *,
    size: str = "M",
    capabilities: list[dict[str, Any]] | None = None,
    needs: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    site: dict[str, Any] = {
        "key": key,
        "name": name,
        "street": street,
        "postcode": postcode,
        "public_transport_access": transport,
    }
    if capabilities is not None:
        site["_size"] = size  # resolved into a workforce by build_demo_dataset
        site["capabilities"] = capabilities
    if needs is not None:
        site["needs"] = needs
    return site


def _org(
    key: str,
    kind: str,
    name: str,
    *,
    nace: list[str],
    description: str,
    people: list[tuple[str, str]],
    sites: list[dict[str, Any]],
    illustrative: bool = True,
    phone: str,
) -> dict[str, Any]:
    host = f"{key}.{_DOMAIN}"
    return {
        "key": key,
        "kind": kind,
        "name": name,
        "nace_codes": nace,
        "description": description,
        "website": f"https://www.{host}/",
        "illustrative": illustrative,
        "contact_email": f"info@{host}",
        "contact_phone": phone,
        "users": [
            {
                "email": f"{_slug(first)}.{_slug(last)}@{host}",
                "password": DEMO_PASSWORD,
                "full_name": f"{first} {last}",
            }
            for first, last in people
        ],
        "sites": sites,
    }


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower().replace(" ", "") if ch.isalnum())


# ---- workforce ----------------------------------------------------------------------------

# Upper bounds of free FTE by support level and of supervisors, per site size. A site's total
# free FTE stays below 40, so the large needs (>= 40 FTE) need several providers.
# (low, medium, high, supervisors min, supervisors max)
_SIZES: dict[str, tuple[float, float, float, float, float]] = {
    "S": (5.0, 6.0, 3.0, 0.5, 2.0),
    "M": (10.0, 12.0, 6.0, 1.0, 4.0),
    "L": (20.0, 12.0, 6.0, 3.0, 6.0),
}

# Sites whose figures are fixed rather than drawn: the engine's edge cases.
_FIXED_WORKFORCE: dict[str, tuple[float, float, float, float]] = {
    # free workers but no free supervisor: enclave work is impossible (DESIGN §4.1)
    "mandelwerk-izegem": (6.0, 3.5, 0.0, 0.0),
    "westhoek-werkt-diksmuide": (4.0, 2.0, 0.0, 0.0),
    "kempen-maatwerk-herentals": (2.5, 1.0, 0.0, 0.0),
    # fully booked: no free capacity at all
    "houtland-torhout": (0.0, 0.0, 0.0, 1.0),
    "denderwerk-dendermonde": (0.0, 0.0, 0.0, 0.0),
    "pajottenland-halle": (0.0, 0.0, 0.0, 0.5),
    # mostly high-support workers
    "vlasbloem-meulebeke": (1.0, 3.0, 9.0, 3.0),
}


def _halves(rng: random.Random, upper: float) -> float:
    return round(rng.uniform(0.0, upper) * 2) / 2


def _workforce(random_state: int, site_key: str, size: str) -> dict[str, float]:
    # one generator per site, seeded by its key: adding a site does not change the others
    rng = random.Random(f"{random_state}:{site_key}")
    if site_key in _FIXED_WORKFORCE:
        low, medium, high, supervisors = _FIXED_WORKFORCE[site_key]
    else:
        max_low, max_medium, max_high, min_sup, max_sup = _SIZES[size]
        low = _halves(rng, max_low)
        medium = _halves(rng, max_medium)
        high = _halves(rng, max_high)
        supervisors = round(rng.uniform(min_sup, max_sup) * 2) / 2
        if low + medium + high == 0:
            low = 1.0  # only the fixed sites are fully booked
    return {
        "free_fte_low": low,
        "free_fte_medium": medium,
        "free_fte_high": high,
        "supervisors_available": supervisors,
    }


# ---- providers ----------------------------------------------------------------------------


def _seed_providers() -> list[dict[str, Any]]:
    """Maatwerkbedrijven named in the seeds, only with the activities the seeds give them."""
    note = "Naam en activiteiten uit de seedstudies; locatie en cijfers zijn illustratief."
    return [
        _org(
            "arop",
            "provider",
            "AROP",
            illustrative=False,
            nace=["82.92", "47.91"],
            description=f"Maatwerkbedrijf: productdisplays en een eigen webshopproduct. {note}",
            phone="+32 51 00 10 01",
            people=[("Ward", "Delanghe")],
            sites=[
                _site(
                    "arop-roeselare",
                    "AROP Roeselare",
                    "",
                    "8800",
                    size="L",
                    capabilities=[
                        # productdisplays for retailers or their suppliers (000:2866)
                        _cap(
                            "displays.build",
                            certs=("fsc",),
                            description="Displays in hout en karton op een kleine productielijn",
                        ),
                        # own product sold online, assembled and packed in-house (000:2713)
                        _cap(
                            "fulfilment.webshop",
                            description="Orders van de eigen webshop klaarmaken en verzenden",
                        ),
                    ],
                )
            ],
        ),
        _org(
            "blankedale",
            "provider",
            "Blankedale",
            illustrative=False,
            nace=["82.92"],
            description=f"Maatwerkbedrijf dat productdisplays bouwt. {note}",
            phone="+32 57 00 10 02",
            people=[("Griet", "Vandamme")],
            sites=[
                _site(
                    "blankedale-ieper",
                    "Blankedale Ieper",
                    "",
                    "8900",
                    capabilities=[
                        # Blankedale makes product displays (000:2868, 000:2948)
                        _cap("displays.build", description="Kartonnen en plastic displays"),
                    ],
                )
            ],
        ),
        _org(
            "mivas",
            "provider",
            "Mivas",
            illustrative=False,
            nace=["82.92"],
            description=f"Maatwerkbedrijf: productdisplays en herverpakking. {note}",
            phone="+32 56 00 10 03",
            people=[("Wim", "Verhaeghe")],
            sites=[
                _site(
                    "mivas-kortrijk",
                    "Mivas Kortrijk",
                    "",
                    "8500",
                    size="L",
                    capabilities=[
                        # displays (000:2868, 000:4079)
                        _cap("displays.build"),
                        # co-packing of duo and promo packs (000:3692)
                        _cap("packaging.copacking", shifts=("day", "early_late")),
                    ],
                )
            ],
        ),
        _org(
            "amab",
            "provider",
            "AMAB",
            illustrative=False,
            nace=["82.92", "96.01"],
            description=f"Maatwerkbedrijf met een business unit Repack en kledijretours. {note}",
            phone="+32 3 000 10 04",
            people=[("Jasper", "Aerts")],
            sites=[
                _site(
                    "amab-antwerpen",
                    "AMAB Antwerpen",
                    "",
                    "2000",
                    size="L",
                    capabilities=[
                        # clothing returns for a fashion retailer (000:3400, 000:4055-4057)
                        _cap("returns.apparel", ("workshop",)),
                        # repack / co-packing (000:3692)
                        _cap("packaging.copacking"),
                        # primary packaging of herbs (000:3718)
                        _cap(
                            "packaging.primary",
                            ("workshop",),
                            certs=("haccp",),
                            description="Kruiden afwegen en primair verpakken",
                        ),
                    ],
                )
            ],
        ),
        _org(
            "bw-imsir-vlotter",
            "provider",
            "BW Imsir / Vlotter",
            illustrative=False,
            nace=["38.32", "53.20"],
            description=f"Maatwerkbedrijven met een gezamenlijke coördinatie (000:255-257). {note}",
            phone="+32 15 00 10 05",
            people=[("Nele", "Goossens")],
            sites=[
                _site(
                    "bw-imsir-mechelen",
                    "BW Imsir Mechelen",
                    "",
                    "2800",
                    capabilities=[
                        # components recovered from discarded modems for a telecom (000:4045)
                        _cap("returns.electronics", certs=("weee_permit",)),
                        # about 10 % of its workers suit cargo-bike delivery (000:3223)
                        _cap("lastmile.delivery", ("on_site",), radius=15.0),
                    ],
                ),
                _site(
                    "vlotter-vilvoorde",
                    "Vlotter Vilvoorde",
                    "",
                    "1800",
                    capabilities=[
                        # BW Imsir/Vlotter electronics (000:255-257, 000:4045)
                        _cap("returns.electronics", certs=("weee_permit",)),
                    ],
                ),
            ],
        ),
        _org(
            "ryhove",
            "provider",
            "Ryhove",
            illustrative=False,
            nace=["82.92"],
            description=f"Maatwerkbedrijf dat Belgische chocolade verpakt. {note}",
            phone="+32 9 000 10 06",
            people=[("Emma", "Van Acker")],
            sites=[
                _site(
                    "ryhove-gent",
                    "Ryhove Gent",
                    "",
                    "9000",
                    size="L",
                    capabilities=[
                        # packaging of Belgian chocolate (001:2367-2370)
                        _cap(
                            "packaging.primary",
                            certs=("haccp", "brc_ifs"),
                            description="Chocolade primair verpakken",
                        ),
                    ],
                )
            ],
        ),
        _org(
            "mariasteen",
            "provider",
            "Mariasteen",
            illustrative=False,
            nace=["25.62", "28.99"],
            description=(
                "Sociale werkplaats met cobots en geprojecteerde werkinstructies voor montage "
                f"en metaal. {note}"
            ),
            phone="+32 51 00 10 07",
            people=[("Katrien", "Devos")],
            sites=[
                _site(
                    "mariasteen-hooglede",
                    "Mariasteen Gits",
                    "",
                    "8830",
                    "poor",
                    size="L",
                    capabilities=[
                        # assembly and metal with collaborative robots (001:1919-1945)
                        _cap(
                            "assembly.manual",
                            certs=("iso9001", "vca"),
                            description="Montage met cobots en geprojecteerde werkinstructies",
                        ),
                        _cap("production.metal", certs=("iso9001",)),
                    ],
                )
            ],
        ),
        _org(
            "waak",
            "provider",
            "Groep Waak",
            illustrative=False,
            nace=["28.25", "82.92"],
            description=(
                "Maatwerkbedrijf met industriële uitbestedingsopdrachten voor onder meer "
                f"Daikin (003:5-9). {note}"
            ),
            phone="+32 56 00 10 08",
            people=[("Hannes", "Degryse")],
            sites=[
                _site(
                    "waak-kuurne",
                    "Waak Kuurne",
                    "",
                    "8520",
                    size="L",
                    capabilities=[
                        # Daikin's outsourced industrial work kept in Flanders (003:5-13)
                        _cap(
                            "assembly.manual",
                            certs=("iso9001", "vca"),
                            shifts=("day", "early_late"),
                        ),
                    ],
                )
            ],
        ),
        # De Lochting (004:1305, 004:1535) is named in the seeds only for 'werkbaar werk' and
        # a reflection exercise, never with an activity, so it is not in the demo set.
    ]


def _illustrative_providers() -> list[dict[str, Any]]:
    """Fictional maatwerkbedrijven across Flanders, Midwest first."""
    p = "provider"
    return [
        _org(
            "maatwerk-leiestreek",
            p,
            "Maatwerk Leiestreek (illustratief)",
            nace=["82.92", "96.01"],
            description="Retourverwerking van kledij en webshopgoederen langs de Leie.",
            phone="+32 56 00 20 01",
            people=[("Pieter", "Declercq"), ("Nathalie", "Vercruysse")],
            sites=[
                _site(
                    "leiestreek-wielsbeke",
                    "Atelier Wielsbeke",
                    "Leiestraat 40",
                    "8710",
                    size="L",
                    capabilities=[
                        _cap("returns.apparel", extra=("photography",)),
                        _cap("returns.general", ("workshop",)),
                        _cap("packaging.copacking"),
                    ],
                ),
                _site(
                    "leiestreek-oostrozebeke",
                    "Atelier Oostrozebeke",
                    "Ingelmunstersteenweg 12",
                    "8780",
                    "limited",
                    capabilities=[
                        _cap("returns.apparel", ("workshop",)),
                        _cap("production.textile"),
                    ],
                ),
            ],
        ),
        _org(
            "mandelwerk",
            p,
            "Mandelwerk (illustratief)",
            nace=["82.92", "28.99"],
            description="Assemblage en verpakking voor de maakindustrie in de Mandelvallei.",
            phone="+32 51 00 20 02",
            people=[("Jan", "Vanhoutte")],
            sites=[
                _site(
                    "mandelwerk-ingelmunster",
                    "Werkplaats Ingelmunster",
                    "Stationsstraat 5",
                    "8770",
                    capabilities=[
                        _cap("assembly.manual", certs=("vca",)),
                        _cap("packaging.copacking"),
                    ],
                ),
                _site(
                    "mandelwerk-izegem",
                    "Werkplaats Izegem",
                    "Ambachtenstraat 18",
                    "8870",
                    capabilities=[
                        _cap("assembly.manual", ("workshop",)),
                        _cap("packaging.primary", ("workshop",), certs=("haccp",)),
                    ],
                ),
            ],
        ),
        _org(
            "houtland",
            p,
            "Atelier Houtland (illustratief)",
            nace=["16.23", "31.09"],
            description="Houtbewerking en displays in het Houtland.",
            phone="+32 51 00 20 03",
            people=[("Hilde", "Maes")],
            sites=[
                _site(
                    "houtland-lichtervelde",
                    "Schrijnwerkerij Lichtervelde",
                    "Industriestraat 3",
                    "8810",
                    "limited",
                    capabilities=[
                        _cap("production.wood", certs=("fsc",)),
                        _cap("displays.build", certs=("fsc",)),
                    ],
                ),
                _site(
                    "houtland-torhout",
                    "Atelier Torhout",
                    "Sint-Jozefsstraat 22",
                    "8820",
                    size="S",
                    capabilities=[_cap("production.wood"), _cap("assembly.manual", ("workshop",))],
                ),
            ],
        ),
        _org(
            "vlasbloem",
            p,
            "De Vlasbloem (illustratief)",
            nace=["14.13", "96.01"],
            description="Confectie, naaiwerk en wasserij met veel begeleiding op de werkvloer.",
            phone="+32 51 00 20 04",
            people=[("Marleen", "Vanneste")],
            sites=[
                _site(
                    "vlasbloem-meulebeke",
                    "Naaiatelier Meulebeke",
                    "Marktstraat 9",
                    "8760",
                    "poor",
                    capabilities=[
                        _cap("production.textile"),
                        _cap("returns.apparel", ("workshop",)),
                    ],
                ),
                _site(
                    "vlasbloem-tielt",
                    "Wasserij Tielt",
                    "Deinzestraat 61",
                    "8700",
                    "poor",
                    capabilities=[
                        _cap("returns.apparel"),
                        _cap("care.support", extra=("driving.b",)),
                    ],
                ),
            ],
        ),
        _org(
            "westhoek-werkt",
            p,
            "Westhoek Werkt (illustratief)",
            nace=["81.30", "82.92"],
            description="Groenonderhoud en verpakking in de Westhoek.",
            phone="+32 51 00 20 05",
            people=[("Bart", "Lefevere")],
            sites=[
                _site(
                    "westhoek-werkt-staden",
                    "Groenploeg Staden",
                    "Diksmuidestraat 30",
                    "8840",
                    "poor",
                    capabilities=[
                        _cap("green.maintenance", certs=("vca",)),
                        _cap("facility.cleaning", ("on_site",)),
                    ],
                ),
                _site(
                    "westhoek-werkt-diksmuide",
                    "Atelier Diksmuide",
                    "Woumenweg 14",
                    "8600",
                    "limited",
                    size="S",
                    capabilities=[_cap("packaging.copacking"), _cap("green.maintenance")],
                ),
            ],
        ),
        _org(
            "groenkracht-midwest",
            p,
            "Groenkracht Midwest (illustratief)",
            nace=["81.30"],
            description="Groenonderhoud van bedrijventerreinen en parkings in Midwest.",
            phone="+32 51 00 20 06",
            people=[("Dirk", "Vandenbussche")],
            sites=[
                _site(
                    "groenkracht-ardooie",
                    "Groendepot Ardooie",
                    "Wezestraat 7",
                    "8850",
                    "poor",
                    capabilities=[
                        _cap("green.maintenance", certs=("vca",), shifts=("day", "early_late")),
                    ],
                ),
                _site(
                    "groenkracht-pittem",
                    "Groendepot Pittem",
                    "Koolskampstraat 2",
                    "8740",
                    "poor",
                    size="S",
                    capabilities=[
                        _cap("green.maintenance"),
                        _cap("care.social", radius=15.0),
                    ],
                ),
            ],
        ),
        _org(
            "heuvelrug-maatwerk",
            p,
            "Maatwerk Heuvelrug (illustratief)",
            nace=["52.10", "82.92"],
            description="Magazijnploegen en retourverwerking tussen Moorslede en Ledegem.",
            phone="+32 56 00 20 07",
            people=[("Evelien", "Desmet")],
            sites=[
                _site(
                    "heuvelrug-moorslede",
                    "Logistiek atelier Moorslede",
                    "Roeselaarsestraat 101",
                    "8890",
                    "poor",
                    capabilities=[
                        _cap("warehouse.handling", shifts=("day", "early_late")),
                        _cap("returns.general"),
                    ],
                ),
                _site(
                    "heuvelrug-ledegem",
                    "Atelier Ledegem",
                    "Kortrijkstraat 55",
                    "8880",
                    "limited",
                    capabilities=[
                        _cap("warehouse.orderpick", shifts=("day", "early_late", "night")),
                        _cap("warehouse.handling", ("enclave",), shifts=("day", "night")),
                    ],
                ),
            ],
        ),
        _org(
            "veldwerk-wingene",
            p,
            "Veldwerk (illustratief)",
            nace=["81.30", "81.21"],
            description="Groen, schoonmaak en sociale ondersteuning in Wingene en Ruiselede.",
            phone="+32 51 00 20 08",
            people=[("Lotte", "Claeys")],
            sites=[
                _site(
                    "veldwerk-wingene",
                    "Veldwerk Wingene",
                    "Beernemsteenweg 16",
                    "8750",
                    "poor",
                    capabilities=[
                        _cap("green.maintenance"),
                        _cap("facility.cleaning", certs=("vca",)),
                    ],
                ),
                _site(
                    "veldwerk-ruiselede",
                    "Veldwerk Ruiselede",
                    "Aalterstraat 4",
                    "8755",
                    "poor",
                    size="S",
                    capabilities=[_cap("care.social", radius=20.0), _cap("care.support")],
                ),
            ],
        ),
        _org(
            "roeselaarse-werkplaats",
            p,
            "Roeselaarse Werkplaats (illustratief)",
            nace=["82.92", "52.10", "38.32"],
            description="Breed maatwerkbedrijf in de regio Roeselare.",
            phone="+32 51 00 20 09",
            people=[("Koen", "Vermeulen"), ("Ann", "Debruyne")],
            sites=[
                _site(
                    "roeselaarse-werkplaats-roeselare",
                    "Werkplaats Roeselare-Noord",
                    "Brugsesteenweg 250",
                    "8800",
                    size="L",
                    capabilities=[
                        _cap("returns.general"),
                        _cap("warehouse.handling", shifts=("day", "early_late")),
                        _cap("returns.electronics", certs=("weee_permit",)),
                        _cap("fulfilment.webshop"),
                    ],
                ),
                _site(
                    "roeselaarse-werkplaats-hooglede",
                    "Werkplaats Hooglede",
                    "Roeselarestraat 80",
                    "8830",
                    "poor",
                    capabilities=[
                        _cap("packaging.primary", certs=("haccp",)),
                        _cap("packaging.copacking"),
                    ],
                ),
            ],
        ),
        _org(
            "brugs-ambacht",
            p,
            "Brugs Ambacht (illustratief)",
            nace=["82.92", "18.12"],
            description="Drukwerkafwerking, verpakking en retourverwerking in Brugge en Oostende.",
            phone="+32 50 00 20 10",
            people=[("Stijn", "Goethals")],
            sites=[
                _site(
                    "brugs-ambacht-brugge",
                    "Atelier Brugge",
                    "Kolvestraat 11",
                    "8000",
                    size="L",
                    capabilities=[
                        _cap("production.print", certs=("fsc",)),
                        _cap("packaging.copacking"),
                        _cap("returns.general"),
                    ],
                ),
                _site(
                    "brugs-ambacht-oostende",
                    "Atelier Oostende",
                    "Slijkensesteenweg 6",
                    "8400",
                    capabilities=[
                        _cap("facility.cleaning"),
                        _cap("care.support", certs=("haccp",)),
                    ],
                ),
            ],
        ),
        _org(
            "kortrijks-atelier",
            p,
            "Kortrijks Atelier (illustratief)",
            nace=["82.92", "25.62"],
            description="Assemblage, metaal en verpakking in Zuid-West-Vlaanderen.",
            phone="+32 56 00 20 11",
            people=[("Frederik", "Dewaele")],
            sites=[
                _site(
                    "kortrijks-atelier-kortrijk",
                    "Atelier Kortrijk",
                    "Kortrijkse Ring 3",
                    "8500",
                    size="L",
                    capabilities=[
                        _cap("assembly.manual", certs=("vca",)),
                        _cap("production.metal", certs=("iso9001",)),
                    ],
                ),
                _site(
                    "kortrijks-atelier-waregem",
                    "Atelier Waregem",
                    "Zuiderlaan 20",
                    "8790",
                    capabilities=[
                        _cap("warehouse.handling"),
                        _cap("returns.general", ("on_site",)),
                    ],
                ),
                _site(
                    "kortrijks-atelier-menen",
                    "Atelier Menen",
                    "Industrielaan 44",
                    "8930",
                    "limited",
                    capabilities=[
                        _cap("packaging.copacking", shifts=("day", "early_late", "night")),
                        _cap("displays.build"),
                    ],
                ),
            ],
        ),
        _org(
            "gentse-werkhaven",
            p,
            "Gentse Werkhaven (illustratief)",
            nace=["52.10", "82.92", "53.20"],
            description="Logistiek maatwerk in en rond de Gentse haven.",
            phone="+32 9 000 20 12",
            people=[("Sarah", "De Smet")],
            sites=[
                _site(
                    "werkhaven-gent",
                    "Werkhaven Gent",
                    "Skaldenstraat 1",
                    "9000",
                    size="L",
                    capabilities=[
                        _cap("warehouse.handling", shifts=("day", "early_late")),
                        _cap("warehouse.orderpick"),
                        _cap("returns.general"),
                        _cap("lastmile.delivery", radius=10.0),
                    ],
                ),
                _site(
                    "werkhaven-eeklo",
                    "Werkhaven Eeklo",
                    "Zuidmoerstraat 8",
                    "9900",
                    "limited",
                    size="S",
                    capabilities=[_cap("packaging.copacking"), _cap("returns.apparel")],
                ),
                _site(
                    "werkhaven-deinze",
                    "Werkhaven Deinze",
                    "Industrielaan 9",
                    "9800",
                    capabilities=[_cap("assembly.manual"), _cap("production.wood")],
                ),
            ],
        ),
        _org(
            "scheldewerk",
            p,
            "Scheldewerk (illustratief)",
            nace=["52.10", "81.21", "38.32"],
            description="Maatwerk voor de Antwerpse logistiek en facilitaire diensten.",
            phone="+32 3 000 20 13",
            people=[("Youssef", "El Amrani")],
            sites=[
                _site(
                    "scheldewerk-antwerpen",
                    "Scheldewerk Antwerpen",
                    "Noorderlaan 120",
                    "2030",
                    size="L",
                    capabilities=[
                        _cap("warehouse.handling", shifts=("day", "early_late", "night")),
                        _cap("warehouse.orderpick", shifts=("day", "night")),
                        _cap("facility.cleaning", certs=("vca",), shifts=("early_late",)),
                        _cap("returns.electronics", certs=("weee_permit", "iso14001")),
                    ],
                ),
                _site(
                    "scheldewerk-boom",
                    "Scheldewerk Boom",
                    "Kapelstraat 50",
                    "2850",
                    capabilities=[_cap("green.maintenance"), _cap("production.metal")],
                ),
            ],
        ),
        _org(
            "kempen-maatwerk",
            p,
            "Kempen Maatwerk (illustratief)",
            nace=["82.92", "62.01", "25.62"],
            description="Verpakking, metaal en digitale diensten in de Kempen.",
            phone="+32 14 00 20 14",
            people=[("Inge", "Peeters")],
            sites=[
                _site(
                    "kempen-maatwerk-turnhout",
                    "Kempen Maatwerk Turnhout",
                    "Steenweg op Merksplas 15",
                    "2300",
                    capabilities=[
                        _cap("production.print"),
                        _cap("digital.services", ("workshop",)),
                    ],
                ),
                _site(
                    "kempen-maatwerk-geel",
                    "Kempen Maatwerk Geel",
                    "Kleinhoefstraat 4",
                    "2440",
                    size="L",
                    capabilities=[
                        _cap("production.metal", certs=("iso9001", "vca")),
                        _cap("assembly.manual"),
                        _cap("packaging.copacking"),
                    ],
                ),
                _site(
                    "kempen-maatwerk-herentals",
                    "Kempen Maatwerk Herentals",
                    "Atealaan 30",
                    "2200",
                    "limited",
                    size="S",
                    capabilities=[_cap("green.maintenance"), _cap("facility.cleaning")],
                ),
            ],
        ),
        _org(
            "dijle-maatwerk",
            p,
            "Dijle Maatwerk (illustratief)",
            nace=["62.01", "63.11", "82.92"],
            description="Digitale diensten en softwaretesten met job coaching in Leuven.",
            phone="+32 16 00 20 15",
            people=[("Tom", "Wouters")],
            sites=[
                _site(
                    "dijle-maatwerk-leuven",
                    "Dijle Maatwerk Leuven",
                    "Vaartkom 31",
                    "3000",
                    capabilities=[
                        _cap("digital.services", extra=("photography",)),
                        _cap("returns.general", ("workshop",)),
                    ],
                ),
                _site(
                    "dijle-maatwerk-aarschot",
                    "Dijle Maatwerk Aarschot",
                    "Nieuwlandlaan 18",
                    "3200",
                    "limited",
                    capabilities=[
                        _cap("packaging.primary", certs=("haccp",)),
                        _cap("assembly.manual"),
                    ],
                ),
                _site(
                    "dijle-maatwerk-tienen",
                    "Dijle Maatwerk Tienen",
                    "Ambachtenlaan 2",
                    "3300",
                    size="S",
                    capabilities=[_cap("packaging.primary", ("workshop",), certs=("haccp",))],
                ),
            ],
        ),
        _org(
            "limburgs-werkatelier",
            p,
            "Limburgs Werkatelier (illustratief)",
            nace=["82.92", "25.62", "81.30"],
            description="Maatwerk in Limburg: assemblage, metaal, groen en zorgondersteuning.",
            phone="+32 11 00 20 16",
            people=[("Kristof", "Bosmans")],
            sites=[
                _site(
                    "limburgs-werkatelier-hasselt",
                    "Werkatelier Hasselt",
                    "Kempische Steenweg 290",
                    "3500",
                    capabilities=[
                        _cap("care.support", certs=("haccp",)),
                        _cap("facility.cleaning"),
                    ],
                ),
                _site(
                    "limburgs-werkatelier-genk",
                    "Werkatelier Genk",
                    "Industrieweg 12",
                    "3600",
                    size="L",
                    capabilities=[
                        _cap("assembly.manual", certs=("vca",), shifts=("day", "early_late")),
                        _cap("production.metal", certs=("vca",)),
                        _cap("returns.electronics"),
                    ],
                ),
                _site(
                    "limburgs-werkatelier-sint-truiden",
                    "Werkatelier Sint-Truiden",
                    "Tiensesteenweg 7",
                    "3800",
                    capabilities=[
                        _cap("green.maintenance"),
                        _cap("packaging.primary", ("workshop",)),
                    ],
                ),
                _site(
                    "limburgs-werkatelier-lommel",
                    "Werkatelier Lommel",
                    "Kanaalstraat 3",
                    "3920",
                    "limited",
                    size="S",
                    capabilities=[_cap("production.wood", certs=("fsc",))],
                ),
            ],
        ),
        _org(
            "denderwerk",
            p,
            "Denderwerk (illustratief)",
            nace=["82.92", "14.13"],
            description="Verpakking en textiel in de Denderstreek.",
            phone="+32 53 00 20 17",
            people=[("Veerle", "De Cock")],
            sites=[
                _site(
                    "denderwerk-aalst",
                    "Denderwerk Aalst",
                    "Erembodegemstraat 20",
                    "9300",
                    capabilities=[
                        _cap("packaging.copacking"),
                        _cap("returns.apparel"),
                        _cap("production.textile"),
                    ],
                ),
                _site(
                    "denderwerk-dendermonde",
                    "Denderwerk Dendermonde",
                    "Noordlaan 5",
                    "9200",
                    capabilities=[_cap("packaging.copacking"), _cap("displays.build")],
                ),
            ],
        ),
        _org(
            "waasland-maatwerk",
            p,
            "Waasland Maatwerk (illustratief)",
            nace=["52.10", "82.92"],
            description="E-commerce fulfilment en magazijnwerk in het Waasland.",
            phone="+32 3 000 20 18",
            people=[("Hanne", "Van Damme")],
            sites=[
                _site(
                    "waasland-sint-niklaas",
                    "Waasland Maatwerk Sint-Niklaas",
                    "Industriepark-West 40",
                    "9100",
                    capabilities=[
                        _cap("fulfilment.webshop"),
                        _cap("returns.general"),
                        _cap("warehouse.handling", ("on_site",)),
                    ],
                ),
                _site(
                    "waasland-lokeren",
                    "Waasland Maatwerk Lokeren",
                    "Zelebaan 60",
                    "9160",
                    capabilities=[
                        _cap("warehouse.orderpick", shifts=("day", "early_late")),
                        _cap("fulfilment.webshop"),
                    ],
                ),
            ],
        ),
        _org(
            "zorgkracht",
            p,
            "Zorgkracht Maatwerk (illustratief)",
            nace=["88.10", "96.01"],
            description="Multi-enclaves in woonzorgcentra en ziekenhuizen (002:219-242).",
            phone="+32 9 000 20 19",
            people=[("Elke", "Martens")],
            sites=[
                _site(
                    "zorgkracht-roeselare",
                    "Zorgkracht Roeselare",
                    "Mandellaan 100",
                    "8800",
                    capabilities=[
                        _cap("care.support", certs=("haccp",), shifts=("day", "weekend")),
                        _cap("care.social", radius=20.0),
                    ],
                ),
                _site(
                    "zorgkracht-gent",
                    "Zorgkracht Gent",
                    "Sint-Pietersnieuwstraat 70",
                    "9000",
                    capabilities=[
                        _cap("care.support", certs=("haccp",), shifts=("day", "early_late")),
                        _cap("care.social", radius=15.0),
                    ],
                ),
                _site(
                    "zorgkracht-leuven",
                    "Zorgkracht Leuven",
                    "Brusselsestraat 90",
                    "3000",
                    capabilities=[
                        _cap("care.support", certs=("haccp",)),
                        _cap("facility.cleaning"),
                    ],
                ),
            ],
        ),
        _org(
            "fietskoeriers-maatwerk",
            p,
            "Trappers Maatwerk (illustratief)",
            nace=["53.20"],
            description="Last-mile leveringen met elektrische bakfietsen in stadscentra.",
            phone="+32 3 000 20 20",
            people=[("Jonas", "Vervoort")],
            sites=[
                _site(
                    "trappers-antwerpen",
                    "Trappers Antwerpen",
                    "Kammenstraat 12",
                    "2000",
                    size="S",
                    capabilities=[
                        _cap("lastmile.delivery", radius=10.0, shifts=("day", "weekend"))
                    ],
                ),
                _site(
                    "trappers-brugge",
                    "Trappers Brugge",
                    "Langestraat 90",
                    "8000",
                    size="S",
                    capabilities=[_cap("lastmile.delivery", radius=10.0)],
                ),
                _site(
                    "trappers-mechelen",
                    "Trappers Mechelen",
                    "Bruul 20",
                    "2800",
                    size="S",
                    capabilities=[
                        _cap("lastmile.delivery", ("on_site",), radius=10.0),
                        _cap("digital.services", ("individual",)),
                    ],
                ),
            ],
        ),
        _org(
            "vlaamse-ardennen-maatwerk",
            p,
            "Ardennenwerk (illustratief)",
            nace=["81.30", "16.23"],
            description="Groen en hout in de Vlaamse Ardennen.",
            phone="+32 55 00 20 21",
            people=[("Ruben", "Van Hecke")],
            sites=[
                _site(
                    "ardennenwerk-oudenaarde",
                    "Ardennenwerk Oudenaarde",
                    "Westerring 25",
                    "9700",
                    "limited",
                    capabilities=[
                        _cap("green.maintenance", certs=("vca",)),
                        _cap("production.wood"),
                    ],
                ),
            ],
        ),
        _org(
            "pajottenland-maatwerk",
            p,
            "Pajotwerk (illustratief)",
            nace=["82.92", "81.21"],
            description="Schoonmaak en verpakking in Halle en Vilvoorde.",
            phone="+32 2 000 20 22",
            people=[("Lien", "Verstraeten")],
            sites=[
                _site(
                    "pajottenland-halle",
                    "Pajotwerk Halle",
                    "Bergensesteenweg 140",
                    "1500",
                    capabilities=[_cap("packaging.copacking"), _cap("facility.cleaning")],
                ),
                _site(
                    "pajottenland-vilvoorde",
                    "Pajotwerk Vilvoorde",
                    "Schaarbeeklei 200",
                    "1800",
                    capabilities=[
                        _cap("facility.cleaning", shifts=("early_late", "weekend")),
                        _cap("digital.services"),
                    ],
                ),
            ],
        ),
    ]


# ---- companies and their needs -------------------------------------------------------------


def _companies() -> list[dict[str, Any]]:
    """Fictional regular-economy companies (REC), all illustrative."""
    c = "company"
    return [
        _org(
            "modehuis-online",
            c,
            "Modehuis Online BV (illustratief)",
            nace=["47.91"],
            description="Kledingwebshop met een distributiecentrum in Roeselare.",
            phone="+32 51 00 30 01",
            people=[("Els", "Vandenberghe"), ("Maarten", "Coppens")],
            sites=[
                _site(
                    "modehuis-roeselare",
                    "Distributiecentrum Roeselare",
                    "Oostnieuwkerksesteenweg 150",
                    "8800",
                    needs=[
                        _need(
                            "returns.apparel",
                            "workshop",
                            6.0,
                            "Retourkledij herconditioneren",
                            "Retours wassen, strijken, herstellen, plooien en herverpakken zodat "
                            "ze opnieuw verkocht kunnen worden.",
                            extra=("photography",),
                            start="2027-01-04",
                        ),
                        _need(
                            "returns.apparel",
                            "on_site",
                            3.0,
                            "Retourkledij sorteren in ons DC",
                            "Inkomende retourpakketten openen, kledij keuren en sorteren in ons "
                            "distributiecentrum.",
                            support="low",
                            drop=("laundry", "textile.repair"),
                            start="2027-02-01",
                        ),
                        _need(
                            "returns.general",
                            "workshop",
                            4.0,
                            "Retours fotograferen voor tweedehandsverkoop",
                            "Retourartikelen uitpakken, keuren en fotograferen voor onze "
                            "tweedekansshop.",
                            start="2027-03-01",
                        ),
                        # refuted opportunity: peak periods do not suit target-group workers
                        # (000:3534-3546) — the engine must score it low and say why
                        _need(
                            "warehouse.handling",
                            "enclave",
                            8.0,
                            "Piekondersteuning Black Friday en eindejaar",
                            "Extra handen in het magazijn van half november tot eind december.",
                            support="low",
                            time_pressure="high",
                            peak=True,
                            shifts=("day", "early_late"),
                            complementary=False,
                            start="2027-11-15",
                            end="2027-12-31",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "sportief-online",
            c,
            "Sportief Online NV (illustratief)",
            nace=["47.91", "46.49"],
            description="Webshop voor sportuitrusting met een magazijn in Tielt.",
            phone="+32 51 00 30 02",
            people=[("Bram", "Lambrecht")],
            sites=[
                _site(
                    "sportief-tielt",
                    "Magazijn Tielt",
                    "Kortrijkstraat 250",
                    "8700",
                    "poor",  # Tielt-Roeselare is poorly served by public transport (004:410)
                    needs=[
                        _need(
                            "returns.general",
                            "on_site",
                            4.0,
                            "Retourverwerking sportartikelen",
                            "Retours uitpakken, controleren op volledigheid, sorteren en "
                            "herverpakken in ons magazijn.",
                            start="2027-01-11",
                        ),
                        _need(
                            "warehouse.handling",
                            "on_site",
                            3.5,
                            "Palletleveringen uitpakken en afstoffen",
                            "Bulkleveringen uithalen, afstoffen en per stuk verpakt klaarzetten "
                            "voor e-commerce.",
                            start="2027-02-15",
                        ),
                        _need(
                            "warehouse.orderpick",
                            "enclave",
                            5.0,
                            "Nachtploeg orderpicking",
                            "Orders picken tijdens de nacht zodat ze 's ochtends vertrekken.",
                            support="low",
                            shifts=("night",),
                            complementary=False,
                            start="2027-03-01",
                        ),
                        _need(
                            "returns.electronics",
                            "workshop",
                            2.0,
                            "Sporthorloges en fietscomputers testen",
                            "Teruggestuurde wearables testen, resetten en herverpakken.",
                            max_km=60.0,
                            start="2027-02-01",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "zoetwaren-vlaanderen",
            c,
            "Zoetwaren Vlaanderen NV (illustratief)",
            nace=["10.82"],
            description="FMCG-producent van chocolade en koekjes voor export.",
            phone="+32 56 00 30 03",
            people=[("Caroline", "Deprez")],
            sites=[
                _site(
                    "zoetwaren-wielsbeke",
                    "Productiesite Wielsbeke",
                    "Kanaalweg 8",
                    "8710",
                    "limited",
                    needs=[
                        _need(
                            "packaging.primary",
                            "enclave",
                            6.0,
                            "Pralines verpakken op de lijn",
                            "Pralines manueel in dozen leggen aan onze verpakkingslijn.",
                            certs=("haccp",),
                            shifts=("day", "early_late"),
                            start="2027-01-18",
                        ),
                        # larger than any one provider site: a samenwerkingsverband (004:1191)
                        _need(
                            "packaging.primary",
                            "workshop",
                            45.0,
                            "Exportverpakking chocolade uitbesteden",
                            "Volledige primaire verpakking van een nieuwe exportlijn; te groot "
                            "voor één maatwerkbedrijf.",
                            certs=("haccp",),
                            max_km=80.0,
                            start="2027-04-01",
                        ),
                        _need(
                            "packaging.copacking",
                            "workshop",
                            7.0,
                            "Eindejaarsgeschenkdozen samenstellen",
                            "Promo- en geschenkverpakkingen voor de eindejaarsperiode.",
                            time_pressure="high",
                            peak=True,
                            start="2027-10-01",
                            end="2027-12-15",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "kruidenhuis-leie",
            c,
            "Kruidenhuis Leie BV (illustratief)",
            nace=["10.84"],
            description="Producent van kruiden en specerijen voor supermarkten.",
            phone="+32 51 00 30 04",
            people=[("Joke", "Verbeke")],
            sites=[
                _site(
                    "kruidenhuis-izegem",
                    "Kruidenhuis Izegem",
                    "Zuidkaai 12",
                    "8870",
                    needs=[
                        _need(
                            "packaging.primary",
                            "workshop",
                            4.0,
                            "Kruiden afwegen en verpakken",
                            "Kruiden en specerijen afwegen, in potjes vullen en etiketteren.",
                            certs=("haccp", "brc_ifs"),
                            start="2027-01-25",
                        ),
                        _need(
                            "packaging.copacking",
                            "workshop",
                            2.0,
                            "Duopacks voor promoties",
                            "Twee potjes samen verpakken voor supermarktpromoties.",
                            complementary=False,
                            start="2027-03-15",
                            status="draft",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "display-partners",
            c,
            "Retail Display Partners NV (illustratief)",
            nace=["73.11", "17.29"],
            description="Leverancier van winkeldisplays voor merkfabrikanten en retailers.",
            phone="+32 56 00 30 05",
            people=[("Nico", "Vandewalle")],
            sites=[
                _site(
                    "display-partners-kortrijk",
                    "Kantoor en depot Kortrijk",
                    "Kortrijksestraat 300",
                    "8500",
                    needs=[
                        _need(
                            "displays.build",
                            "workshop",
                            8.0,
                            "Kartonnen vloerdisplays assembleren en vullen",
                            "Displays plooien, assembleren en vullen met producten voor "
                            "supermarkten.",
                            start="2027-01-11",
                        ),
                        _need(
                            "displays.build",
                            "workshop",
                            42.0,
                            "Jaarcontract displays voor een supermarktketen",
                            "Alle displays van een nationale supermarktketen; vraagt een "
                            "samenwerking tussen meerdere maatwerkbedrijven.",
                            max_km=None,
                            start="2027-05-01",
                        ),
                        _need(
                            "displays.build",
                            "workshop",
                            3.0,
                            "Houten displays voor een wijnhandel",
                            "Kleine reeks houten displays in FSC-hout.",
                            certs=("fsc",),
                            extra=("woodworking",),
                            max_km=60.0,
                            start="2027-02-15",
                            end="2027-06-30",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "supermarkt-noord",
            c,
            "Supermarktgroep Noord NV (illustratief)",
            nace=["47.11", "52.10"],
            description="Supermarktketen met een distributiecentrum bij Gent.",
            phone="+32 9 000 30 06",
            people=[("Pascale", "Hermans")],
            sites=[
                _site(
                    "supermarkt-noord-gent",
                    "Distributiecentrum Gent",
                    "John Kennedylaan 50",
                    "9000",
                    needs=[
                        _need(
                            "warehouse.orderpick",
                            "enclave",
                            6.0,
                            "Orderpicking verse groenten",
                            "Delicate producten zoals groenten en breekbare stukken picken voor "
                            "onlinebestellingen (000:3064).",
                            shifts=("early_late",),
                            start="2027-01-18",
                        ),
                        _need(
                            "warehouse.handling",
                            "enclave",
                            5.0,
                            "Gift packs en herverpakken",
                            "Producten herverpakken tot gift packs en het magazijn kuisen.",
                            start="2027-02-01",
                        ),
                        _need(
                            "fulfilment.webshop",
                            "workshop",
                            3.0,
                            "Non-food webshoporders inpakken",
                            "Kleine non-food bestellingen inpakken en verzendklaar maken.",
                            max_km=30.0,
                            start="2027-04-01",
                            status="draft",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "elektroshop-online",
            c,
            "ElektroShop Online NV (illustratief)",
            nace=["47.91", "47.54"],
            description="Webshop voor huishoudelektro met een VLAREMA-terugnameplicht.",
            phone="+32 15 00 30 07",
            people=[("Gert", "Smets")],
            sites=[
                _site(
                    "elektroshop-mechelen",
                    "Logistiek centrum Mechelen",
                    "Zandvoortstraat 20",
                    "2800",
                    needs=[
                        _need(
                            "returns.electronics",
                            "workshop",
                            8.0,
                            "Afgedankte toestellen testen en demonteren",
                            "Teruggenomen toestellen (VLAREMA, 000:3340) testen, herstellen of "
                            "demonteren voor recyclage.",
                            certs=("weee_permit",),
                            start="2027-01-11",
                        ),
                        _need(
                            "returns.electronics",
                            "workshop",
                            40.0,
                            "Landelijke terugname kleine elektro",
                            "Alle terugnames van heel Vlaanderen; een cluster van "
                            "maatwerkbedrijven kan dit samen dragen.",
                            certs=("weee_permit",),
                            max_km=None,
                            start="2027-06-01",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "netlink-telecom",
            c,
            "Netlink Telecom NV (illustratief)",
            nace=["61.10"],
            description="Telecomoperator die modems en decoders terugneemt.",
            phone="+32 3 000 30 08",
            people=[("Ilse", "Jacobs")],
            sites=[
                _site(
                    "netlink-antwerpen",
                    "Hub Antwerpen",
                    "Uitbreidingstraat 80",
                    "2600",
                    needs=[
                        _need(
                            "returns.electronics",
                            "workshop",
                            5.0,
                            "Modems demonteren en componenten recupereren",
                            "Afgedankte modems uit elkaar halen en bruikbare componenten "
                            "recupereren (cf. 000:4045).",
                            certs=("weee_permit",),
                            start="2027-02-01",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "machinebouw-mandel",
            c,
            "Machinebouw Mandel NV (illustratief)",
            nace=["28.99"],
            description="Bouwer van voedingsmachines in Ingelmunster.",
            phone="+32 51 00 30 09",
            people=[("Steven", "Vandecasteele")],
            sites=[
                _site(
                    "machinebouw-ingelmunster",
                    "Fabriek Ingelmunster",
                    "Kortrijkstraat 90",
                    "8770",
                    "limited",
                    needs=[
                        _need(
                            "assembly.manual",
                            "enclave",
                            6.0,
                            "Enclave voorassemblage",
                            "Deelassemblages van machines op onze werkvloer.",
                            certs=("vca",),
                            start="2027-01-18",
                        ),
                        _need(
                            "production.metal",
                            "workshop",
                            4.0,
                            "Plaatwerk ontbramen en plooien",
                            "Kleine reeksen plaatwerk ontbramen, plooien en controleren.",
                            certs=("iso9001",),
                            max_km=60.0,
                            start="2027-02-15",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "klimaattechniek-west",
            c,
            "Klimaattechniek West NV (illustratief)",
            nace=["28.25"],
            description="Producent van warmtepompen en airco-units.",
            phone="+32 51 00 30 10",
            people=[("Wouter", "Callewaert")],
            sites=[
                _site(
                    "klimaattechniek-ardooie",
                    "Fabriek Ardooie",
                    "Industriezone Ardooie 4",
                    "8850",
                    "poor",  # 004:410
                    needs=[
                        _need(
                            "assembly.manual",
                            "workshop",
                            50.0,
                            "Reshoring: assemblage van binnenunits",
                            "Assemblage die we terughalen uit Oost-Europa (cf. 003:9-13); "
                            "vraagt een samenwerkingsverband van maatwerkbedrijven.",
                            max_km=60.0,
                            start="2027-09-01",
                        ),
                        _need(
                            "assembly.manual",
                            "enclave",
                            8.0,
                            "Enclave kabelbomen",
                            "Kabelbomen monteren in onze productiehal.",
                            support="low",
                            certs=("vca",),
                            shifts=("day", "early_late"),
                            start="2027-02-01",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "meubelmakerij-houtland",
            c,
            "Meubelmakerij Houtland BV (illustratief)",
            nace=["31.09"],
            description="Meubelmaker voor projectinrichting.",
            phone="+32 51 00 30 11",
            people=[("Lieven", "Demeyere")],
            sites=[
                _site(
                    "meubelmakerij-lichtervelde",
                    "Werkplaats Lichtervelde",
                    "Torhoutstraat 60",
                    "8810",
                    "limited",
                    needs=[
                        _need(
                            "production.wood",
                            "workshop",
                            3.0,
                            "Meubelpanelen schuren en afwerken",
                            "Panelen op maat zagen, schuren en lakken.",
                            certs=("fsc",),
                            max_km=80.0,
                            start="2027-01-25",
                        ),
                        _need(
                            "assembly.manual",
                            "workshop",
                            2.5,
                            "Beslag monteren op kasten",
                            "Scharnieren en grepen monteren op kastdeuren.",
                            drop=("machine.operation",),
                            extra=("woodworking",),
                            start="2027-03-01",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "textielgroep-vlas",
            c,
            "Textielgroep Vlas NV (illustratief)",
            nace=["13.92", "14.19"],
            description="Producent van technisch en interieurtextiel.",
            phone="+32 51 00 30 12",
            people=[("Sabine", "Vanhee")],
            sites=[
                _site(
                    "textielgroep-meulebeke",
                    "Weverij Meulebeke",
                    "Ingelmunsterstraat 5",
                    "8760",
                    "poor",
                    needs=[
                        _need(
                            "production.textile",
                            "workshop",
                            5.0,
                            "Confectie van zonneschermdoeken",
                            "Doeken op maat snijden, zomen en afwerken.",
                            start="2027-02-01",
                        ),
                        _need(
                            "production.textile",
                            "workshop",
                            2.0,
                            "Stalen en kleurkaarten afwerken",
                            "Stalenboeken knippen, plakken en afwerken.",
                            support="high",
                            drop=("machine.operation",),
                            extra=("packing",),
                            start="2027-03-15",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "drukkerij-de-leie",
            c,
            "Drukkerij De Leie BV (illustratief)",
            nace=["18.12"],
            description="Drukkerij voor verpakkingen en marketingmateriaal.",
            phone="+32 56 00 30 13",
            people=[("Jef", "Vandenbroucke")],
            sites=[
                _site(
                    "drukkerij-wevelgem",
                    "Drukkerij Wevelgem",
                    "Vliegveldstraat 3",
                    "8560",
                    needs=[
                        _need(
                            "production.print",
                            "workshop",
                            3.0,
                            "Drukwerk afwerken: plooien, nieten, inpakken",
                            "Afwerking van brochures en catalogi op FSC-papier.",
                            certs=("fsc",),
                            max_km=80.0,
                            start="2027-01-18",
                        ),
                        _need(
                            "packaging.copacking",
                            "workshop",
                            2.5,
                            "Mailings insteken en verzendklaar maken",
                            "Brieven en stalen in enveloppen steken en sorteren.",
                            extra=("sorting",),
                            start="2027-02-01",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "logistiek-midwest",
            c,
            "Logistiek Midwest NV (illustratief)",
            nace=["52.10", "49.41"],
            description="Logistieke dienstverlener met een e-commercemagazijn in Hooglede.",
            phone="+32 51 00 30 14",
            people=[("Kevin", "Dewitte")],
            sites=[
                _site(
                    "logistiek-hooglede",
                    "E-commercemagazijn Hooglede",
                    "Bruggesteenweg 200",
                    "8830",
                    "poor",  # 004:410
                    needs=[
                        _need(
                            "warehouse.handling",
                            "on_site",
                            6.0,
                            "Bulkleveringen uithalen en afstoffen",
                            "Grote productoplages verhandelbaar maken voor e-commerce (000:4059).",
                            start="2027-01-11",
                        ),
                        _need(
                            "warehouse.orderpick",
                            "enclave",
                            10.0,
                            "Nachtploeg picking voor next-day levering",
                            "Orders picken tussen 22 u en 6 u.",
                            support="low",
                            time_pressure="high",
                            shifts=("night",),
                            complementary=False,
                            start="2027-02-01",
                        ),
                        _need(
                            "fulfilment.webshop",
                            "workshop",
                            4.0,
                            "Fulfilment voor kleine webshops",
                            "Orders van lokale webshops klaarmaken, inpakken en verzenden.",
                            start="2027-03-01",
                        ),
                        _need(
                            "returns.general",
                            "workshop",
                            5.5,
                            "Retourstroom van onze webshopklanten",
                            "Ophalen, uitpakken, inspecteren en sorteren van retours.",
                            start="2027-02-15",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "stadsdistributie-gent",
            c,
            "Stadsdistributie Gent BV (illustratief)",
            nace=["53.20"],
            description="Stadsdistributie binnen de lage-emissiezone van Gent.",
            phone="+32 9 000 30 15",
            people=[("Arne", "De Vos")],
            sites=[
                _site(
                    "stadsdistributie-gent",
                    "Stadshub Gent",
                    "Dok-Noord 4",
                    "9000",
                    needs=[
                        _need(
                            "lastmile.delivery",
                            "on_site",
                            4.0,
                            "Pakjes leveren met de elektrische bakfiets",
                            "Leveringen in de binnenstad vanuit onze stadshub.",
                            support="low",
                            max_km=15.0,
                            start="2027-01-18",
                        ),
                        _need(
                            "lastmile.delivery",
                            "individual",
                            1.0,
                            "Medewerker ophaalpunt",
                            "Eén medewerker beheert ons ophaalpunt, met een jobcoach.",
                            support="low",
                            time_pressure="medium",
                            drop=("cargo.bike", "driving.b"),
                            max_km=20.0,
                            start="2027-02-01",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "koerier-antwerpen",
            c,
            "Koerier Antwerpen BV (illustratief)",
            nace=["53.20"],
            description="Koeriersdienst in Antwerpen.",
            phone="+32 3 000 30 16",
            people=[("Sam", "Mertens")],
            sites=[
                _site(
                    "koerier-antwerpen",
                    "Depot Antwerpen",
                    "Italiëlei 30",
                    "2000",
                    needs=[
                        _need(
                            "lastmile.delivery",
                            "on_site",
                            6.0,
                            "Extra bakfietsrondes tijdens de feestdagen",
                            "Piekperiode eind december, ook in het weekend.",
                            support="low",
                            peak=True,
                            shifts=("day", "weekend"),
                            complementary=False,
                            max_km=10.0,
                            start="2027-12-01",
                            end="2027-12-31",
                        ),
                        _need(
                            "lastmile.delivery",
                            "on_site",
                            3.0,
                            "Vaste bakfietsronde apotheken",
                            "Dagelijkse leveringen aan apotheken in de stad.",
                            support="low",
                            time_pressure="medium",
                            max_km=10.0,
                            start="2027-02-01",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "ziekenhuis-mandelzorg",
            c,
            "Ziekenhuis Mandelzorg (illustratief)",
            nace=["86.10"],
            description="Algemeen ziekenhuis in de regio Roeselare.",
            phone="+32 51 00 30 17",
            people=[("Annelies", "Vanlerberghe")],
            sites=[
                _site(
                    "mandelzorg-roeselare",
                    "Campus Roeselare",
                    "Wilgenstraat 2",
                    "8800",
                    needs=[
                        _need(
                            "care.support",
                            "enclave",
                            12.0,
                            "Doorstroom-enclave logistiek en keuken",
                            "Maaltijden, koffie en intern transport in het ziekenhuis "
                            "(002:236-242).",
                            certs=("haccp",),
                            shifts=("day", "weekend"),
                            start="2027-01-04",
                        ),
                        _need(
                            "facility.cleaning",
                            "enclave",
                            6.0,
                            "Schoonmaak van niet-medische ruimtes",
                            "Gangen, cafetaria en kantoren poetsen.",
                            shifts=("early_late",),
                            start="2027-02-01",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "wzc-de-linde",
            c,
            "WZC De Linde (illustratief)",
            nace=["87.10"],
            description="Woonzorgcentrum met 120 bewoners.",
            phone="+32 51 00 30 18",
            people=[("Greet", "Vermeersch")],
            sites=[
                _site(
                    "wzc-de-linde-pittem",
                    "WZC De Linde Pittem",
                    "Kerkstraat 20",
                    "8740",
                    "poor",
                    needs=[
                        _need(
                            "care.support",
                            "enclave",
                            4.0,
                            "Multi-enclave wasserij, klusjes en logistiek",
                            "Taken met weinig functiehouders samen gebundeld (002:219-228).",
                            support="high",
                            start="2027-01-11",
                        ),
                        _need(
                            "care.social",
                            "on_site",
                            2.0,
                            "Gezelschap en wandelingen met bewoners",
                            "Bewoners gezelschap houden, wandelen en begeleiden (002:212-215).",
                            support="high",
                            max_km=20.0,
                            start="2027-02-01",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "wzc-ter-heide",
            c,
            "WZC Ter Heide (illustratief)",
            nace=["87.10"],
            description="Woonzorgcentrum in Hasselt.",
            phone="+32 11 00 30 19",
            people=[("Mieke", "Vanderhoven")],
            sites=[
                _site(
                    "wzc-ter-heide-hasselt",
                    "WZC Ter Heide",
                    "Heidestraat 15",
                    "3500",
                    needs=[
                        _need(
                            "care.support",
                            "enclave",
                            5.0,
                            "Keuken en cafetaria",
                            "Meewerken in de grootkeuken en de cafetaria.",
                            certs=("haccp",),
                            start="2027-01-18",
                        ),
                        _need(
                            "care.social",
                            "on_site",
                            1.5,
                            "Krant voorlezen en bezoek",
                            "Sociale ondersteuning van bewoners zonder familie in de buurt.",
                            max_km=15.0,
                            start="2027-03-01",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "stadsziekenhuis-leuven",
            c,
            "Stadsziekenhuis Leuven (illustratief)",
            nace=["86.10"],
            description="Groot ziekenhuis met veel logistieke functies.",
            phone="+32 16 00 30 20",
            people=[("Hendrik", "Claes")],
            sites=[
                _site(
                    "stadsziekenhuis-leuven",
                    "Campus Leuven",
                    "Kapucijnenvoer 40",
                    "3000",
                    needs=[
                        _need(
                            "care.support",
                            "enclave",
                            18.0,
                            "Intern transport en maaltijdbedeling",
                            "Patiëntenvervoer van goederen, maaltijden en was op alle campussen.",
                            support="low",
                            shifts=("day", "early_late", "weekend"),
                            start="2027-01-04",
                        ),
                        _need(
                            "facility.cleaning",
                            "on_site",
                            4.0,
                            "Schoonmaak parkeergebouw",
                            "Parkeergebouw en fietsenstalling proper houden.",
                            support="low",
                            start="2027-02-15",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "bedrijvenpark-leiepoort",
            c,
            "Bedrijvenpark Leiepoort CVBA (illustratief)",
            nace=["68.32"],
            description="Beheerder van een bedrijventerrein in Waregem.",
            phone="+32 56 00 30 21",
            people=[("Dries", "Verhelst")],
            sites=[
                _site(
                    "leiepoort-waregem",
                    "Bedrijventerrein Leiepoort",
                    "Kalkhoevestraat 1",
                    "8790",
                    needs=[
                        _need(
                            "green.maintenance",
                            "on_site",
                            3.0,
                            "Groenonderhoud bedrijventerrein en parkings",
                            "Maaien, snoeien en parkings onkruidvrij houden (000:179).",
                            support="low",
                            certs=("vca",),
                            start="2027-03-01",
                            end="2027-10-31",
                        ),
                        _need(
                            "facility.cleaning",
                            "on_site",
                            2.0,
                            "Zwerfvuil en sanitaire blokken",
                            "Zwerfvuil ruimen en gedeelde sanitaire blokken poetsen.",
                            support="low",
                            start="2027-01-18",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "kantorenpark-zuid",
            c,
            "Kantorenpark Zuid NV (illustratief)",
            nace=["68.20"],
            description="Kantorenpark in Antwerpen-Zuid.",
            phone="+32 3 000 30 22",
            people=[("Nadia", "Boukhari")],
            sites=[
                _site(
                    "kantorenpark-antwerpen",
                    "Kantorenpark Zuid",
                    "Jan Van Rijswijcklaan 100",
                    "2018",
                    needs=[
                        _need(
                            "facility.cleaning",
                            "on_site",
                            5.0,
                            "Kantoorschoonmaak vroege en late ploeg",
                            "Kantoren poetsen voor en na de kantooruren.",
                            support="low",
                            shifts=("early_late",),
                            complementary=False,
                            start="2027-01-04",
                        ),
                        _need(
                            "green.maintenance",
                            "on_site",
                            1.5,
                            "Binnentuinen onderhouden",
                            "Binnentuinen en plantenbakken verzorgen.",
                            support="low",
                            drop=("driving.b", "manual.heavy"),
                            start="2027-03-15",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "verzekeraar-dijle",
            c,
            "Verzekeringen Dijle NV (illustratief)",
            nace=["65.12"],
            description="Verzekeraar die dossiers digitaliseert.",
            phone="+32 16 00 30 23",
            people=[("Katleen", "Wuyts")],
            sites=[
                _site(
                    "verzekeraar-leuven",
                    "Hoofdkantoor Leuven",
                    "Diestsevest 50",
                    "3000",
                    needs=[
                        _need(
                            "digital.services",
                            "workshop",
                            4.0,
                            "Schadedossiers digitaliseren en opschonen",
                            "Data-invoer en data cleaning van papieren dossiers.",
                            drop=("it.testing", "customer.contact"),
                            max_km=None,
                            start="2027-01-11",
                        ),
                        _need(
                            "digital.services",
                            "individual",
                            1.0,
                            "Softwaretester voor onze klantenapp",
                            "Eén tester met oog voor detail (cf. Passwerk, 002:271-274).",
                            support="low",
                            drop=("data.entry", "customer.contact"),
                            start="2027-02-01",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "softwarehuis-kempen",
            c,
            "Softwarehuis Kempen BV (illustratief)",
            nace=["62.01"],
            description="Ontwikkelaar van logistieke software.",
            phone="+32 14 00 30 24",
            people=[("Jens", "Geerts")],
            sites=[
                _site(
                    "softwarehuis-turnhout",
                    "Kantoor Turnhout",
                    "Grote Markt 40",
                    "2300",
                    needs=[
                        _need(
                            "digital.services",
                            "individual",
                            2.0,
                            "Testers voor regressietesten",
                            "Repetitieve testscenario's uitvoeren en bugs melden.",
                            drop=("customer.contact",),
                            start="2027-02-15",
                        ),
                        _need(
                            "digital.services",
                            "workshop",
                            3.0,
                            "Trainingsdata labelen",
                            "Beelden en teksten labelen voor AI-modellen (002:250).",
                            drop=("customer.contact",),
                            max_km=None,
                            start="2027-04-01",
                            status="draft",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "speelgoed-online",
            c,
            "Speelgoed Online BV (illustratief)",
            nace=["47.91"],
            description="Speelgoedwebshop in het Waasland.",
            phone="+32 3 000 30 25",
            people=[("Lore", "Van Hoeck")],
            sites=[
                _site(
                    "speelgoed-sint-niklaas",
                    "Magazijn Sint-Niklaas",
                    "Europark-Noord 20",
                    "9100",
                    needs=[
                        _need(
                            "fulfilment.webshop",
                            "workshop",
                            3.0,
                            "Webshoporders inpakken buiten de piek",
                            "Orders inpakken en verzenden van januari tot oktober.",
                            start="2027-01-11",
                            end="2027-10-31",
                        ),
                        _need(
                            "returns.general",
                            "workshop",
                            2.0,
                            "Retours speelgoed controleren",
                            "Retours op volledigheid controleren en herverpakken.",
                            start="2027-01-25",
                        ),
                        _need(
                            "packaging.copacking",
                            "workshop",
                            4.0,
                            "Sinterklaaspakketten samenstellen",
                            "Geschenkpakketten voor de sinterklaasperiode.",
                            time_pressure="high",
                            peak=True,
                            complementary=False,
                            start="2027-10-15",
                            end="2027-12-05",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "tuincentra-limburg",
            c,
            "Tuincentra Limburg NV (illustratief)",
            nace=["47.76"],
            description="Keten van tuincentra met een centraal magazijn in Genk.",
            phone="+32 89 00 30 26",
            people=[("Bert", "Hendrikx")],
            sites=[
                _site(
                    "tuincentra-genk",
                    "Centraal magazijn Genk",
                    "Henry Fordlaan 10",
                    "3600",
                    needs=[
                        _need(
                            "green.maintenance",
                            "on_site",
                            2.5,
                            "Buitenaanleg en parkings onderhouden",
                            "Groen rond onze tuincentra en parkings onderhouden.",
                            support="low",
                            start="2027-03-01",
                        ),
                        _need(
                            "warehouse.handling",
                            "enclave",
                            4.0,
                            "Potten en planten herverpakken",
                            "Leveringen uitpakken en per verkooppunt herverpakken.",
                            start="2027-02-15",
                            end="2027-07-31",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "brouwerij-vrijbroek",
            c,
            "Brouwerij Vrijbroek NV (illustratief)",
            nace=["11.05"],
            description="Brouwerij met geschenkverpakkingen voor retail.",
            phone="+32 50 00 30 27",
            people=[("Thomas", "Desmedt")],
            sites=[
                _site(
                    "brouwerij-brugge",
                    "Brouwerij Brugge",
                    "Vaartdijkstraat 5",
                    "8000",
                    needs=[
                        _need(
                            "packaging.copacking",
                            "workshop",
                            3.0,
                            "Geschenkdozen met glazen",
                            "Flessen en glazen in geschenkdozen verpakken.",
                            start="2027-02-01",
                        ),
                        _need(
                            "production.print",
                            "workshop",
                            1.5,
                            "Etiketten en draagkartons afwerken",
                            "Kleine oplages etiketten en draagkartons afwerken.",
                            drop=("machine.operation",),
                            extra=("labelling",),
                            max_km=50.0,
                            start="2027-03-01",
                            status="draft",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "fietsfabriek-aalst",
            c,
            "Fietsfabriek Dender NV (illustratief)",
            nace=["30.92"],
            description="Assemblage van elektrische fietsen.",
            phone="+32 53 00 30 28",
            people=[("Koenraad", "Van de Velde")],
            sites=[
                _site(
                    "fietsfabriek-aalst",
                    "Fabriek Aalst",
                    "Zandberg 4",
                    "9300",
                    needs=[
                        _need(
                            "assembly.manual",
                            "enclave",
                            7.0,
                            "Enclave wielmontage",
                            "Wielen en spatborden monteren aan onze lijn.",
                            certs=("vca",),
                            start="2027-01-25",
                        ),
                        _need(
                            "returns.general",
                            "on_site",
                            2.0,
                            "Retourfietsen inspecteren",
                            "Teruggestuurde fietsen inspecteren, fotograferen en sorteren.",
                            start="2027-03-01",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "metaalwerken-staden",
            c,
            "Metaalwerken Westrozebeke BV (illustratief)",
            nace=["25.11"],
            description="Constructiewerkplaats voor staalstructuren.",
            phone="+32 51 00 30 29",
            people=[("Geert", "Vandromme")],
            sites=[
                _site(
                    "metaalwerken-staden",
                    "Werkplaats Westrozebeke",
                    "Stadenstraat 70",
                    "8840",
                    "poor",
                    needs=[
                        _need(
                            "production.metal",
                            "workshop",
                            3.0,
                            "Boor- en lasvoorbereiding",
                            "Profielen boren, ontbramen en klaarzetten voor lassen.",
                            support="low",
                            max_km=40.0,
                            complementary=False,
                            start="2027-02-01",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "modeketen-gent",
            c,
            "Modeketen Gent NV (illustratief)",
            nace=["47.71"],
            description="Kledingketen met een webshop en winkels in Vlaanderen.",
            phone="+32 9 000 30 30",
            people=[("Charlotte", "Baert")],
            sites=[
                _site(
                    "modeketen-gent",
                    "Logistiek centrum Gent",
                    "Eddastraat 30",
                    "9000",
                    needs=[
                        _need(
                            "returns.apparel",
                            "workshop",
                            5.0,
                            "Retourkledij herstellen en herverpakken",
                            "Kleine herstellingen, strijken en herverpakken van retours.",
                            start="2027-01-18",
                        ),
                        _need(
                            "returns.apparel",
                            "workshop",
                            40.0,
                            "Kledijcluster: alle retours van Vlaanderen",
                            "Alle retours van webshop en winkels herconditioneren (000:4049-4053); "
                            "vraagt meerdere maatwerkbedrijven.",
                            max_km=None,
                            start="2027-06-01",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "kledingverhuur-kortrijk",
            c,
            "Kleedkamer Verhuur BV (illustratief)",
            nace=["77.29"],
            description="Online verhuur van feestkledij.",
            phone="+32 56 00 30 31",
            people=[("Eline", "Vandeputte")],
            sites=[
                _site(
                    "kleedkamer-kortrijk",
                    "Atelier Kortrijk",
                    "Doorniksesteenweg 80",
                    "8500",
                    needs=[
                        _need(
                            "returns.apparel",
                            "on_site",
                            2.0,
                            "Huurkledij keuren en klaarmaken",
                            "Teruggebrachte huurkledij keuren, stomen en klaarhangen.",
                            support="high",
                            start="2027-02-01",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "bouwmarkt-oostende",
            c,
            "Bouwmarkt Kust NV (illustratief)",
            nace=["47.52"],
            description="Doe-het-zelfketen aan de kust.",
            phone="+32 59 00 30 32",
            people=[("Yves", "Depoorter")],
            sites=[
                _site(
                    "bouwmarkt-oostende",
                    "Bouwmarkt Oostende",
                    "Torhoutsesteenweg 500",
                    "8400",
                    needs=[
                        _need(
                            "warehouse.handling",
                            "on_site",
                            2.5,
                            "Winkelleveringen uitpakken en prijzen",
                            "Palletleveringen uitpakken, etiketteren en rekken aanvullen.",
                            support="low",
                            start="2027-02-01",
                        ),
                        _need(
                            "green.maintenance",
                            "on_site",
                            1.0,
                            "Tuinafdeling en parking",
                            "Planten water geven en de parking onderhouden.",
                            support="low",
                            time_pressure="low",
                            start="2027-04-01",
                            end="2027-09-30",
                        ),
                    ],
                ),
            ],
        ),
        _org(
            "foodservice-hasselt",
            c,
            "Foodservice Limburg NV (illustratief)",
            nace=["56.29"],
            description="Cateraar voor bedrijfsrestaurants.",
            phone="+32 11 00 30 33",
            people=[("Sven", "Lenaerts")],
            sites=[
                _site(
                    "foodservice-genk",
                    "Centrale keuken Genk",
                    "Europalaan 60",
                    "3600",
                    needs=[
                        _need(
                            "packaging.primary",
                            "enclave",
                            5.0,
                            "Maaltijden portioneren en verpakken",
                            "Maaltijden portioneren en in schalen verpakken.",
                            certs=("haccp",),
                            shifts=("early_late",),
                            extra=("cooking",),
                            start="2027-01-25",
                        ),
                    ],
                ),
            ],
        ),
    ]


def _department() -> dict[str, Any]:
    org = _org(
        "wse",
        "department",
        "Departement Werk en Sociale Economie",
        illustrative=False,
        nace=["84.13"],
        description="Monitort vraag, aanbod en clustervorming in de sociale economie.",
        phone="+32 2 000 40 01",
        people=[("Sofie", "Willems")],
        sites=[],
    )
    return org


# ---- assembly -----------------------------------------------------------------------------


def build_demo_dataset(random_state: int = 2026) -> dict[str, Any]:
    """Build the demo data set for Flanders as plain data.

    Parameters
    ----------
    random_state : int
        Seed for the generated figures (free workforce, supervisors) and the fictional
        enterprise numbers. The same seed always gives the same data set.

    Returns
    -------
    dict
        ``{"organisations": [...], "demo_logins": {...}, "staff_users": [...]}``; see the
        module docstring. Fresh objects on every call: callers may mutate them.

    Examples
    --------
    >>> data = build_demo_dataset()
    >>> data["demo_logins"]["company"]
    'els.vandenberghe@modehuis-online.example.be'
    >>> build_demo_dataset() == data
    True
    """
    taken: set[int] = set()
    department = _department()
    organisations = [
        *_seed_providers(),
        *_illustrative_providers(),
        *_companies(),
        department,
    ]
    for org in organisations:
        org["enterprise_number"] = enterprise_number(
            _enterprise_prefix(org["key"], random_state, taken)
        )
        for site in org["sites"]:
            size = site.pop("_size", None)
            if org["kind"] == "provider":
                site["workforce"] = _workforce(random_state, site["key"], size or "M")
    return {
        "organisations": [_ordered(org) for org in organisations],
        "demo_logins": dict(DEMO_LOGINS),
        "staff_users": [dict(user) for user in department["users"]],
    }


_ORG_FIELDS = (
    "key",
    "kind",
    "name",
    "enterprise_number",
    "nace_codes",
    "description",
    "website",
    "illustrative",
    "contact_email",
    "contact_phone",
    "users",
    "sites",
)


def _ordered(org: dict[str, Any]) -> dict[str, Any]:
    return {name: org[name] for name in _ORG_FIELDS}
