"""Closed vocabularies, reusable validated field types and the list envelope."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field


class OrganisationKind(StrEnum):
    company = "company"  # regulier bedrijf (REC)
    provider = "provider"  # maatwerkbedrijf (SEC)
    department = "department"  # Departement Werk en Sociale Economie


class Role(StrEnum):
    company = "company"
    provider = "provider"
    staff = "staff"
    admin = "admin"


class SupportLevel(StrEnum):
    """Begeleidingsgraad (seeds 000:158-168)."""

    low = "low"
    medium = "medium"
    high = "high"


#: the support levels in increasing order of need, as plain strings (``free_fte`` order);
#: ``matching.SUPPORT_LEVELS`` is the engine's copy, kept equal by tests/models/test_common.py
SUPPORT_LEVELS: tuple[str, ...] = tuple(level.value for level in SupportLevel)


class PlacementMode(StrEnum):
    workshop = "workshop"
    on_site = "on_site"
    enclave = "enclave"
    individual = "individual"


class Certification(StrEnum):
    iso9001 = "iso9001"
    iso14001 = "iso14001"
    vca = "vca"
    haccp = "haccp"
    brc_ifs = "brc_ifs"
    fsc = "fsc"
    weee_permit = "weee_permit"


class Shift(StrEnum):
    day = "day"
    early_late = "early_late"
    night = "night"
    weekend = "weekend"


class TimePressure(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class PublicTransport(StrEnum):
    good = "good"
    limited = "limited"
    poor = "poor"


class NeedOrigin(StrEnum):
    """Where a need's work comes from: what stays in Flanders (seeds 003:5-18, 001:1817-1857)."""

    new = "new"  # work that did not exist before
    reshored = "reshored"  # brought back from abroad (reshoring)
    kept = "kept"  # kept here instead of delocalising


class NeedStatus(StrEnum):
    draft = "draft"
    open = "open"
    matched = "matched"
    closed = "closed"
    cancelled = "cancelled"


# ---- validators --------------------------------------------------------------------------


class FieldRuleError(ValueError):
    """A rule across fields, reported on the field to change (``loc`` ends in ``field``)
    instead of on the whole body (see ``api.errors``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


_ENTERPRISE_RE = re.compile(r"^[01]\d{9}$")


def normalise_enterprise_number(value: str) -> str:
    """KBO number: 10 digits, first 0 or 1, last two = 97 - (first eight mod 97).

    Accepts ``0123.456.749``, ``0123456749`` or ``BE 0123.456.749``; returns ``0123.456.749``.
    """
    digits = re.sub(r"[\s.]", "", value.upper().removeprefix("BE"))
    if len(digits) == 9 and digits.isdigit():  # old 9-digit numbers get a leading 0
        digits = "0" + digits
    if not _ENTERPRISE_RE.match(digits):
        raise ValueError("enterprise number must have 10 digits starting with 0 or 1")
    if 97 - int(digits[:8]) % 97 != int(digits[8:]):
        raise ValueError("enterprise number fails the mod-97 check")
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def _check_activity(code: str) -> str:
    from models.taxonomy import activity_codes

    if code not in activity_codes():
        raise ValueError(f"unknown activity code {code!r}; see GET /taxonomy/activities")
    return code


def _check_competences(codes: list[str]) -> list[str]:
    from models.taxonomy import competence_codes

    known = competence_codes()
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValueError(
            f"unknown competence code(s) {', '.join(map(repr, unknown))}; "
            "see GET /taxonomy/competences"
        )
    return sorted(set(codes))


def _check_nace(codes: list[str]) -> list[str]:
    for code in codes:
        if not re.fullmatch(r"\d{2}(\.\d{1,2}(\d{1,2})?)?", code):
            raise ValueError(f"NACE code {code!r} must look like '82.92' or '46.4'")
    return sorted(set(codes))


def _check_country(code: str) -> str:
    import pycountry

    code = code.strip().upper()
    if pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"unknown country code {code!r}; use an ISO 3166-1 alpha-2 code "
                         "such as 'CZ' or 'PL'")
    if code == "BE":
        raise ValueError("origin_country is the country the work came back from, not Belgium")
    return code


def _dedupe(values: list) -> list:
    return sorted(set(values))


EnterpriseNumber = Annotated[
    str,
    AfterValidator(normalise_enterprise_number),
    Field(description="Belgian enterprise (KBO) number", examples=["0403.199.702"]),
]
ActivityCode = Annotated[
    str,
    AfterValidator(_check_activity),
    Field(description="Activity code from GET /taxonomy/activities", examples=["returns.apparel"]),
]
CompetenceCodes = Annotated[
    list[str],
    Field(max_length=30, description="Competence codes from GET /taxonomy/competences",
          examples=[["laundry", "textile.repair", "packing"]]),
    AfterValidator(_check_competences),
]
NaceCodes = Annotated[
    list[str],
    Field(max_length=20, description="NACE-BEL activity codes", examples=[["47.91", "82.92"]]),
    AfterValidator(_check_nace),
]
CountryCode = Annotated[
    str,
    Field(min_length=2, max_length=3, examples=["CZ"]),
    AfterValidator(_check_country),
]
ModeList = Annotated[
    list[PlacementMode],
    Field(min_length=1, max_length=4, description="Placement modes offered",
          examples=[["workshop", "enclave"]]),
    AfterValidator(_dedupe),
]
CertificationList = Annotated[
    list[Certification],
    Field(max_length=7, description="Certifications", examples=[["vca"]]),
    AfterValidator(_dedupe),
]
ShiftList = Annotated[
    list[Shift],
    Field(max_length=4, description="Shifts", examples=[["day"]]),
    AfterValidator(_dedupe),
]

# ---- dates -------------------------------------------------------------------------------
# Pydantic reads a number as a Unix timestamp ("0.5" is a date-time, 0 is 1970-01-01) and
# accepts years 1 to 9999, whose ends overflow as soon as anyone adds a day or converts
# 0001-01-01T00:00+14:00 to UTC. Koppel's dates are ISO 8601 text within these years.

FIRST_YEAR, LAST_YEAR = 1900, 2199
_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _not_a_number(value: Any) -> Any:
    if isinstance(value, bool | int | float) or (isinstance(value, str)
                                                  and _NUMBER.fullmatch(value)):
        raise ValueError("expected an ISO 8601 date such as 2026-11-28 (or date-time such as "
                         "2026-11-28T09:00:00Z), not a number")
    return value


def _date_in_range(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"date must lie between {FIRST_YEAR}-01-01 and {LAST_YEAR}-12-31")
    return value


def _datetime_in_range(value: datetime) -> datetime:
    # checked in UTC, which is how it is compared and stored
    utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    if not FIRST_YEAR < utc.year < LAST_YEAR:  # a year of margin: the offset never overflows
        raise ValueError(f"date-time must lie between {FIRST_YEAR + 1}-01-01 and "
                         f"{LAST_YEAR - 1}-12-31")
    return utc.astimezone(UTC)


IsoDate = Annotated[date, BeforeValidator(_not_a_number), AfterValidator(_date_in_range)]
IsoDateTime = Annotated[datetime, BeforeValidator(_not_a_number),
                     AfterValidator(_datetime_in_range)]

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A page of a list: `items` from `offset`, `total` matching rows overall."""

    items: list[T]
    total: int = Field(examples=[42], description="Number of matching rows overall")
    limit: int = Field(examples=[50], description="Page size asked for")
    offset: int = Field(examples=[0], description="Rows skipped before this page")

    @classmethod
    def of(cls, items: Iterable[Any], total: int, *, limit: int, offset: int) -> Page[T]:
        """The page of ``items`` a list endpoint returns for ``limit``/``offset``."""
        return cls(items=list(items), total=total, limit=limit, offset=offset)
