"""Response schemas of the monitoring endpoints (DESIGN §8): every figure defined where it is.

The definitions below are the contract: they appear in the OpenAPI document and the README
repeats them. "In scope" always means: passing the request's filters (province,
arrondissement, activity and the period, see :class:`StatsFilters`).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

RegionLevel = Literal["province", "arrondissement", "municipality"]
Metric = Literal["needs_posted", "fte_contracted", "clusters_formed", "leads_sent",
                 "fte_reshored", "fte_kept"]
Interval = Literal["month"]


class StatsFilters(BaseModel):
    """The filters a figure was computed with (echoed so an export documents itself)."""

    province: str | None = Field(
        description="Province slug; needs, leads and workforce by their site's province, "
        "clusters by their own province", examples=["west-vlaanderen"])
    arrondissement: str | None = Field(
        description="5-digit NIS code of the administrative arrondissement (by site; a cluster "
        "is in scope when one of its needs is)", examples=["36000"])
    activity: str | None = Field(
        description="Activity code; needs and leads by the need's activity, workforce by the "
        "sites with an active capability for it, clusters by the activity's family",
        examples=["returns.apparel"])
    period_from: date | None = Field(
        description="First day (inclusive, UTC) of the period: needs by creation date, leads "
        "by `sent_at`, clusters by creation date; workforce is always today's snapshot",
        examples=["2026-01-01"])
    period_to: date | None = Field(
        description="Last day (inclusive, UTC) of the period", examples=["2026-12-31"])


class FreeWorkforce(BaseModel):
    """Free target-group FTE that providers reported (their latest workforce figures)."""

    low: float = Field(description="Free FTE at low support (begeleidingsgraad laag)",
                       examples=[41.5])
    medium: float = Field(description="Free FTE at medium support", examples=[63.0])
    high: float = Field(description="Free FTE at high support", examples=[18.0])
    total: float = Field(description="low + medium + high", examples=[122.5])
    supervisors: float = Field(description="Supervisors (begeleiders) available, in FTE",
                               examples=[14.0])
    sites: int = Field(description="Provider sites that reported workforce figures",
                       examples=[37])


class UnmetDemand(BaseModel):
    """Open needs the market cannot serve well: no candidate, or the best one scores too low."""

    needs: int = Field(
        description="Open needs whose best match scores below `threshold` or that have no "
        "candidate at all (hard constraints exclude every capability)", examples=[12])
    fte: float = Field(description="Sum of `fte` over those needs", examples=[31.5])
    no_candidate_needs: int = Field(description="Of `needs`: those without any candidate",
                                    examples=[5])
    below_threshold_needs: int = Field(
        description="Of `needs`: those whose best candidate scores below `threshold`",
        examples=[7])
    threshold: float = Field(description="Score threshold (setting `UNMET_THRESHOLD`)",
                             examples=[0.5])
    share_of_open_fte: float | None = Field(
        description="`fte` / open FTE demanded; null when nothing is open", examples=[0.24])


class LeadFunnel(BaseModel):
    """Leads sent in scope, counted by their current status."""

    sent: int = Field(description="Leads not yet opened by the provider", examples=[20])
    viewed: int = Field(description="Leads opened but not answered", examples=[8])
    accepted: int = Field(description="Leads accepted, not (yet) contracted", examples=[6])
    declined: int = Field(description="Leads the provider declined", examples=[4])
    contracted: int = Field(description="Leads contracted by the company", examples=[5])
    withdrawn: int = Field(description="Leads withdrawn by company or provider", examples=[2])
    expired: int = Field(description="Leads that expired unanswered", examples=[1])
    total: int = Field(description="All leads in scope", examples=[46])
    contracted_fte: float = Field(
        description="Sum of `contracted_fte` of leads now in status `contracted`",
        examples=[9.5])
    median_hours_to_first_accept: float | None = Field(
        description="Median, over needs with at least one accepted lead, of the hours between "
        "the need's first lead being sent and the first acceptance of one of its leads (a lead "
        "counts as accepted when answered and not declined, so later contracted or withdrawn "
        "ones too); null when no lead was accepted", examples=[26.4])


class ClustersByStatus(BaseModel):
    """Clusters in scope by their current status."""

    proposed: int = Field(description="Proposed by a cluster run, not yet endorsed; current "
                          "proposals only (one a later run replaced is not counted)",
                          examples=[6])
    endorsed: int = Field(description="Endorsed by staff", examples=[2])
    forming: int = Field(description="Partners are forming the cluster", examples=[1])
    active: int = Field(description="Working cluster", examples=[1])
    dissolved: int = Field(description="Dissolved", examples=[0])


class OriginFigures(BaseModel):
    """Needs of one origin in scope (a need's `origin`: new, reshored or kept)."""

    open_needs: int = Field(description="Needs of this origin in status `open`", examples=[4])
    open_fte: float = Field(description="FTE demanded: sum of `fte` over those open needs",
                            examples=[11.5])
    contracted_fte: float = Field(
        description="Sum of `Need.contracted_fte` over all needs of this origin in scope "
        "(contracts withdrawn since are not counted)", examples=[3.0])


class NeedsByOrigin(BaseModel):
    """What stays in Flanders: needs by where their work comes from (seeds 003:5-18, 003:58,
    001:1817-1857). The three parts add up to the totals beside them."""

    new: OriginFigures = Field(description="Work that did not exist before (`origin=new`)")
    reshored: OriginFigures = Field(
        description="Work brought back from abroad (`origin=reshored`)")
    kept: OriginFigures = Field(
        description="Work kept in Flanders instead of delocalising (`origin=kept`)")


_ORIGIN = Field(description="Open needs, FTE demanded and contracted FTE by the needs' origin "
                "(new, reshored, kept)")
_FILTERS = Field(description="The filters the figures were computed with")


class PartnershipCoverage(BaseModel):
    needs: int = Field(description="Needs with contracted leads from >= 2 members of one "
                       "partnership", examples=[2])
    fte: float = Field(description="Sum of `contracted_fte` of those leads", examples=[30.0])


class StatsOverview(BaseModel):
    filters: StatsFilters = _FILTERS
    open_needs: int = Field(description="Needs in status `open`", examples=[120])
    open_fte: float = Field(description="FTE demanded: sum of `fte` over open needs",
                            examples=[310.5])
    matched_needs: int = Field(
        description="Needs in status `matched` (fully contracted through leads)", examples=[9])
    contracted_fte: float = Field(
        description="Matched and contracted FTE: sum of `Need.contracted_fte` over all needs in "
        "scope (contracts withdrawn since are not counted)", examples=[22.0])
    free_fte: FreeWorkforce = Field(
        description="Free provider FTE by support level, and supervisors (today's figures)")
    unmet: UnmetDemand = Field(description="Unmet demand among the open needs")
    complementary_share: float | None = Field(
        description="Share of complementary work: FTE of open needs marked `complementary` / "
        "open FTE; null when nothing is open", examples=[0.87])
    night_work_needs: int = Field(description="Open needs whose shifts include `night`",
                                  examples=[4])
    origin: NeedsByOrigin = _ORIGIN
    leads: LeadFunnel = Field(description="Lead funnel and time to first acceptance")
    clusters: ClustersByStatus = Field(description="Clusters by current status")
    partnerships: PartnershipCoverage = Field(
        description="Needs covered by partnerships (contracted leads from at least two members "
        "of one partnership proposal) and the FTE those leads contracted")


class RegionRow(BaseModel):
    code: str = Field(description="Province slug, or the NIS code of the arrondissement or "
                      "municipality", examples=["36015"])
    name: str = Field(description="Dutch name", examples=["Roeselare"])
    province: str = Field(description="Province slug", examples=["west-vlaanderen"])
    lat: float | None = Field(description="Municipality coordinates (municipality level only)",
                              examples=[50.9469])
    lon: float | None = Field(description="Municipality coordinates (municipality level only)",
                              examples=[3.1227])
    open_needs: int = Field(description="Open needs at sites in the region", examples=[7])
    open_fte: float = Field(description="FTE demanded by those needs", examples=[18.5])
    contracted_fte: float = Field(description="Sum of `Need.contracted_fte` of needs at sites "
                                  "in the region", examples=[2.0])
    unmet_needs: int = Field(description="Open needs in the region with unmet demand (see "
                             "`/stats/overview`)", examples=[2])
    unmet_fte: float = Field(description="FTE of those needs", examples=[5.0])
    free_fte_low: float = Field(description="Free FTE at low support at provider sites in the "
                                "region", examples=[4.0])
    free_fte_medium: float = Field(description="Free FTE at medium support", examples=[6.5])
    free_fte_high: float = Field(description="Free FTE at high support", examples=[2.0])
    supervisors: float = Field(description="Supervisors available, in FTE", examples=[2.0])
    origin: NeedsByOrigin = _ORIGIN


class RegionStats(BaseModel):
    filters: StatsFilters = _FILTERS
    level: RegionLevel = Field(description="Grouping level", examples=["municipality"])
    unmet_threshold: float = Field(description="Score threshold used for unmet demand",
                                   examples=[0.5])
    items: list[RegionRow] = Field(description="Regions with any need or reported workforce "
                                   "in scope, by code")


class ActivityRow(BaseModel):
    code: str = Field(description="Activity code", examples=["returns.apparel"])
    label: str = Field(description="Dutch label", examples=["Retourverwerking kledij"])
    family: str = Field(description="Activity family (cluster kind)", examples=["kledij"])
    open_needs: int = Field(description="Open needs for the activity", examples=[12])
    open_fte: float = Field(description="FTE demanded by those needs", examples=[30.0])
    contracted_fte: float = Field(description="Sum of `Need.contracted_fte` of needs for the "
                                  "activity", examples=[4.0])
    unmet_needs: int = Field(description="Open needs with unmet demand", examples=[3])
    unmet_fte: float = Field(description="FTE of those needs", examples=[7.5])
    capabilities: int = Field(description="Active capabilities offering the activity (at "
                              "sites in the region filter)", examples=[9])
    providers: int = Field(description="Distinct providers with such a capability",
                           examples=[6])
    origin: NeedsByOrigin = _ORIGIN


class ActivityStats(BaseModel):
    filters: StatsFilters = _FILTERS
    unmet_threshold: float = Field(description="Score threshold used for unmet demand",
                                   examples=[0.5])
    items: list[ActivityRow] = Field(description="Every activity of the taxonomy (or the "
                                     "filtered one), by code")


class ClusterStatusCounts(BaseModel):
    proposed: int = Field(description="Of the clusters created that month: now proposed",
                          examples=[3])
    endorsed: int = Field(description="… now endorsed", examples=[1])
    forming: int = Field(description="… now forming", examples=[0])
    active: int = Field(description="… now active", examples=[1])
    dissolved: int = Field(description="… now dissolved", examples=[0])


class TimePoint(BaseModel):
    period: str = Field(description="Month, `YYYY-MM` (UTC)", examples=["2026-11"])
    value: float = Field(description="The metric's value for the month", examples=[14.0])
    by_status: ClusterStatusCounts | None = Field(
        default=None, description="For `clusters_formed`: the month's clusters by current "
        "status; null for other metrics")


class TimeSeries(BaseModel):
    filters: StatsFilters = _FILTERS
    metric: Metric = Field(
        description="`needs_posted`: needs created that month that left draft (count); "
        "`fte_contracted`: FTE contracted through leads, by month of `contracted_at` "
        "(contracts withdrawn later included); `fte_reshored` / `fte_kept`: the same for needs "
        "whose origin is `reshored` / `kept`; `clusters_formed`: clusters proposed by cluster "
        "runs that month (count); `leads_sent`: leads sent that month (count)",
        examples=["needs_posted"])
    interval: Interval = Field(description="Bucket size", examples=["month"])
    points: list[TimePoint] = Field(
        description="One point per month from the period's (or the data's) first to last "
        "month, months without data as 0")
