"""The staff dashboard's view model: the monitoring figures laid out for inline SVG.

All geometry (map projection, bar lengths, chart paths) is computed here so the template only
places numbers; the page needs no script, font or stylesheet from elsewhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlmodel import Session, col

from api.config import Settings
from api.services import stats
from models import gazetteer, taxonomy
from models.cluster import Cluster, ClusterNeedMember, ClusterProviderMember, ClusterStatus
from models.stats import Metric, StatsOverview

FLEMISH_PROVINCES = ("antwerpen", "limburg", "oost-vlaanderen", "vlaams-brabant",
                     "west-vlaanderen")
MAP_WIDTH = 760
MAP_PAD = 12
CLUSTER_ROWS = 25
BAR_WIDTH = 300
SERIES_MONTHS = 12

# (data-kpi key, label, path into the overview JSON, unit)
KPIS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("open_needs", "Open needs", ("open_needs",), ""),
    ("open_fte", "FTE demanded", ("open_fte",), "FTE"),
    ("unmet_needs", "Unmet needs", ("unmet", "needs"), ""),
    ("unmet_fte", "Unmet FTE", ("unmet", "fte"), "FTE"),
    ("free_fte", "Free provider FTE", ("free_fte", "total"), "FTE"),
    ("free_fte_low", "Free FTE, low support", ("free_fte", "low"), "FTE"),
    ("free_fte_medium", "Free FTE, medium support", ("free_fte", "medium"), "FTE"),
    ("free_fte_high", "Free FTE, high support", ("free_fte", "high"), "FTE"),
    ("supervisors", "Supervisors available", ("free_fte", "supervisors"), "FTE"),
    ("contracted_fte", "Contracted FTE", ("contracted_fte",), "FTE"),
    ("reshored_contracted_fte", "Contracted FTE, reshored work",
     ("origin", "reshored", "contracted_fte"), "FTE"),
    ("matched_needs", "Matched needs", ("matched_needs",), ""),
    ("complementary_share", "Complementary work", ("complementary_share",), "%"),
    ("night_work_needs", "Needs with night work", ("night_work_needs",), ""),
    ("leads_total", "Leads sent", ("leads", "total"), ""),
    ("leads_contracted", "Leads contracted", ("leads", "contracted"), ""),
    ("median_hours_to_first_accept", "Median hours to first accept",
     ("leads", "median_hours_to_first_accept"), "h"),
    ("clusters_active", "Active clusters", ("clusters", "active"), ""),
)


def format_number(value: float | int | None, unit: str = "") -> str:
    """Flemish notation: decimal comma, thin-space thousands; shares as percentages."""
    if value is None:
        return "–"
    if unit == "%":
        return f"{value * 100:.1f}".replace(".", ",") + " %"
    if isinstance(value, int) or float(value).is_integer():
        text = f"{int(value):,}".replace(",", "\u202f")
    else:
        text = f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")
    return text


def short_label(label: str) -> str:
    """"Assemblage en montage (metaal, hout, elektro)" → "Assemblage en montage"."""
    return label.split(":")[0].split(" (")[0]


@dataclass
class Kpi:
    key: str
    label: str
    value: float | int | None
    text: str
    unit: str


@dataclass
class Dashboard:
    filters: dict[str, Any]
    generated_at: datetime
    threshold: float
    kpis: list[Kpi]
    activity_bars: list[dict[str, Any]]
    activity_max: float
    map: dict[str, Any]
    clusters: list[dict[str, Any]]
    series: list[dict[str, Any]]
    provinces: list[tuple[str, str]] = field(default_factory=list)
    activities: list[tuple[str, str]] = field(default_factory=list)


def _kpis(overview: StatsOverview) -> list[Kpi]:
    data = overview.model_dump(mode="json")
    out = []
    for key, label, path, unit in KPIS:
        value: Any = data
        for part in path:
            value = value[part]
        out.append(Kpi(key, label, value, format_number(value, unit), unit))
    return out


# ---- map -----------------------------------------------------------------------------------

class _Projection:
    """Equirectangular projection scaled by cos(latitude) around Flanders."""

    def __init__(self, rings: list[list[tuple[float, float]]]) -> None:
        lons = [p[0] for r in rings for p in r]
        lats = [p[1] for r in rings for p in r]
        self.lon0, self.lat1 = min(lons), max(lats)
        self.kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
        span = (max(lons) - self.lon0) * self.kx
        self.scale = (MAP_WIDTH - 2 * MAP_PAD) / span
        self.height = round((self.lat1 - min(lats)) * self.scale + 2 * MAP_PAD)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (round(MAP_PAD + (lon - self.lon0) * self.kx * self.scale, 1),
                round(MAP_PAD + (self.lat1 - lat) * self.scale, 1))


def _map(rows: list[stats.RegionRow], threshold_note: str) -> dict[str, Any]:
    outlines = {slug: gazetteer.province_outline(slug) or [] for slug in FLEMISH_PROVINCES}
    project = _Projection([ring for rings in outlines.values() for ring in rings])
    names = dict(gazetteer.provinces())
    shapes = []
    for slug, rings in outlines.items():
        path = " ".join("M" + " L".join("{},{}".format(*project(lon, lat)) for lon, lat in ring)
                        + " Z" for ring in rings)
        xs = [project(lon, lat) for ring in rings for lon, lat in ring]
        cx = sum(x for x, _ in xs) / max(1, len(xs))
        cy = sum(y for _, y in xs) / max(1, len(xs))
        shapes.append({"slug": slug, "name": names.get(slug, slug), "path": path,
                       "label_x": round(cx, 1), "label_y": round(cy, 1)})
    shown = [(r, lon, lat) for r in rows
             if r.open_fte > 0 and (lat := r.lat) is not None and (lon := r.lon) is not None]
    biggest = max((r.open_fte for r, _, _ in shown), default=1.0)
    markers = []
    for r, lon, lat in sorted(shown, key=lambda s: -s[0].open_fte):  # small circles on top
        x, y = project(lon, lat)
        share = r.unmet_fte / r.open_fte if r.open_fte else 0.0
        level = "none" if r.unmet_needs == 0 else ("high" if share >= 0.5 else "some")
        markers.append({"x": x, "y": y, "r": round(3 + 14 * math.sqrt(r.open_fte / biggest), 1),
                        "level": level, "name": r.name, "open_fte": format_number(r.open_fte),
                        "unmet_fte": format_number(r.unmet_fte), "open_needs": r.open_needs,
                        "unmet_needs": r.unmet_needs})
    return {"width": MAP_WIDTH, "height": project.height, "provinces": shapes,
            "markers": markers, "note": threshold_note}


# ---- charts --------------------------------------------------------------------------------

def _activity_bars(result: stats.ActivityStats) -> tuple[list[dict[str, Any]], float]:
    rows = sorted((r for r in result.items if r.open_fte > 0 or r.capabilities > 0),
                  key=lambda r: (-r.open_fte, r.code))
    biggest = max((r.open_fte for r in rows), default=0.0) or 1.0
    bars = [{"code": r.code, "label": short_label(r.label), "open_fte": r.open_fte,
             "unmet_fte": r.unmet_fte, "open_needs": r.open_needs,
             "capabilities": r.capabilities, "open_text": format_number(r.open_fte),
             "unmet_text": format_number(r.unmet_fte),
             "open_w": round(BAR_WIDTH * r.open_fte / biggest, 1),
             "unmet_w": round(BAR_WIDTH * r.unmet_fte / biggest, 1)} for r in rows]
    return bars, biggest


def _series(session: Session, scope: stats.Scope) -> list[dict[str, Any]]:
    today = datetime.now(UTC).date()
    months_back = today.year * 12 + today.month - 1 - (SERIES_MONTHS - 1)
    first = date(months_back // 12, months_back % 12 + 1, 1)
    window = stats.Scope(scope.province, scope.arrondissement, scope.activity,
                         period_from=first, period_to=today)
    charts = []
    shown_metrics: tuple[tuple[Metric, str, str], ...] = (
        ("needs_posted", "Needs posted", "bar"), ("clusters_formed", "Clusters formed", "bar"),
        ("fte_contracted", "FTE contracted", "line"))
    for metric, title, kind in shown_metrics:
        points = stats.timeseries(session, window, metric).points
        top = max((p.value for p in points), default=0.0)
        biggest = top or 1.0
        width, height, step = 360, 120, 360 / max(1, len(points))
        items = []
        for i, p in enumerate(points):
            h = round((height - 20) * p.value / biggest, 1)
            # every other month labelled, counting back from the current one
            label = p.period[2:].replace("-", "/") if (len(points) - 1 - i) % 2 == 0 else ""
            items.append({"period": p.period, "label": label,
                          "value": p.value, "text": format_number(p.value),
                          "x": round(i * step + step * 0.15, 1), "w": round(step * 0.7, 1),
                          "cx": round(i * step + step / 2, 1), "h": h, "y": height - h})
        line = " ".join(f"{p['cx']},{p['y']}" for p in items)
        charts.append({"metric": metric, "title": title, "kind": kind, "points": items,
                       "width": width, "height": height, "max_text": format_number(top),
                       "line": line, "total": format_number(sum(p.value for p in points))})
    charts.append(_origin_chart(session, window))
    return charts


def _origin_chart(session: Session, window: stats.Scope) -> dict[str, Any]:
    """Contracted FTE of reshored (below) and kept (stacked on top) work, per month."""
    reshored = stats.timeseries(session, window, "fte_reshored").points
    kept = stats.timeseries(session, window, "fte_kept").points
    width, height, step = 360, 120, 360 / max(1, len(reshored))
    top = max((r.value + k.value for r, k in zip(reshored, kept, strict=True)), default=0.0)
    biggest = top or 1.0
    items = []
    for i, (r, k) in enumerate(zip(reshored, kept, strict=True)):
        h_reshored = round((height - 20) * r.value / biggest, 1)
        h_kept = round((height - 20) * k.value / biggest, 1)
        label = r.period[2:].replace("-", "/") if (len(reshored) - 1 - i) % 2 == 0 else ""
        items.append({"period": r.period, "label": label, "reshored": r.value,
                      "kept": k.value, "text": f"reshored {format_number(r.value)}, kept "
                      f"{format_number(k.value)}",
                      "x": round(i * step + step * 0.15, 1), "w": round(step * 0.7, 1),
                      "cx": round(i * step + step / 2, 1),
                      "h_reshored": h_reshored, "y_reshored": round(height - h_reshored, 1),
                      "h_kept": h_kept, "y_kept": round(height - h_reshored - h_kept, 1)})
    total = sum(p.value for p in reshored) + sum(p.value for p in kept)
    return {"metric": "fte_by_origin", "title": "FTE contracted: reshored and kept work",
            "kind": "stacked", "points": items, "width": width, "height": height,
            "max_text": format_number(top), "line": "", "total": format_number(total)}


# ---- clusters ------------------------------------------------------------------------------

_STATUS_ORDER = {s.value: i for i, s in enumerate(
    (ClusterStatus.active, ClusterStatus.forming, ClusterStatus.endorsed, ClusterStatus.proposed,
     ClusterStatus.dissolved))}


def _clusters(session: Session, scope: stats.Scope) -> list[dict[str, Any]]:
    needs = (select(func.count()).where(col(ClusterNeedMember.cluster_id) == Cluster.id)
             .correlate(Cluster).scalar_subquery())
    providers = (select(func.count(func.distinct(ClusterProviderMember.provider_id)))
                 .where(col(ClusterProviderMember.cluster_id) == Cluster.id)
                 .correlate(Cluster).scalar_subquery())
    order = case(_STATUS_ORDER, value=Cluster.status, else_=9)
    stmt = (stats.select_clusters(scope, Cluster.name, Cluster.kind, Cluster.status, needs,
                                  providers, Cluster.demand_fte, Cluster.covered_fte,
                                  Cluster.potential)
            .order_by(order, col(Cluster.demand_fte).desc(), Cluster.name).limit(CLUSTER_ROWS))
    families = taxonomy.families()
    return [{"name": name, "kind": families[kind].label["nl"] if kind in families else kind,
             "status": status, "needs": n_needs, "providers": n_providers,
             "demand": format_number(demand), "covered": format_number(covered),
             "potential": potential}
            for name, kind, status, n_needs, n_providers, demand, covered, potential
            in session.execute(stmt)]


def build(session: Session, settings: Settings, scope: stats.Scope) -> Dashboard:
    overview = stats.overview(session, settings, scope)
    bars, biggest = _activity_bars(stats.activities(session, settings, scope))
    municipalities = stats.regions(session, settings, scope, "municipality").items
    note = f"best match score below {settings.unmet_threshold:g} or no candidate"
    return Dashboard(
        filters={"province": scope.province, "activity": scope.activity},
        generated_at=datetime.now(UTC), threshold=settings.unmet_threshold,
        kpis=_kpis(overview), activity_bars=bars, activity_max=biggest,
        map=_map(municipalities, note), clusters=_clusters(session, scope),
        series=_series(session, scope),
        provinces=[(s, n) for s, n in gazetteer.provinces() if s in FLEMISH_PROVINCES],
        activities=[(code, short_label(a.label["nl"]))
                    for code, a in sorted(taxonomy.activities().items())])
