"""Reservation: how much of a provider site's free workforce a contract takes, and gives back.

The coverage RULE is :func:`matching.coverage.cover` (DESIGN §4.1-4.2); this module applies it
to a site's workforce row: the best reservation for a need, the 409 problem when it falls short,
and the arithmetic that takes a reservation from the row and returns it. The caller holds the
row locks (need → workforce → lead, see :mod:`api.services.leads`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from api.errors import Conflict
from matching.assignment import DEFAULT_SUPERVISION_RATIOS
from matching.coverage import cover, ratios_of
from models.common import SUPPORT_LEVELS
from models.lead import Lead
from models.need import Need
from models.site import Workforce

EPSILON = 1e-6


@dataclass(frozen=True)
class Capacity:
    """Free FTE by support level and free supervisors of one provider site."""

    low: float = 0.0
    medium: float = 0.0
    high: float = 0.0
    supervisors: float = 0.0

    @classmethod
    def of(cls, workforce: Workforce | None) -> Capacity:
        if workforce is None:
            return cls()
        return cls(workforce.free_fte_low, workforce.free_fte_medium, workforce.free_fte_high,
                   workforce.supervisors_available)

    def free(self, level: str) -> float:
        return float(getattr(self, level))


@dataclass(frozen=True)
class Reservation:
    low: float = 0.0
    medium: float = 0.0
    high: float = 0.0
    supervisors: float = 0.0

    @property
    def fte(self) -> float:
        return self.low + self.medium + self.high


def best_reservation(capacity: Capacity, fte: float, accommodates: str, placement_mode: str,
                     ratios: Mapping[str, float] = DEFAULT_SUPERVISION_RATIOS) -> Reservation:
    """The largest reservation up to ``fte`` the site can make for a need.

    The one coverage rule of :func:`matching.coverage.cover` (DESIGN §4.1-4.2): only workers
    at or below the level the workplace accommodates, as many as the supervision the placement
    mode requires allows; supervisors are reserved as whole people.

    >>> best_reservation(Capacity(low=1, medium=2, supervisors=1), 2, "medium", "workshop").low
    1.0
    >>> best_reservation(Capacity(low=3, supervisors=2), 3, "low", "enclave").supervisors
    1.0
    """
    cov = cover((capacity.low, capacity.medium, capacity.high), capacity.supervisors,
                placement_mode, accommodates, fte, ratios_of(ratios))
    return Reservation(low=round(cov.low, 6), medium=round(cov.medium, 6),
                       high=round(cov.high, 6), supervisors=float(cov.supervisors))


def capacity_problem(capacity: Capacity, fte: float, best: Reservation, need: Need,
                      site_name: str) -> Conflict:
    levels = SUPPORT_LEVELS[:SUPPORT_LEVELS.index(need.accommodates_support) + 1]
    return Conflict(
        f"Not enough free capacity at site '{site_name}': {fte:g} FTE asked, {best.fte:g} FTE "
        f"can be reserved at support levels up to {need.accommodates_support} for "
        f"{need.placement_mode} work (free low/medium/high {capacity.low:g}/"
        f"{capacity.medium:g}/{capacity.high:g}, supervisors {capacity.supervisors:g})",
        requested_fte=fte, reservable_fte=round(best.fte, 6),
        free_fte={level: capacity.free(level) for level in SUPPORT_LEVELS},
        eligible_levels=list(levels), supervisors_available=capacity.supervisors,
    )


def reserve(workforce: Workforce, reservation: Reservation, now: datetime) -> None:
    """Take ``reservation`` from the site's free workforce (never below zero)."""
    # the CHECK (free >= 0) on workforce is the last line of defence
    workforce.free_fte_low = max(0.0, round(workforce.free_fte_low - reservation.low, 6))
    workforce.free_fte_medium = max(0.0, round(workforce.free_fte_medium - reservation.medium, 6))
    workforce.free_fte_high = max(0.0, round(workforce.free_fte_high - reservation.high, 6))
    workforce.supervisors_available = max(
        0.0, round(workforce.supervisors_available - reservation.supervisors, 6))
    workforce.updated_at = now


def release(lead: Lead, workforce: Workforce | None, now: datetime) -> None:
    """Give a contracted lead's reservation back to the site; the lead then reserves nothing."""
    if workforce is not None:
        workforce.free_fte_low = round(workforce.free_fte_low + lead.reserved_fte_low, 6)
        workforce.free_fte_medium = round(workforce.free_fte_medium + lead.reserved_fte_medium, 6)
        workforce.free_fte_high = round(workforce.free_fte_high + lead.reserved_fte_high, 6)
        workforce.supervisors_available = round(
            workforce.supervisors_available + lead.reserved_supervisors, 6)
        workforce.updated_at = now
    lead.reserved_fte_low = lead.reserved_fte_medium = lead.reserved_fte_high = 0.0
    lead.reserved_supervisors = 0.0
