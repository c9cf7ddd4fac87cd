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
_SIZES = {
    "S": {"low": 5.0, "medium": 6.0, "high": 3.0, "supervisors": (0.5, 2.0)},
    "M": {"low": 10.0, "medium": 12.0, "high": 6.0, "supervisors": (1.0, 4.0)},
    "L": {"low": 20.0, "medium": 12.0, "high": 6.0, "supervisors": (3.0, 6.0)},
}

# Sites whose figures are fixed rather than drawn: the engine's edge cases.
_FIXED_WORKFORCE = {
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


def _workforce(rng: random.Random, site_key: str, size: str) -> dict[str, float]:
    if site_key in _FIXED_WORKFORCE:
        low, medium, high, supervisors = _FIXED_WORKFORCE[site_key]
    else:
        bounds = _SIZES[size]
        low = _halves(rng, bounds["low"])
        medium = _halves(rng, bounds["medium"])
        high = _halves(rng, bounds["high"])
        lo, hi = bounds["supervisors"]
        supervisors = round(rng.uniform(lo, hi) * 2) / 2
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
            people=[("Luc", "Janssens")],
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
            people=[("Dieter", "Van Beveren")],
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
            people=[("Bjorn", "Elsen")],
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
            people=[("Peter", "Lemmens")],
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
            people=[("Tim", "Vanneste")],
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
                    capabilities=[_cap("packaging.primary", certs=("haccp",)), _cap("assembly.manual")],
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
                    capabilities=[_cap("green.maintenance"), _cap("packaging.primary", ("workshop",))],
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
                    capabilities=[_cap("care.support", certs=("haccp",)), _cap("facility.cleaning")],
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
                    capabilities=[_cap("lastmile.delivery", radius=10.0, shifts=("day", "weekend"))],
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
