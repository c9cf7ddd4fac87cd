"""Human-readable text for reason codes, in Dutch (default) and English.

>>> from matching.types import Reason
>>> render(Reason("competence_coverage", {"covered": 3, "required": 4, "missing": ("forklift",)}),
...        lang="en")
'Covers 3 of 4 required competences (missing: forklift)'
>>> render(Reason("distance", {"distance_km": 12.34, "binding": "medium", "decay_km": 30.0}),
...        labels={"level": {"medium": "middel"}})
'12,3 km verwijderd (lokale gebondenheid middel: afname over 30 km)'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from matching.types import Reason

LANGUAGES = ("nl", "en")

Labels = Mapping[str, Mapping[str, str]]
"""Taxonomy labels in one language, by kind then code: ``{"activity": {"returns.apparel":
"Retourverwerking kledij"}, "competence": {...}, "placement_mode": {...}, "support_level":
{...}, "level": {...} (low/medium/high for binding and time pressure), "shift": {...},
"certification": {...}, "public_transport": {...}}``. The caller (the API) builds it from the
taxonomy, the one source of labels; without it, codes are shown as they are."""

_NO_LABELS: Labels = {}


def _label(labels: Labels, kind: str, code: Any) -> str:
    return str(labels.get(kind, {}).get(code, code))


def _num(value: float, lang: str, digits: int = 1) -> str:
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "nl" else text


def _short(value: float, lang: str) -> str:
    """A number without needless decimals: 2 → '2', 0.25 → '0.25' / '0,25'."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "nl" else text


def _join(items: Any, labels: Labels, kind: str) -> str:
    return ", ".join(_label(labels, kind, i) for i in items)


def _activity_exact(p: Mapping[str, Any], lang: str, labels: Labels) -> str:
    if lang == "nl":
        return f"Exacte activiteit: {_label(labels, 'activity', p['activity'])}"
    return f"Exact activity match: {_label(labels, 'activity', p['activity'])}"


def _activity_group(p: Mapping[str, Any], lang: str, labels: Labels) -> str:
    activity = _label(labels, "activity", p["activity"])
    if lang == "nl":
        return f"Verwante activiteit in dezelfde groep ({activity}): halve activiteitsscore"
    return f"Related activity in the same group ({activity}): half activity score"


def _competence_coverage(p: Mapping[str, Any], lang: str, labels: Labels) -> str:
    missing = p.get("missing") or ()
    if lang == "nl":
        text = f"Dekt {p['covered']} van {p['required']} vereiste competenties"
        return text + (f" (ontbreekt: {_join(missing, labels, 'competence')})" if missing else "")
    text = f"Covers {p['covered']} of {p['required']} required competences"
    return text + (f" (missing: {_join(missing, labels, 'competence')})" if missing else "")


def _text_similarity(p: Mapping[str, Any], lang: str, labels: Labels) -> str:
    if lang == "nl":
        return f"Gelijkenis van de omschrijvingen: {_num(p['similarity'], lang, 2)}"
    return f"Description similarity: {_num(p['similarity'], lang, 2)}"


def _distance(p: Mapping[str, Any], lang: str, labels: Labels) -> str:
    km = _num(p["distance_km"], lang)
    decay = _short(p["decay_km"], lang)
    binding = _label(labels, "level", p["binding"])
    if lang == "nl":
        return f"{km} km verwijderd (lokale gebondenheid {binding}: afname over {decay} km)"
    return f"{km} km away ({binding} binding: {decay} km decay)"


def _text_no_overlap(p: Mapping[str, Any], lang: str, labels: Labels) -> str:
    if lang == "nl":
        return "De omschrijvingen hebben geen enkel woord of woorddeel gemeen"
    return "The descriptions share no word or word part"


def _public_transport(p: Mapping[str, Any], lang: str, labels: Labels) -> str:
    access = _label(labels, "public_transport", p["access"])
    factor = _short(p["factor"], lang)
    if lang == "nl":
        return (
            f"Bereikbaarheid met openbaar vervoer van de klant: {access}; afstand telt zwaarder "
            f"(score × {factor} op deze afstand)"
        )
    return (
        f"Client site's public-transport access: {access}; distance counts more "
        f"(score × {factor} at this distance)"
    )


def _people(n: int, lang: str, coach: bool = False) -> str:
    if lang == "nl":
        word = ("jobcoach" if n == 1 else "jobcoaches") if coach else (
            "begeleider" if n == 1 else "begeleiders")
        return f"{n} {word}"
    word = ("job coach" if n == 1 else "job coaches") if coach else (
        "supervisor" if n == 1 else "supervisors")
    return f"{n} {word}"


def _enclave_supervisor(p: Mapping[str, Any], lang: str, labels: Labels) -> str:
    needed, free = _people(p["needed"], lang), p["free"]
    if lang == "nl":
        return f"Begeleider altijd aanwezig in de enclave: {needed} nodig, {free} vrij"
    return f"Supervisor always on site in an enclave: {needed} needed, {free} free"


def _on_call(p: Mapping[str, Any], lang: str, labels: Labels) -> str:
    fte = _short(p["fte"], lang)
    mode = _label(labels, "placement_mode", p["mode"])
    if lang == "nl":
        return (
            f"De {fte} VTE die kunnen gaan hebben lage begeleidingsnood: begeleiding op afroep "
            f"volstaat ({mode})"
        )
    return f"The {fte} FTE that can go need low support: on-call supervision suffices ({mode})"


def _supervisor_available(p: Mapping[str, Any], lang: str, labels: Labels) -> str:
    coach = p["mode"] == "individual"
    needed, free = _people(p["needed"], lang, coach), p["free"]
    if lang == "nl":
        return f"Medewerkers met middel/hoge begeleidingsnood: {needed} nodig, {free} vrij"
    return f"Workers needing medium or high support: {needed} needed, {free} free"


def _coverage(p: Mapping[str, Any], lang: str, labels: Labels) -> str:
    cov, unc = _short(p["covered_fte"], lang), _short(p["uncovered_fte"], lang)
    level = _label(labels, "support_level", p["accommodates"])
    contracted = p.get("contracted_fte") or 0.0
    if lang == "nl":
        text = f"{cov} van de {unc} nog open VTE invulbaar met begeleidingsnood tot {level}"
        if contracted > 0:
            text += f" ({_short(contracted, lang)} VTE al gecontracteerd)"
        if p["limit"] == "supervision":
            text += "; begrensd door de vrije begeleiders"
        elif p["limit"] == "workers":
            text += "; niet genoeg vrije medewerkers op die niveaus"
        return text
    text = f"{cov} of the {unc} uncovered FTE coverable at support levels up to {level}"
    if contracted > 0:
        text += f" ({_short(contracted, lang)} FTE already contracted)"
    if p["limit"] == "supervision":
        text += "; limited by the free supervisors"
    elif p["limit"] == "workers":
        text += "; not enough free workers at those levels"
    return text


def _peak(p: Mapping[str, Any], lang: str, labels: Labels) -> str:
    pressure = _label(labels, "level", p["time_pressure"])
    if p["time_pressure"] == "high":
        if lang == "nl":
            return (
                "Piekwerk onder hoge tijdsdruk past niet bij doelgroepmedewerkers "
                "(seeds 000:3522): lage begeleidingsfit"
            )
        return (
            "Peak-season work under high time pressure does not suit target-group workers "
            "(seeds 000:3522): low supervision fit"
        )
    if lang == "nl":
        return (
            f"Let op: piekwerk (tijdsdruk {pressure}) past vaak niet bij doelgroepmedewerkers "
            "(seeds 000:3522)"
        )
    return (
        f"Note: peak-season work (time pressure {pressure}) often does not suit target-group "
        "workers (seeds 000:3522)"
    )


def _stale(p: Mapping[str, Any], lang: str, labels: Labels) -> str:
    days = f"{p['age_days']:.0f}"
    credit = f"{p['credit'] * 100:.0f}"
    if lang == "nl":
        return f"Personeelsgegevens zijn {days} dagen oud: capaciteit telt voor {credit} %"
    return f"Workforce figures are {days} days old: capacity counts for {credit} %"


def _too_far(p: Mapping[str, Any], lang: str, labels: Labels) -> str:
    km, limit = _num(p["distance_km"], lang), _short(p["limit_km"], lang)
    if lang == "nl":
        what = "maximale afstand van de klant" if p["limit"] == "need" else "werkingsgebied"
        return f"{km} km verwijderd, voorbij de {what} ({limit} km)"
    what = "company's maximum distance" if p["limit"] == "need" else "provider's service radius"
    return f"{km} km away, beyond the {what} ({limit} km)"


def _placement_mode(p: Mapping[str, Any], lang: str, labels: Labels) -> str:
    mode = _label(labels, "placement_mode", p["mode"])
    if lang == "nl":
        return f"Plaatsingsvorm niet aangeboden: {mode}"
    return f"Placement mode not offered: {mode}"


def _certification(p: Mapping[str, Any], lang: str, labels: Labels) -> str:
    if lang == "nl":
        return f"Vereiste certificering ontbreekt: {_join(p['missing'], labels, 'certification')}"
    return f"Missing required certification: {_join(p['missing'], labels, 'certification')}"


def _shift(p: Mapping[str, Any], lang: str, labels: Labels) -> str:
    shifts = _join(p["missing"], labels, "shift")
    if lang == "nl":
        return f"Vereiste shift niet aangeboden: {shifts}"
    return f"Required shift not offered: {shifts}"


def _no_free(p: Mapping[str, Any], lang: str, labels: Labels) -> str:
    return "Geen vrije capaciteit" if lang == "nl" else "No free capacity"


def _no_free_level(p: Mapping[str, Any], lang: str, labels: Labels) -> str:
    level = _label(labels, "support_level", p["accommodates"])
    if lang == "nl":
        return f"Geen vrije medewerkers met begeleidingsnood tot {level}"
    return f"No free workers at support levels up to {level}"


def _no_supervision(p: Mapping[str, Any], lang: str, labels: Labels) -> str:
    if p["mode"] == "enclave":
        if lang == "nl":
            return "Geen begeleider vrij: een enclave vraagt altijd begeleiding (seeds 000:181)"
        return "No free supervisor: an enclave always needs one on site (seeds 000:181)"
    if p["mode"] == "individual":
        if lang == "nl":
            return "Geen jobcoach vrij voor medewerkers met middel/hoge begeleidingsnood"
        return "No free job coach for workers needing medium or high support"
    if lang == "nl":
        return "Geen begeleider vrij en geen medewerkers met lage begeleidingsnood"
    return "No free supervisor and no low-support workers"


_RENDERERS: dict[str, Callable[[Mapping[str, Any], str, Labels], str]] = {
    "activity_exact": _activity_exact,
    "activity_group": _activity_group,
    "competence_coverage": _competence_coverage,
    "text_similarity": _text_similarity,
    "text_no_overlap": _text_no_overlap,
    "distance": _distance,
    "public_transport": _public_transport,
    "enclave_supervisor": _enclave_supervisor,
    "on_call_supervision": _on_call,
    "supervisor_available": _supervisor_available,
    "coverage": _coverage,
    "peak_season": _peak,
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


def render(reason: Reason, lang: str = "nl", labels: Labels | None = None) -> str:
    """Render a reason as a sentence in ``lang`` ("nl" or "en").

    ``labels`` are the taxonomy's labels in ``lang`` (see :data:`Labels`); codes are shown
    as they are without them.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")
    try:
        renderer = _RENDERERS[reason.code]
    except KeyError:
        raise ValueError(f"unknown reason code {reason.code!r}") from None
    return renderer(reason.params, lang, labels if labels is not None else _NO_LABELS)
