"""The staff dashboard's view model: the monitoring figures laid out for inline SVG.

All geometry (map projection, label placement, bar lengths, chart paths) is computed here so the
template only places numbers; the page needs no script, font or stylesheet from elsewhere.
Words come from :mod:`api.services.dashboard_text` in the page's language.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session

from api.config import Settings
from api.services import dashboard_clusters, geomap, stats
from api.services.dashboard_text import month_label, text
from models import gazetteer, taxonomy
from models.stats import Metric, StatsOverview

MAP_WIDTH = 760
MAP_PAD = 12
BAR_WIDTH = 300
BAR_LABEL_CHARS = 32
MAP_LABEL_SIZE = 12
MAP_LABEL_CHAR_WIDTH = 7.2
SERIES_MONTHS = 12

# (data-kpi key, text key of the label, path into the overview JSON, unit)
KPIS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("open_needs", "kpi_open_needs", ("open_needs",), ""),
    ("open_fte", "kpi_open_fte", ("open_fte",), "FTE"),
    ("unmet_needs", "kpi_unmet_needs", ("unmet", "needs"), ""),
    ("unmet_fte", "kpi_unmet_fte", ("unmet", "fte"), "FTE"),
    ("free_fte", "kpi_free_fte", ("free_fte", "total"), "FTE"),
    ("free_fte_low", "kpi_free_fte_low", ("free_fte", "low"), "FTE"),
    ("free_fte_medium", "kpi_free_fte_medium", ("free_fte", "medium"), "FTE"),
    ("free_fte_high", "kpi_free_fte_high", ("free_fte", "high"), "FTE"),
    ("supervisors", "kpi_supervisors", ("free_fte", "supervisors"), "FTE"),
    ("contracted_fte", "kpi_contracted_fte", ("contracted_fte",), "FTE"),
    ("reshored_contracted_fte", "kpi_reshored_contracted_fte",
     ("origin", "reshored", "contracted_fte"), "FTE"),
    ("matched_needs", "kpi_matched_needs", ("matched_needs",), ""),
    ("complementary_share", "kpi_complementary_share", ("complementary_share",), "%"),
    ("night_work_needs", "kpi_night_work_needs", ("night_work_needs",), ""),
    ("leads_total", "kpi_leads_total", ("leads", "total"), ""),
    ("leads_contracted", "kpi_leads_contracted", ("leads", "contracted"), ""),
    ("median_hours_to_first_accept", "kpi_median_hours_to_first_accept",
     ("leads", "median_hours_to_first_accept"), "h"),
    ("clusters_active", "kpi_clusters_active", ("clusters", "active"), ""),
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


def truncate(label: str, limit: int = BAR_LABEL_CHARS) -> str:
    """``label`` if it fits in ``limit`` characters, else cut at the last word boundary that
    leaves room for an ellipsis: "Orderpicking en handling van…"."""
    if len(label) <= limit:
        return label
    cut = label[:limit - 1]
    if " " in cut:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:-–") + "…"


@dataclass
class Kpi:
    key: str
    label: str
    value: float | int | None
    text: str
    unit: str


@dataclass
class Dashboard:
    lang: str
    filters: dict[str, Any]
    generated_at: datetime
    threshold: float
    kpis: list[Kpi]
    activity_bars: list[dict[str, Any]]
    activity_max: float
    map: dict[str, Any]
    clusters: dashboard_clusters.ClusterTable
    series: list[dict[str, Any]]
    provinces: list[tuple[str, str]] = field(default_factory=list)
    activities: list[tuple[str, str]] = field(default_factory=list)
    families: list[tuple[str, str]] = field(default_factory=list)


def _kpis(overview: StatsOverview, lang: str) -> list[Kpi]:
    data = overview.model_dump(mode="json")
    out = []
    for key, label, path, unit in KPIS:
        value: Any = data
        for part in path:
            value = value[part]
        shown_unit = text(lang, f"unit_{unit}") if unit in ("FTE", "h") else unit
        out.append(Kpi(key, text(lang, label), value, format_number(value, unit), shown_unit))
    return out


# ---- map -----------------------------------------------------------------------------------

def label_box(x: float, y: float, name: str) -> tuple[float, float, float, float]:
    """The box (left, top, right, bottom) a centred map label at baseline ``y`` covers, with a
    generous width per character so real fonts stay inside it."""
    half = len(name) * MAP_LABEL_CHAR_WIDTH / 2 + 2
    return (x - half, y - MAP_LABEL_SIZE, x + half, y + 4)


def _overlap(box: tuple[float, float, float, float], cx: float, cy: float, r: float) -> float:
    """How far circle (cx, cy, r) reaches into ``box`` (0 when it does not touch it)."""
    nx, ny = min(max(cx, box[0]), box[2]), min(max(cy, box[1]), box[3])
    return max(0.0, r - math.hypot(cx - nx, cy - ny))


def _inside(x: float, y: float, rings: list[list[tuple[float, float]]]) -> bool:
    inside = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


# where a province name may go, nearest to the province's centre first
_LABEL_OFFSETS = sorted(((dx, dy) for dx in range(-160, 161, 16) for dy in range(-120, 121, 8)),
                        key=lambda o: (math.hypot(*o), o))


def _place_label(name: str, cx: float, cy: float, rings: list[list[tuple[float, float]]],
                 markers: list[dict[str, Any]], taken: list[tuple[float, ...]]
                 ) -> tuple[float, float]:
    """A spot near the province's centre where no circle covers the name: the centre if it
    is free, else the nearest free offset inside the province (least covered as a last
    resort)."""
    best: tuple[float, float, float] | None = None  # (overlap, x, y)
    for dx, dy in _LABEL_OFFSETS:
        x, y = round(cx + dx, 1), round(cy + dy, 1)
        box = label_box(x, y, name)
        if not all(_inside(px, py, rings) for px, py in
                   ((box[0], box[1]), (box[2], box[1]), (box[0], box[3]), (box[2], box[3]))):
            continue
        covered = sum(_overlap(box, m["x"], m["y"], m["r"] + 1) for m in markers)
        covered += sum(1000.0 for t in taken
                       if box[0] < t[2] and t[0] < box[2] and box[1] < t[3] and t[1] < box[3])
        if covered == 0:
            return x, y
        if best is None or covered < best[0]:
            best = (covered, x, y)
    return (cx, cy) if best is None else (best[1], best[2])


def _map(rows: list[stats.RegionRow], lang: str) -> dict[str, Any]:
    outlines = geomap.flemish_outlines()
    project = geomap.Projection([ring for rings in outlines.values() for ring in rings],
                                width=MAP_WIDTH, pad=MAP_PAD)
    names = dict(gazetteer.provinces())
    shown = [(r, lon, lat) for r in rows
             if r.open_fte > 0 and (lat := r.lat) is not None and (lon := r.lon) is not None]
    biggest = max((r.open_fte for r, _, _ in shown), default=1.0)
    markers = []
    for r, lon, lat in sorted(shown, key=lambda s: -s[0].open_fte):  # small circles on top
        x, y = project(lon, lat)
        share = r.unmet_fte / r.open_fte if r.open_fte else 0.0
        level = "none" if r.unmet_needs == 0 else ("high" if share >= 0.5 else "some")
        markers.append({"x": x, "y": y, "r": round(3 + 14 * math.sqrt(r.open_fte / biggest), 1),
                        "level": level, "name": r.name, "tip": text(
                            lang, "open_needs_tip", name=r.name, open_needs=r.open_needs,
                            open_fte=format_number(r.open_fte), unmet_needs=r.unmet_needs,
                            unmet_fte=format_number(r.unmet_fte))})
    shapes = []
    taken: list[tuple[float, ...]] = []
    for slug, rings in outlines.items():
        projected = [[project(lon, lat) for lon, lat in ring] for ring in rings]
        path = " ".join("M" + " L".join(f"{x},{y}" for x, y in ring) + " Z"
                        for ring in projected)
        xs = [p for ring in projected for p in ring]
        cx = sum(x for x, _ in xs) / max(1, len(xs))
        cy = sum(y for _, y in xs) / max(1, len(xs))
        name = names.get(slug, slug)
        x, y = _place_label(name, cx, cy, projected, markers, taken)
        taken.append(label_box(x, y, name))
        shapes.append({"slug": slug, "name": name, "path": path, "label_x": x, "label_y": y})
    return {"width": MAP_WIDTH, "height": project.height, "provinces": shapes,
            "markers": markers}


# ---- charts --------------------------------------------------------------------------------

def _activity_bars(result: stats.ActivityStats, lang: str) -> tuple[list[dict[str, Any]], float]:
    rows = sorted((r for r in result.items if r.open_fte > 0 or r.capabilities > 0),
                  key=lambda r: (-r.open_fte, r.code))
    biggest = max((r.open_fte for r in rows), default=0.0) or 1.0
    bars = []
    for r in rows:
        activity = taxonomy.activity(r.code)
        full = activity.label[lang] if activity is not None else r.label
        bars.append({"code": r.code, "label": truncate(short_label(full)), "full_label": full,
                     "open_fte": r.open_fte, "unmet_fte": r.unmet_fte,
                     "open_needs": r.open_needs, "capabilities": r.capabilities,
                     "open_text": format_number(r.open_fte),
                     "unmet_text": format_number(r.unmet_fte),
                     "open_w": round(BAR_WIDTH * r.open_fte / biggest, 1),
                     "unmet_w": round(BAR_WIDTH * r.unmet_fte / biggest, 1)})
    return bars, biggest


def _axis_label(points: list[Any], i: int, lang: str) -> str:
    # every other month labelled, counting back from the current one
    return month_label(points[i].period, lang) if (len(points) - 1 - i) % 2 == 0 else ""


CHART_RIGHT = 26
"""Room right of a chart (in its SVG) for the last month label, centred under its bar."""


def _anchor(cx: float, width: float) -> str:
    """Month labels are centred under their bar; one that would not fit ends at the edge."""
    return "end" if cx + 28 > width + CHART_RIGHT else "middle"


def _series(session: Session, scope: stats.Scope, lang: str) -> list[dict[str, Any]]:
    today = datetime.now(UTC).date()
    months_back = today.year * 12 + today.month - 1 - (SERIES_MONTHS - 1)
    first = date(months_back // 12, months_back % 12 + 1, 1)
    window = stats.Scope(scope.province, scope.arrondissement, scope.activity,
                         period_from=first, period_to=today)
    charts = []
    shown_metrics: tuple[tuple[Metric, str], ...] = (
        ("needs_posted", "bar"), ("clusters_formed", "bar"), ("fte_contracted", "line"))
    for metric, kind in shown_metrics:
        points = stats.timeseries(session, window, metric).points
        top = max((p.value for p in points), default=0.0)
        biggest = top or 1.0
        width, height, step = 360, 120, 360 / max(1, len(points))
        items = []
        for i, p in enumerate(points):
            h = round((height - 20) * p.value / biggest, 1)
            cx = round(i * step + step / 2, 1)
            items.append({"period": p.period, "month": month_label(p.period, lang),
                          "label": _axis_label(points, i, lang), "anchor": _anchor(cx, width),
                          "value": p.value, "text": format_number(p.value),
                          "x": round(i * step + step * 0.15, 1), "w": round(step * 0.7, 1),
                          "cx": cx,
                          "label_x": width + CHART_RIGHT if _anchor(cx, width) == "end" else cx,
                          "h": h, "y": height - h})
        line = " ".join(f"{p['cx']},{p['y']}" for p in items)
        charts.append({"metric": metric, "title": text(lang, f"series_{metric}"), "kind": kind,
                       "points": items, "width": width, "height": height,
                       "view_width": width + CHART_RIGHT + 4,
                       "max_text": format_number(top), "line": line,
                       "total": format_number(sum(p.value for p in points))})
    charts.append(_origin_chart(session, window, lang))
    return charts


def _origin_chart(session: Session, window: stats.Scope, lang: str) -> dict[str, Any]:
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
        cx = round(i * step + step / 2, 1)
        items.append({"period": r.period, "month": month_label(r.period, lang),
                      "label": _axis_label(reshored, i, lang), "anchor": _anchor(cx, width),
                      "label_x": width + CHART_RIGHT if _anchor(cx, width) == "end" else cx,
                      "reshored": r.value,
                      "kept": k.value,
                      "text": f"{text(lang, 'reshored_short')} {format_number(r.value)}, "
                              f"{text(lang, 'kept_short')} {format_number(k.value)}",
                      "x": round(i * step + step * 0.15, 1), "w": round(step * 0.7, 1),
                      "cx": cx,
                      "h_reshored": h_reshored, "y_reshored": round(height - h_reshored, 1),
                      "h_kept": h_kept, "y_kept": round(height - h_reshored - h_kept, 1)})
    total = sum(p.value for p in reshored) + sum(p.value for p in kept)
    return {"metric": "fte_by_origin", "title": text(lang, "series_fte_by_origin"),
            "kind": "stacked", "points": items, "width": width, "height": height,
            "view_width": width + CHART_RIGHT + 4,
            "max_text": format_number(top), "line": "", "total": format_number(total)}


def build(session: Session, settings: Settings, scope: stats.Scope, *, lang: str = "nl",
          page: int = 1, run_id: uuid.UUID | None = None) -> Dashboard:
    """The whole monitoring page; the cluster table shows ``page`` of the current clusters
    (or all clusters of run ``run_id``)."""
    overview = stats.overview(session, settings, scope)
    bars, biggest = _activity_bars(stats.activities(session, settings, scope), lang)
    municipalities = stats.regions(session, settings, scope, "municipality").items
    return Dashboard(
        lang=lang, filters={"province": scope.province, "activity": scope.activity},
        generated_at=datetime.now(UTC), threshold=settings.unmet_threshold,
        kpis=_kpis(overview, lang), activity_bars=bars, activity_max=biggest,
        map=_map(municipalities, lang),
        clusters=dashboard_clusters.table(session, scope, lang, page=page, run_id=run_id),
        series=_series(session, scope, lang),
        provinces=[(s, n) for s, n in gazetteer.provinces() if s in geomap.FLEMISH_PROVINCES],
        activities=[(code, short_label(a.label[lang]))
                    for code, a in sorted(taxonomy.activities().items())],
        families=[(code, f.label[lang]) for code, f in sorted(taxonomy.families().items())])
