"""CSV export of the monitoring figures: one header row, one row per item, filters last."""

from __future__ import annotations

import csv
import io
from typing import Any

from pydantic import BaseModel

from models.cluster import ClusterStatus
from models.stats import (
    ActivityRow,
    ActivityStats,
    RegionRow,
    RegionStats,
    StatsOverview,
    TimePoint,
    TimeSeries,
)


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


_ROW_MODELS: dict[type[BaseModel], tuple[str, type[BaseModel]]] = {
    RegionStats: ("items", RegionRow), ActivityStats: ("items", ActivityRow),
    TimeSeries: ("points", TimePoint)}


def _columns(result: BaseModel) -> list[str]:
    """Column order follows the schemas, so it never depends on the data."""
    if isinstance(result, StatsOverview):
        return list(_flatten(result.model_dump(mode="json", exclude={"filters"})))
    list_field, row_model = _ROW_MODELS[type(result)]
    columns = [n for n in type(result).model_fields if n not in ("filters", list_field)]
    for name, info in row_model.model_fields.items():
        if name == "by_status":
            if getattr(result, "metric", None) == "clusters_formed":
                columns += [f"by_status.{s.value}" for s in ClusterStatus]
        elif isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
            columns += _nested_columns(info.annotation, f"{name}.")
        else:
            columns.append(name)
    return columns


def _nested_columns(model: type[BaseModel], prefix: str) -> list[str]:
    """``origin.new.open_needs`` … for a nested figure, in schema order."""
    out = []
    for name, info in model.model_fields.items():
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
            out += _nested_columns(info.annotation, f"{prefix}{name}.")
        else:
            out.append(f"{prefix}{name}")
    return out


def to_csv(result: BaseModel) -> str:
    """A header row and one row per item (the overview: one row); filters in the last columns."""
    data = result.model_dump(mode="json")
    filters = _flatten(data.pop("filters"), "filter.")
    items = data.pop("items", None) or data.pop("points", None)
    common = _flatten(data)
    rows = [common] if isinstance(result, StatsOverview) else [
        {**common, **_flatten(item)} for item in items or ()]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=_columns(result) + list(filters),
                            extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in {**row, **filters}.items()})
    return buffer.getvalue()
