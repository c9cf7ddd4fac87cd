"""The demo data set for Flanders (DESIGN §12): data files in ``api/demo/`` and their loader.

``build_demo_dataset()`` reads the JSON files and returns dicts and lists only: no database,
and the same result for the same ``random_state``. ``koppel demo`` turns it into rows
(``api/services/demo.py``).

Files (one list of organisations each, except ``department.json``)
-----------------------------------------------------------------
* ``seed_providers.json``: maatwerkbedrijven named in the seed studies, ``illustrative: false``,
  each capability with the seed line that attributes the activity to them (``source``).
* ``providers.json``: fictional maatwerkbedrijven; ``companies.json``: fictional companies.
* ``department.json``: the department (its user is the staff demo login).

A record holds only what differs from the defaults, so a new optional key can be added to a
few records and given a default here (``_CAPABILITY_DEFAULTS``, ``_NEED_DEFAULTS``,
``_SITE_DEFAULTS``) without touching the others:

* organisation: ``key``, ``name``, ``nace_codes``, ``description``, ``contact_phone``,
  ``people`` ([first, last] pairs), ``sites``; optional ``illustrative`` (default true). The
  website, contact email and users' emails are derived from the key on the reserved
  ``example.be`` domain; every user's password is ``DEMO_PASSWORD``.
* site: ``key``, ``name``, ``street``, ``postcode``; optional ``public_transport_access``
  (good), and for providers ``capabilities``, ``size`` (S/M/L, default M: bounds of the drawn
  free workforce), ``workforce`` (fixed figures instead of drawn ones) and
  ``workforce_age_days`` (how old the figures are; default drawn, fresh); for companies
  ``needs``.
* capability: ``activity``; optional ``modes`` (the activity's), ``radius_km`` (by local
  binding), ``certifications``, ``shifts`` (day), ``extra_competences`` (added to the
  activity's typical ones), ``description`` (the activity's Dutch label), ``active``,
  ``source`` (a seed line; not loaded).
* need: ``activity``, ``mode``, ``fte``, ``title``, ``description``; optional ``support``
  (medium), ``time_pressure`` (the activity's), ``peak_season``, ``shifts``,
  ``certifications``, ``max_distance_km`` (40; null = no limit), ``complementary``,
  ``start_date``, ``end_date``, ``status`` (open), ``extra_competences``,
  ``drop_competences``, ``source``.

Who is who: seed-named providers carry only the activities the seeds attribute to them; their
sites, capacity and contact details are invented, and a seed-named provider whose activities
the seeds do not give (De Lochting) says so in its description. Everything else is fictional
and named "(illustratief)". People's names are invented.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
from functools import cache
from pathlib import Path
from typing import Any

from models import taxonomy

__all__ = [
    "DATA_DIR",
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "build_demo_dataset",
    "enterprise_number",
]

DATA_DIR = Path(__file__).resolve().parent / "demo"
_FILES = ("seed_providers", "providers", "companies")

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

_SITE_DEFAULTS: dict[str, Any] = {"public_transport_access": "good", "size": "M"}
_CAPABILITY_DEFAULTS: dict[str, Any] = {"certifications": [], "shifts": ["day"],
                                        "extra_competences": [], "active": True}
_NEED_DEFAULTS: dict[str, Any] = {
    "support": "medium", "peak_season": False, "shifts": ["day"], "certifications": [],
    "max_distance_km": 40.0, "complementary": True, "start_date": "2027-01-15",
    "end_date": None, "status": "open", "extra_competences": [], "drop_competences": [],
}

# Upper bounds of free FTE by support level and of supervisors, per site size. A site's total
# free FTE stays below 40, so the large needs (>= 40 FTE) need several providers.
# (low, medium, high, supervisors min, supervisors max)
_SIZES: dict[str, tuple[float, float, float, float, float]] = {
    "S": (5.0, 6.0, 3.0, 0.5, 2.0),
    "M": (10.0, 12.0, 6.0, 1.0, 4.0),
    "L": (20.0, 12.0, 6.0, 3.0, 6.0),
}

# Drawn age of workforce figures that a site does not fix: recently confirmed. (DESIGN §4:
# figures older than STALE_WORKFORCE_DAYS lose capacity credit; the stale sites say so.)
_FRESH_AGE_DAYS = (1, 45)


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


# ---- records → the loaded shape ------------------------------------------------------------


@cache
def _files() -> dict[str, Any]:
    return {name: json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))
            for name in (*_FILES, "department")}


def _activity(code: str) -> taxonomy.Activity:
    spec = taxonomy.activity(code)
    if spec is None:
        raise ValueError(f"demo data: unknown activity {code!r}")
    return spec


def _capability(raw: dict[str, Any]) -> dict[str, Any]:
    r = _CAPABILITY_DEFAULTS | raw
    spec = _activity(r["activity"])
    return {
        "activity": r["activity"],
        "competences": list(dict.fromkeys((*spec.typical_competences, *r["extra_competences"]))),
        "description": r.get("description") or spec.label["nl"],
        "placement_modes": list(r.get("modes") or spec.modes),
        "service_radius_km": float(r.get("radius_km") or _RADIUS_BY_BINDING[spec.binding]),
        "certifications": list(r["certifications"]),
        "shifts": list(r["shifts"]),
        "active": r["active"],
    }


def _need(raw: dict[str, Any]) -> dict[str, Any]:
    r = _NEED_DEFAULTS | raw
    spec = _activity(r["activity"])
    # a need starts from the activity's typical competences and may add or remove some
    competences = [c for c in dict.fromkeys((*spec.typical_competences, *r["extra_competences"]))
                   if c not in r["drop_competences"]]
    return {
        "title": r["title"],
        "description": r["description"],
        "activity": r["activity"],
        "competences": competences,
        "placement_mode": r["mode"],
        "fte": float(r["fte"]),
        "accommodates_support": r["support"],
        "time_pressure": r.get("time_pressure") or spec.time_pressure,
        "peak_season": r["peak_season"],
        "shifts": list(r["shifts"]),
        "certifications_required": list(r["certifications"]),
        "max_distance_km": r["max_distance_km"],
        "complementary": r["complementary"],
        "start_date": r["start_date"],
        "end_date": r["end_date"],
        "status": r["status"],
    }


def _halves(rng: random.Random, upper: float) -> float:
    return round(rng.uniform(0.0, upper) * 2) / 2


def _workforce(random_state: int, raw_site: dict[str, Any]) -> dict[str, float]:
    # one generator per site, seeded by its key: adding a site does not change the others
    rng = random.Random(f"{random_state}:{raw_site['key']}")
    if "workforce" in raw_site:
        fixed = raw_site["workforce"]
        figures = {k: float(fixed[k]) for k in ("free_fte_low", "free_fte_medium",
                                                "free_fte_high", "supervisors_available")}
    else:
        max_low, max_medium, max_high, min_sup, max_sup = _SIZES[raw_site["size"]]
        figures = {
            "free_fte_low": _halves(rng, max_low),
            "free_fte_medium": _halves(rng, max_medium),
            "free_fte_high": _halves(rng, max_high),
            "supervisors_available": round(rng.uniform(min_sup, max_sup) * 2) / 2,
        }
        if figures["free_fte_low"] + figures["free_fte_medium"] + figures["free_fte_high"] == 0:
            figures["free_fte_low"] = 1.0  # only the fixed sites are fully booked
    age = raw_site.get("workforce_age_days")
    figures["age_days"] = float(age if age is not None else rng.randint(*_FRESH_AGE_DAYS))
    return figures


def _site(raw: dict[str, Any], kind: str, random_state: int) -> dict[str, Any]:
    r = _SITE_DEFAULTS | raw
    site: dict[str, Any] = {"key": r["key"], "name": r["name"], "street": r["street"],
                            "postcode": r["postcode"],
                            "public_transport_access": r["public_transport_access"]}
    if kind == "provider":
        site["workforce"] = _workforce(random_state, r)
        site["capabilities"] = [_capability(c) for c in r.get("capabilities", [])]
    else:
        site["needs"] = [_need(n) for n in r.get("needs", [])]
    return site


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower().replace(" ", "") if ch.isalnum())


def _organisation(raw: dict[str, Any], kind: str, random_state: int,
                  taken: set[int]) -> dict[str, Any]:
    host = f"{raw['key']}.{_DOMAIN}"
    return {
        "key": raw["key"],
        "kind": kind,
        "name": raw["name"],
        "enterprise_number": enterprise_number(
            _enterprise_prefix(raw["key"], random_state, taken)),
        "nace_codes": list(raw["nace_codes"]),
        "description": raw["description"],
        "website": f"https://www.{host}/",
        "illustrative": raw.get("illustrative", True),
        "contact_email": f"info@{host}",
        "contact_phone": raw["contact_phone"],
        "users": [{"email": f"{_slug(first)}.{_slug(last)}@{host}", "password": DEMO_PASSWORD,
                   "full_name": f"{first} {last}"} for first, last in raw["people"]],
        "sites": [_site(s, kind, random_state) for s in raw.get("sites", [])],
    }


def build_demo_dataset(random_state: int = 2026) -> dict[str, Any]:
    """The demo data set for Flanders as plain data.

    Parameters
    ----------
    random_state : int
        Seed for the generated figures (free workforce, supervisors, the age of figures a
        site does not fix) and the fictional enterprise numbers. The same seed always gives
        the same data set.

    Returns
    -------
    dict
        ``{"organisations": [...], "demo_logins": {...}, "staff_users": [...]}``. Each
        organisation has ``key, kind, name, enterprise_number, nace_codes, description,
        website, illustrative, contact_email, contact_phone, users, sites``; a provider's
        site has ``workforce`` (free FTE per support level, supervisors, ``age_days``) and
        ``capabilities``, a company's site ``needs``. ``staff_users`` lists the department's
        users again (not a second set of accounts). Fresh objects on every call.

    Examples
    --------
    >>> data = build_demo_dataset()
    >>> data["demo_logins"]["company"]
    'els.vandenberghe@modehuis-online.example.be'
    >>> build_demo_dataset() == data
    True
    """
    files = copy.deepcopy(_files())
    taken: set[int] = set()
    organisations = [
        *(_organisation(o, "provider", random_state, taken)
          for name in ("seed_providers", "providers") for o in files[name]),
        *(_organisation(o, "company", random_state, taken) for o in files["companies"]),
    ]
    department = _organisation(files["department"], "department", random_state, taken)
    organisations.append(department)
    return {
        "organisations": organisations,
        "demo_logins": dict(DEMO_LOGINS),
        "staff_users": [dict(user) for user in department["users"]],
    }
