"""Tiny factories for hand-made matching worlds (no database)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from matching import CapabilityProfile, NeedProfile

# (lat, lon) of a few Flemish towns; distances from Roeselare in the comments
TOWNS: dict[str, tuple[float, float]] = {
    "Roeselare": (50.9469, 3.1230),
    "Izegem": (50.9140, 3.2056),  # ~6.8 km
    "Tielt": (50.9990, 3.3270),  # ~15.5 km
    "Kortrijk": (50.8280, 3.2650),  # ~17 km
    "Brugge": (51.2093, 3.2247),  # ~30 km
    "Gent": (51.0543, 3.7174),  # ~43 km
    "Antwerpen": (51.2194, 4.4025),  # ~94 km
    "Hasselt": (50.9307, 5.3325),  # ~155 km
}


def need(**overrides: Any) -> NeedProfile:
    """A clothing-returns need in Roeselare, workshop mode, 2 FTE, no hard limits."""
    base = NeedProfile(
        id="need-1",
        activity="returns.apparel",
        competences=("laundry", "textile.repair"),
        text="",
        placement_mode="workshop",
        fte=2.0,
        accommodates_support="high",
        time_pressure="low",
        peak_season=False,
        shifts=("day",),
        certifications=(),
        max_distance_km=None,
        lat=TOWNS["Roeselare"][0],
        lon=TOWNS["Roeselare"][1],
        binding="medium",
        public_transport="good",
    )
    if "town" in overrides:
        overrides["lat"], overrides["lon"] = TOWNS[overrides.pop("town")]
    return replace(base, **overrides)


def cap(**overrides: Any) -> CapabilityProfile:
    """A capability in Izegem that fits :func:`need` fully, offering every mode."""
    base = CapabilityProfile(
        id="cap-1",
        provider_id="prov-1",
        provider_name="Maatwerk Izegem",
        site_id="site-1",
        municipality="Izegem",
        activity="returns.apparel",
        competences=("laundry", "textile.repair"),
        text="",
        placement_modes=("workshop", "on_site", "enclave", "individual"),
        service_radius_km=None,
        certifications=(),
        shifts=("day", "early_late"),
        lat=TOWNS["Izegem"][0],
        lon=TOWNS["Izegem"][1],
        free_fte=(4.0, 4.0, 4.0),
        supervisors_free=2.0,
        workforce_age_days=10.0,
    )
    if "town" in overrides:
        town = overrides.pop("town")
        overrides["lat"], overrides["lon"] = TOWNS[town]
        overrides.setdefault("municipality", town)
    return replace(base, **overrides)
