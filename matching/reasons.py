"""Human-readable text for reason codes, in Dutch (default) and English.

>>> from matching.types import Reason
>>> render(Reason("competence_coverage", {"covered": 3, "required": 4, "missing": ("forklift",)}),
...        lang="en")
'Covers 3 of 4 required competences (missing: forklift)'
>>> render(Reason("distance", {"distance_km": 12.34, "binding": "medium", "decay_km": 30.0}))
'12,3 km verwijderd (lokale gebondenheid middel: afname over 30 km)'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from matching.types import Reason

LANGUAGES = ("nl", "en")

_LEVEL = {
    "nl": {"low": "laag", "medium": "middel", "high": "hoog"},
    "en": {"low": "low", "medium": "medium", "high": "high"},
}
_MODE = {
    "nl": {
        "workshop": "uitbesteding in het maatwerkbedrijf",
        "on_site": "dienstverlening op locatie",
        "enclave": "enclave",
        "individual": "individueel maatwerk",
    },
    "en": {
        "workshop": "workshop",
        "on_site": "on-site service",
        "enclave": "enclave",
        "individual": "individual placement",
    },
}
_SHIFT = {
    "nl": {"day": "dag", "early_late": "vroege/late", "night": "nacht", "weekend": "weekend"},
    "en": {"day": "day", "early_late": "early/late", "night": "night", "weekend": "weekend"},
}


def _num(value: float, lang: str, digits: int = 1) -> str:
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "nl" else text


def _short(value: float, lang: str) -> str:
    """A number without needless decimals: 2 → '2', 0.25 → '0.25' / '0,25'."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "nl" else text


def _join(items: Any, labels: Mapping[str, str] | None = None) -> str:
    return ", ".join(labels.get(i, i) if labels else str(i) for i in items)


def _activity_exact(p: Mapping[str, Any], lang: str) -> str:
    if lang == "nl":
        return f"Exacte activiteit ({p['activity']})"
    return f"Exact activity match ({p['activity']})"


def _activity_group(p: Mapping[str, Any], lang: str) -> str:
    if lang == "nl":
        return f"Verwante activiteit in dezelfde groep ({p['activity']}): halve activiteitsscore"
    return f"Related activity in the same group ({p['activity']}): half activity score"


def _competence_coverage(p: Mapping[str, Any], lang: str) -> str:
    missing = p.get("missing") or ()
    if lang == "nl":
        text = f"Dekt {p['covered']} van {p['required']} vereiste competenties"
        return text + (f" (ontbreekt: {_join(missing)})" if missing else "")
    text = f"Covers {p['covered']} of {p['required']} required competences"
    return text + (f" (missing: {_join(missing)})" if missing else "")


def _text_similarity(p: Mapping[str, Any], lang: str) -> str:
    if lang == "nl":
        return f"Gelijkenis van de omschrijvingen: {_num(p['similarity'], lang, 2)}"
    return f"Description similarity: {_num(p['similarity'], lang, 2)}"


def _distance(p: Mapping[str, Any], lang: str) -> str:
    km = _num(p["distance_km"], lang)
    decay = _short(p["decay_km"], lang)
    binding = _LEVEL[lang][p["binding"]]
    if lang == "nl":
        return f"{km} km verwijderd (lokale gebondenheid {binding}: afname over {decay} km)"
    return f"{km} km away ({binding} binding: {decay} km decay)"


def _public_transport(p: Mapping[str, Any], lang: str) -> str:
    poor = p["access"] == "poor"
    if lang == "nl":
        how = "slecht" if poor else "beperkt"
        return f"Site van de klant {how} bereikbaar met het openbaar vervoer"
    how = "poorly served" if poor else "only partly served"
    return f"Client site {how} by public transport"


def _enclave_supervisor(p: Mapping[str, Any], lang: str) -> str:
    needed, free = _short(p["needed"], lang), _short(p["free"], lang)
    if lang == "nl":
        return f"Begeleider altijd aanwezig in de enclave ({needed} nodig, {free} vrij)"
    return f"Supervisor on site for enclave ({needed} needed, {free} free)"


def _on_call(p: Mapping[str, Any], lang: str) -> str:
    if lang == "nl":
        return "Alle ingezette medewerkers hebben lage begeleidingsnood: begeleiding op afroep"
    return "All assigned workers need low support: on-call supervision suffices"


def _supervisor_available(p: Mapping[str, Any], lang: str) -> str:
    free = _short(p["free"], lang)
    if lang == "nl":
        return f"Begeleider beschikbaar voor medewerkers met middel/hoge nood ({free} vrij)"
    return f"Supervisor available for workers needing medium or high support ({free} free)"


def _limited_to_low(p: Mapping[str, Any], lang: str) -> str:
    low = _short(p["low_fte"], lang)
    if lang == "nl":
        return f"Geen begeleider vrij: enkel {low} VTE met lage begeleidingsnood inzetbaar"
    return f"No free supervisor: only {low} FTE of low-support workers can be deployed"


def _support_coverage(p: Mapping[str, Any], lang: str) -> str:
    cov, fte = _short(p["coverable_fte"], lang), _short(p["fte"], lang)
    level = _LEVEL[lang][p["accommodates"]]
    if lang == "nl":
        return f"{cov} van {fte} VTE invulbaar met begeleidingsnood tot {level}"
    return f"{cov} of {fte} FTE coverable with workers at support levels up to {level}"


def _peak(p: Mapping[str, Any], lang: str) -> str:
    if lang == "nl":
        return (
            "Piekwerk onder hoge tijdsdruk is niet geschikt voor doelgroepmedewerkers "
            "(seeds 000:3522)"
        )
    return (
        "Peak-season work under high time pressure does not suit target-group workers "
        "(seeds 000:3522)"
    )


def _capacity(p: Mapping[str, Any], lang: str) -> str:
    free, fte = _short(p["free_fte"], lang), _short(p["fte"], lang)
    if lang == "nl":
        return f"{free} VTE vrij voor {fte} VTE gevraagd"
    return f"{free} FTE free for {fte} FTE needed"


def _stale(p: Mapping[str, Any], lang: str) -> str:
    days = f"{p['age_days']:.0f}"
    if lang == "nl":
        return f"Personeelsgegevens zijn {days} dagen oud"
    return f"Workforce figures are {days} days old"


def _too_far(p: Mapping[str, Any], lang: str) -> str:
    km, limit = _num(p["distance_km"], lang), _short(p["limit_km"], lang)
    if lang == "nl":
        what = "maximale afstand van de klant" if p["limit"] == "need" else "werkingsgebied"
        return f"{km} km verwijderd, voorbij de {what} ({limit} km)"
    what = "company's maximum distance" if p["limit"] == "need" else "provider's service radius"
    return f"{km} km away, beyond the {what} ({limit} km)"


def _placement_mode(p: Mapping[str, Any], lang: str) -> str:
    mode = _MODE[lang][p["mode"]]
    if lang == "nl":
        return f"Plaatsingsvorm niet aangeboden: {mode}"
    return f"Placement mode not offered: {mode}"


def _certification(p: Mapping[str, Any], lang: str) -> str:
    if lang == "nl":
        return f"Vereiste certificering ontbreekt: {_join(p['missing'])}"
    return f"Missing required certification: {_join(p['missing'])}"


def _shift(p: Mapping[str, Any], lang: str) -> str:
    shifts = _join(p["missing"], _SHIFT[lang])
    if lang == "nl":
        return f"Vereiste shift niet aangeboden: {shifts}"
    return f"Required shift not offered: {shifts}"


def _no_free(p: Mapping[str, Any], lang: str) -> str:
    return "Geen vrije capaciteit" if lang == "nl" else "No free capacity"


def _no_free_level(p: Mapping[str, Any], lang: str) -> str:
    level = _LEVEL[lang][p["accommodates"]]
    if lang == "nl":
        return f"Geen vrije medewerkers met begeleidingsnood tot {level}"
    return f"No free workers at support levels up to {level}"


def _no_supervision(p: Mapping[str, Any], lang: str) -> str:
    if p["mode"] == "enclave":
        if lang == "nl":
            return "Geen begeleider vrij: een enclave vraagt altijd begeleiding (seeds 000:181)"
        return "No free supervisor: an enclave always needs one on site (seeds 000:181)"
    if lang == "nl":
        return "Geen begeleider vrij en geen medewerkers met lage begeleidingsnood"
    return "No free supervisor and no low-support workers"


_RENDERERS: dict[str, Callable[[Mapping[str, Any], str], str]] = {
    "activity_exact": _activity_exact,
    "activity_group": _activity_group,
    "competence_coverage": _competence_coverage,
    "text_similarity": _text_similarity,
    "distance": _distance,
    "public_transport": _public_transport,
    "enclave_supervisor": _enclave_supervisor,
    "on_call_supervision": _on_call,
    "supervisor_available": _supervisor_available,
    "supervision_limited_to_low": _limited_to_low,
    "support_coverage": _support_coverage,
    "peak_season_pressure": _peak,
    "capacity": _capacity,
    "stale_workforce": _stale,
    "too_far": _too_far,
    "placement_mode": _placement_mode,
    "certification": _certification,
    "shift": _shift,
    "no_free_capacity": _no_free,
    "no_free_capacity_at_level": _no_free_level,
    "no_supervision": _no_supervision,
}

#: every reason code the engine can produce
REASON_CODES = tuple(_RENDERERS)


def render(reason: Reason, lang: str = "nl") -> str:
    """Render a reason as a sentence in ``lang`` ("nl" or "en")."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")
    try:
        renderer = _RENDERERS[reason.code]
    except KeyError:
        raise ValueError(f"unknown reason code {reason.code!r}") from None
    return renderer(reason.params, lang)
