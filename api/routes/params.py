"""Query parameters shared by list endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator

Limit = Annotated[int, Query(ge=1, le=200, description="Page size", examples=[50])]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Rows to skip", examples=[0])]


def _province(value: str | None) -> str | None:
    from models.gazetteer import is_valid_province

    if value is None:
        return None
    value = value.strip().lower()
    if not is_valid_province(value):
        raise ValueError(f"unknown province {value!r}; use a slug like 'west-vlaanderen'")
    return value


def _activity(value: str | None) -> str | None:
    from models.taxonomy import activity_codes

    if value is not None and value not in activity_codes():
        raise ValueError(f"unknown activity code {value!r}; see GET /taxonomy/activities")
    return value


ProvinceFilter = Annotated[
    str | None,
    Query(description="Province slug, e.g. `west-vlaanderen`", examples=["west-vlaanderen"]),
    AfterValidator(_province),
]
ActivityFilter = Annotated[
    str | None,
    Query(description="Activity code", examples=["returns.apparel"]),
    AfterValidator(_activity),
]
