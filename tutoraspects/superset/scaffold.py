"""Write new asset YAML quickly: datasets from a dbt model's docs, charts, dashboards.

    python -m tutoraspects.superset.scaffold dataset course_enrollment_summary
    python -m tutoraspects.superset.scaffold chart "Current Enrollees" course_enrollment_summary \\
        big_number_total --metric enrolled
    python -m tutoraspects.superset.scaffold dashboard course "Course Dashboard" \\
        "Current Enrollees" "Enrollees per Enrollment Track"

UUIDs are derived from the asset's kind and name (uuid5), so the same command
gives the same file; rename an asset by editing its YAML, never its uuid.
Charts built in the UI come back through `aspects serialize-assets EXPORT.zip`.
"""

from __future__ import annotations

import argparse
import json
import uuid as uuid_module
from pathlib import Path
from typing import Any, Sequence

import yaml

from .assets import assets_dir, dbt_models, dump_yaml, load_tree, slugify

NAMESPACE = uuid_module.UUID("6f0f6b8e-6f1c-4a39-9d0e-617370656374")  # "aspects"
DATABASE_UUID = "5a1e3c7b-0b7f-4c55-8f2e-6173706563ce"  # superset_assets/databases/clickhouse_reporting.yaml
TEMPORAL_SUFFIXES = ("_at", "_date", "_time", "_hour", "_day")


def stable_uuid(kind: str, name: str) -> str:
    return str(uuid_module.uuid5(NAMESPACE, f"{kind}/{name}"))


def dataset(table: str, metrics: dict[str, str] | None = None, description: str = "",
            models_dir: Path | None = None) -> dict[str, Any]:
    """A physical dataset over a dbt model, its columns from the model's YAML docs."""
    model = dbt_models(models_dir).get(table)
    if model is None or model.columns is None:
        raise SystemExit(f"no documented dbt model {table}: add dbt/models/.../{table}.yml with its columns")
    docs = _column_docs(table, models_dir)
    columns = []
    for name in sorted(model.columns, key=list(docs).index if docs else None):
        temporal = name.endswith(TEMPORAL_SUFFIXES) or name in ("date", "hour", "day", "emission_time")
        columns.append({
            "column_name": name, "verbose_name": None, "is_dttm": temporal, "is_active": True, "type": None,
            "groupby": True, "filterable": True, "expression": None, "description": docs.get(name),
            "python_date_format": None, "extra": {},
        })
    return {
        "table_name": table,
        "main_dttm_col": next((c["column_name"] for c in columns if c["is_dttm"]), None),
        "description": description or None,
        "default_endpoint": None, "offset": 0, "cache_timeout": None,
        "schema": "${REPORTING_DATABASE}", "sql": None, "params": None, "template_params": None,
        "filter_select_enabled": True, "fetch_values_predicate": None, "extra": None,
        "normalize_columns": False, "always_filter_main_dttm": False,
        "uuid": stable_uuid("datasets", table),
        "metrics": [
            {"metric_name": "count", "verbose_name": "Rows", "metric_type": "count", "expression": "count()",
             "description": None, "d3format": None, "extra": {}, "warning_text": None},
            *[
                {"metric_name": name, "verbose_name": None, "metric_type": None, "expression": expression,
                 "description": None, "d3format": None, "extra": {}, "warning_text": None}
                for name, expression in (metrics or {}).items()
            ],
        ],
        "columns": columns,
        "version": "1.0.0",
        "database_uuid": DATABASE_UUID,
    }


def _column_docs(table: str, models_dir: Path | None) -> dict[str, str]:
    from .assets import dbt_models_dir

    for doc in Path(models_dir or dbt_models_dir()).rglob("*.yml"):
        for model in (yaml.safe_load(doc.read_text()) or {}).get("models") or []:
            if model.get("name") == table:
                return {c["name"]: " ".join(str(c.get("description") or "").split()) or None
                        for c in model.get("columns") or []}
    return {}


def query_context(viz_type: str, params: dict[str, Any]) -> str:
    """The saved query the chart data API runs (`/api/v1/chart/<id>/data/`), derived from the params.

    Superset sets the datasource ids at import. Covers the viz types the
    scaffold writes; charts saved in the UI carry their own.
    """
    metrics = [m for m in [params.get("metric"), *(params.get("metrics") or [])] if m]
    columns: list[Any] = []
    if params.get("x_axis"):
        columns.append(params["x_axis"] if not params.get("time_grain_sqla") else {
            "timeGrain": params["time_grain_sqla"], "columnType": "BASE_AXIS", "sqlExpression": params["x_axis"],
            "label": params["x_axis"], "expressionType": "SQL"})
    if params.get("query_mode") == "raw":
        columns += params.get("all_columns") or []
        metrics = []
    else:
        columns += params.get("groupby") or []
    if viz_type == "histogram_v2":
        columns = [params["column"]]
        metrics = []
    query = {
        "filters": [{"col": f["subject"], "op": f["operator"], "val": f.get("comparator")}
                    for f in params.get("adhoc_filters") or [] if f.get("expressionType") == "SIMPLE"],
        "extras": {"having": "", "where": ""},
        "applied_time_extras": {},
        "columns": columns,
        "metrics": metrics,
        "orderby": [[metrics[0], False]] if metrics and columns and viz_type not in TIME_SERIES else [],
        "annotation_layers": [],
        "row_limit": params.get("row_limit", 10000),
        "series_limit": 0,
        "order_desc": True,
        "url_params": {},
        "custom_params": {},
        "custom_form_data": {},
    }
    form_data = {**params, "viz_type": viz_type}
    return json.dumps({"datasource": {"type": "table"}, "force": False, "queries": [query],
                       "form_data": form_data, "result_format": "json", "result_type": "full"}, sort_keys=True)


TIME_SERIES = ("echarts_timeseries_line", "echarts_timeseries_bar", "echarts_area")


def chart(name: str, table: str, viz_type: str, **params: Any) -> dict[str, Any]:
    """A chart over the dataset of `table`. params: Superset's form data (metric, metrics, groupby, ...)."""
    params = {"viz_type": viz_type, "adhoc_filters": [], "row_limit": 10000, **params}
    return {
        "slice_name": name,
        "description": params.pop("description", None),
        "certified_by": None,
        "certification_details": None,
        "viz_type": viz_type,
        "params": params,
        "query_context": query_context(viz_type, params),
        "cache_timeout": None,
        "uuid": stable_uuid("charts", name),
        "version": "1.0.0",
        "dataset_uuid": stable_uuid("datasets", table),
    }


def dashboard(slug: str, title: str, rows: Sequence[Sequence[tuple[str, int]]], description: str = "",
              native_filters: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """A dashboard: rows of (chart name, width in 1-12 columns), each chart 50 units high."""
    position: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
        "HEADER_ID": {"id": "HEADER_ID", "type": "HEADER", "meta": {"text": title}},
    }
    for row_index, row in enumerate(rows):
        row_id = f"ROW-{row_index}"
        position["GRID_ID"]["children"].append(row_id)
        position[row_id] = {"type": "ROW", "id": row_id, "children": [], "parents": ["ROOT_ID", "GRID_ID"],
                            "meta": {"background": "BACKGROUND_TRANSPARENT"}}
        for chart_name, width in row:
            chart_uuid = stable_uuid("charts", chart_name)
            chart_id = f"CHART-{slugify(chart_name)}"
            position[row_id]["children"].append(chart_id)
            position[chart_id] = {
                "type": "CHART", "id": chart_id, "children": [], "parents": ["ROOT_ID", "GRID_ID", row_id],
                "meta": {"width": width, "height": 50, "chartId": 0, "uuid": chart_uuid, "sliceName": chart_name},
            }
    return {
        "dashboard_title": title,
        "description": description or None,
        "css": "",
        "slug": slug,
        "certified_by": "",
        "certification_details": "",
        "published": True,
        "uuid": stable_uuid("dashboards", slug),
        "position": position,
        "metadata": {
            "color_scheme": "supersetColors",
            "refresh_frequency": 0,
            "expanded_slices": {},
            "label_colors": {},
            "timed_refresh_immune_slices": [],
            "cross_filters_enabled": True,
            "default_filters": "{}",
            "chart_configuration": {},
            "native_filter_configuration": list(native_filters),
        },
        "version": "1.0.0",
    }


def select_filter(name: str, column: str, table: str, chart_names: Sequence[str] = ()) -> dict[str, Any]:
    """A native select filter on one dataset column (e.g. course_key); applies to every chart by default."""
    filter_id = f"NATIVE_FILTER-{slugify(name)}"
    return {
        "id": filter_id, "name": name, "filterType": "filter_select", "type": "NATIVE_FILTER",
        "targets": [{"column": {"name": column}, "datasetUuid": stable_uuid("datasets", table)}],
        "controlValues": {"enableEmptyFilter": False, "multiSelect": True, "searchAllOptions": False,
                          "inverseSelection": False, "defaultToFirstItem": False},
        "defaultDataMask": {"extraFormData": {}, "filterState": {}, "ownState": {}},
        "cascadeParentIds": [], "scope": {"rootPath": ["ROOT_ID"], "excluded": []},
        "chartsInScope": [], "tabsInScope": [], "description": "",
    }


def write(kind: str, config: dict[str, Any], root: Path | None = None) -> Path:
    """Write (or overwrite, keeping its file) the asset with this uuid."""
    root = Path(root or assets_dir())
    existing = {asset.uuid: asset.path for asset in load_tree(root).assets}
    key = {"datasets": "table_name", "charts": "slice_name", "dashboards": "slug"}[kind]
    path = existing.get(config["uuid"]) or root / kind / f"{slugify(str(config[key]))}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_yaml(config))
    return path


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tutoraspects.superset.scaffold", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="kind", required=True)
    p = sub.add_parser("dataset", help="a dataset over a documented dbt model")
    p.add_argument("table")
    p.add_argument("--metric", action="append", default=[], metavar="NAME=SQL")
    p = sub.add_parser("chart", help="a chart over a dataset")
    p.add_argument("name")
    p.add_argument("table")
    p.add_argument("viz_type", help="big_number_total, table, pie, echarts_timeseries_bar, ...")
    p.add_argument("--metric", action="append", default=[], help="dataset metric name (repeat)")
    p.add_argument("--groupby", action="append", default=[])
    p.add_argument("--x-axis")
    p.add_argument("--columns", action="append", default=[], help="raw table columns (query_mode raw)")
    p = sub.add_parser("dashboard", help="a dashboard, one chart per row half")
    p.add_argument("slug")
    p.add_argument("title")
    p.add_argument("charts", nargs="+")
    args = parser.parse_args(argv)
    if args.kind == "dataset":
        config = dataset(args.table, dict(item.split("=", 1) for item in args.metric))
    elif args.kind == "chart":
        params: dict[str, Any] = {}
        if args.columns:
            params.update(query_mode="raw", all_columns=args.columns)
        elif args.viz_type in ("big_number_total", "pie"):
            params["metric"] = args.metric[0] if args.metric else "count"
        else:
            params["metrics"] = args.metric or ["count"]
        if args.groupby:
            params["groupby"] = args.groupby
        if args.x_axis:
            params["x_axis"] = args.x_axis
        config = chart(args.name, args.table, args.viz_type, **params)
    else:
        pairs = [(name, 6) for name in args.charts]
        config = dashboard(args.slug, args.title, [pairs[i:i + 2] for i in range(0, len(pairs), 2)])
    kind = {"dataset": "datasets", "chart": "charts", "dashboard": "dashboards"}[args.kind]
    print(write(kind, config))


if __name__ == "__main__":
    main()
