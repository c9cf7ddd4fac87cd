"""How a distance between two sites is presented (DESIGN §10).

Sites are placed at their postcode's point (the deelgemeente it names, see
``models/gazetteer.py``), never at their street address. So a distance is between two postcode
points, and two kinds of it are not measured distances:

* both sites have the same point (the same postcode area, e.g. two sites in 8800 Roeselare):
  the computed distance is 0.0 km, which says "same area", not "same address" (and only "same
  municipality" when one end is at its municipality's centre);
* either site has only its municipality's centre (``coordinates_approximate``).

Ranking keeps using the computed distance (a same-area provider is as near as the engine can
tell); what a person reads says which case it is: ``distance_approximate`` on the match, and
the distance reason reads "In the same postcode area (Roeselare): distance not measured, counts
as near" instead of "0.0 km away", or ends in "[approximate: municipality centre]".
"""

from __future__ import annotations

from models.matching import ReasonPublic

SAME_POINT_KM = 0.05  # below this the two postcode points coincide (the gazetteer's precision)


def is_approximate(distance_km: float, *approximate_ends: bool) -> bool:
    """Whether a distance is not measured: the same postcode point, or an approximate end."""
    return distance_km < SAME_POINT_KM or any(approximate_ends)


def present(reasons: list[ReasonPublic], distance_km: float, *, municipality: str,
            approximate_end: bool, lang: str) -> list[ReasonPublic]:
    """The reasons with the ``distance`` reason told as what it is (see the module docstring).

    Its params gain ``same_area`` and ``approximate`` (booleans); other reasons are unchanged.
    """
    same_area = distance_km < SAME_POINT_KM
    if not (same_area or approximate_end):
        return reasons
    out = []
    for reason in reasons:
        if reason.code == "distance":
            params = reason.params | {"same_area": same_area, "approximate": True}
            out.append(ReasonPublic(code=reason.code, params=params, text=_text(
                reason.text, same_area, approximate_end, municipality, lang)))
        else:
            out.append(reason)
    return out


def _text(text: str, same_area: bool, approximate_end: bool, municipality: str,
          lang: str) -> str:
    if same_area:
        # one shared point: the same postcode area, or (an end at its municipality's centre)
        # only the same municipality
        if lang == "nl":
            where = "dezelfde gemeente" if approximate_end else "hetzelfde postcodegebied"
            return f"In {where} ({municipality}): afstand niet gemeten, telt als dichtbij"
        where = "the same municipality" if approximate_end else "the same postcode area"
        return f"In {where} ({municipality}): distance not measured, counts as near"
    marker = ("bij benadering: centrum van de gemeente" if lang == "nl"
              else "approximate: municipality centre")
    return f"{text} [{marker}]"
