"""Monitoring for department staff: JSON figures, or CSV with `?format=csv` (DESIGN §8)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import AfterValidator, BaseModel

from api.deps import SessionDep, SettingsDep, StaffUser
from api.errors import PROBLEM_RESPONSES, InvalidInput
from api.routes.params import ActivityFilter, ProvinceFilter
from api.services import stats as service
from api.services.stats_csv import to_csv
from models.common import IsoDate
from models.stats import (
    ActivityStats,
    Interval,
    Metric,
    RegionLevel,
    RegionStats,
    StatsOverview,
    TimeSeries,
)

router = APIRouter(prefix="/stats", tags=["monitoring"], responses=PROBLEM_RESPONSES)


def _arrondissement(value: str | None) -> str | None:
    from models.gazetteer import arrondissements

    if value is None:
        return None
    value = value.strip()
    if value not in {nis for nis, _name, _province in arrondissements()}:
        raise ValueError(f"unknown arrondissement {value!r}; use a 5-digit NIS code like "
                         "'36000'")
    return value


ArrondissementFilter = Annotated[
    str | None,
    Query(description="Administrative arrondissement, 5-digit NIS code", examples=["36000"],
          pattern=r"^\s*\d{5}\s*$"),
    AfterValidator(_arrondissement),
]
PeriodFrom = Annotated[IsoDate | None, Query(
    description="First day of the period (inclusive)", examples=["2026-01-01"])]
PeriodTo = Annotated[IsoDate | None, Query(
    description="Last day of the period (inclusive)", examples=["2026-12-31"])]
Format = Annotated[Literal["json", "csv"], Query(
    description="`csv`: text/csv (UTF-8, header row, stable column order) as an attachment",
    examples=["csv"])]


async def stats_scope(province: ProvinceFilter = None,
                      arrondissement: ArrondissementFilter = None,
                      activity: ActivityFilter = None, period_from: PeriodFrom = None,
                      period_to: PeriodTo = None) -> service.Scope:
    if period_from and period_to and period_to < period_from:
        raise InvalidInput(["query", "period_to"], "period_to must not be before period_from")
    return service.Scope(province=province, arrondissement=arrondissement, activity=activity,
                         period_from=period_from, period_to=period_to)


ScopeDep = Annotated[service.Scope, Depends(stats_scope)]
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}},
          "description": "The figures; with `format=csv` a CSV attachment"}}


def _respond(result: BaseModel, format: str, name: str) -> BaseModel | Response:
    if format == "csv":
        disposition = f'attachment; filename="koppel-{name}.csv"'
        return Response(to_csv(result), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": disposition})
    return result


@router.get("/overview", response_model=StatsOverview, responses=CSV_RESPONSE,
            summary="Key figures: open demand, free workforce, contracts, unmet demand, leads, "
            "clusters")
def overview(session: SessionDep, settings: SettingsDep, _staff: StaffUser, scope: ScopeDep,
             format: Format = "json") -> BaseModel | Response:
    return _respond(service.overview(session, settings, scope), format, "overview")


@router.get("/regions", response_model=RegionStats, responses=CSV_RESPONSE,
            summary="Demand, contracts, unmet demand and free workforce by region")
def regions(session: SessionDep, settings: SettingsDep, _staff: StaffUser, scope: ScopeDep,
            level: Annotated[RegionLevel, Query(description="Grouping level",
                                                examples=["province"])] = "province",
            format: Format = "json") -> BaseModel | Response:
    return _respond(service.regions(session, settings, scope, level), format, f"regions-{level}")


@router.get("/activities", response_model=ActivityStats, responses=CSV_RESPONSE,
            summary="Demand, contracts, unmet demand and supply by activity")
def activities(session: SessionDep, settings: SettingsDep, _staff: StaffUser, scope: ScopeDep,
               format: Format = "json") -> BaseModel | Response:
    return _respond(service.activities(session, settings, scope), format, "activities")


@router.get("/timeseries", response_model=TimeSeries, responses=CSV_RESPONSE,
            summary="A metric per month")
def timeseries(session: SessionDep, _staff: StaffUser, scope: ScopeDep,
               metric: Annotated[Metric, Query(description="What to count; see `metric` in the "
                                               "response", examples=["needs_posted"])],
               interval: Annotated[Interval, Query(description="Bucket size",
                                                   examples=["month"])] = "month",
               format: Format = "json") -> BaseModel | Response:
    return _respond(service.timeseries(session, scope, metric), format, f"timeseries-{metric}")
