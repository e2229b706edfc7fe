"""Dashboard benchmark: every chart's query latency and memory, from ClickHouse's system.query_log.

Each chart's saved query runs through Superset's chart data API (cache bypassed),
unfiltered (all courses) and filtered to the largest course where the chart's
dataset has a `course_key`. The figures are ClickHouse's own: the summed
`query_duration_ms` of the queries one chart load sends (median of RUNS loads)
and the peak `memory_usage` of any of them.

Called by marts.py on the stack it has loaded (`make bench`).
"""

from __future__ import annotations

import copy
import json
import os
import statistics
import time
from dataclasses import dataclass, field

from tutoraspects.clickhouse_client import connect
from tutoraspects.superset.assets import REPORT_DATABASE, dashboard_chart_uuids, load_tree
from tutoraspects.superset.client import SupersetClient

RUNS = int(os.environ.get("BENCH_CHART_RUNS", 3))
# BRIEF.md targets at 10 M events.
TARGET_FILTERED_MS, TARGET_UNFILTERED_MS, TARGET_MEMORY_MB = 50, 300, 200


@dataclass
class Load:
    """What ClickHouse logged for the loads of one chart under one filter."""

    durations_ms: list[float] = field(default_factory=list)  # per chart load: its queries' summed durations
    memory_bytes: int = 0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.durations_ms) if self.durations_ms else float("nan")

    @property
    def memory_mb(self) -> float:
        return self.memory_bytes / 1e6


@dataclass
class ChartFigures:
    dashboard: str
    name: str
    unfiltered: Load
    course: Load | None  # None: the chart's dataset has no course


def dashboards_of_charts() -> dict[str, str]:
    """chart uuid -> the title of the (first) dashboard that shows it."""
    owners: dict[str, str] = {}
    for dashboard in load_tree().of("dashboards"):
        for chart_uuid in dashboard_chart_uuids(dashboard.config):
            owners.setdefault(chart_uuid, dashboard.config["dashboard_title"])
    return owners


def largest_course(settings) -> str:
    client = connect(settings)
    try:
        return client.command(
            f"SELECT course_key FROM `{settings.reporting_database}`.course_enrollment_summary "
            "ORDER BY total_enrollees DESC, course_key LIMIT 1"
        )
    finally:
        client.close()


def logged_queries(settings, since: float, until: float) -> list[tuple[float, float, int]]:
    """(start, duration ms, memory) of the report user's queries on tables in [since, until]."""
    admin = connect(settings)
    try:
        admin.command("SYSTEM FLUSH LOGS")
        return admin.query(
            "SELECT toUnixTimestamp64Micro(query_start_time_microseconds) / 1e6, query_duration_ms, memory_usage"
            " FROM system.query_log"
            " WHERE type = 'QueryFinish' AND user = {user:String} AND notEmpty(tables)"
            " AND query_start_time_microseconds >= fromUnixTimestamp64Micro({since:Int64})"
            " AND event_time_microseconds <= fromUnixTimestamp64Micro({until:Int64})"
            " ORDER BY query_start_time_microseconds",
            parameters={"user": settings.report_user, "since": int(since * 1e6), "until": int(until * 1e6) + 1},
        ).result_rows
    finally:
        admin.close()


def measure(client: SupersetClient, settings, context: dict, runs: int) -> Load:
    windows = []
    for _ in range(runs):
        started = time.time()
        for result in client.request("POST", "/api/v1/chart/data", json=context)["result"]:
            if result.get("error"):
                raise RuntimeError(result["error"])
        windows.append((started, time.time()))
    queries = logged_queries(settings, windows[0][0], windows[-1][1])
    load = Load()
    for since, until in windows:
        mine = [q for q in queries if since <= q[0] <= until]
        load.durations_ms.append(sum(q[1] for q in mine))
        load.memory_bytes = max([load.memory_bytes] + [q[2] for q in mine])
    return load


def with_course_filter(context: dict, course_key: str) -> dict:
    filtered = copy.deepcopy(context)
    for query in filtered["queries"]:
        query["filters"] = query.get("filters", []) + [{"col": "course_key", "op": "==", "val": course_key}]
    return filtered


def wall_ms(client: SupersetClient, context: dict, runs: int) -> float:
    """Median milliseconds of the chart data call, end to end (charts that do not read ClickHouse)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.request("POST", "/api/v1/chart/data", json=context)
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times)


def bench_charts(settings, runs: int = RUNS, echo=print) -> list[ChartFigures]:
    client = SupersetClient(settings.superset_url, settings.superset_admin_username, settings.superset_admin_password)
    client.login()
    course_key = largest_course(settings)
    owners = dashboards_of_charts()
    tree = load_tree()
    # Datasets (by uuid) a course filter applies to: those with a course_key column.
    courseful = {dataset.uuid for dataset in tree.of("datasets")
                 if any(column["column_name"] == "course_key" for column in dataset.config["columns"])}
    # Datasets on Superset's own metadata (the usage charts): no ClickHouse time to read
    clickhouse = {d.uuid for d in tree.of("databases") if d.config["sqlalchemy_uri"] == REPORT_DATABASE}
    metadata = {d.uuid for d in tree.of("datasets") if d.config["database_uuid"] not in clickhouse}
    dataset_ids = {row["uuid"]: row["datasource_id"] for row in client.list("chart", ("uuid", "datasource_id"))}
    figures = []
    charts = sorted(tree.of("charts"), key=lambda c: (owners.get(c.uuid, ""), c.config["slice_name"]))
    usage = [c for c in charts if c.config["dataset_uuid"] in metadata]
    charts = [c for c in charts if c not in usage]
    echo(f"Timing {len(charts)} charts, {runs} loads each, unfiltered and for course {course_key} ...")
    for chart in charts:
        # The versioned query, as the dashboard sends it, bypassing Superset's cache.
        context = json.loads(chart.config["query_context"])
        context.update(force=True, datasource={"id": dataset_ids[chart.uuid], "type": "table"})
        unfiltered = measure(client, settings, context, runs)
        course = (measure(client, settings, with_course_filter(context, course_key), runs)
                  if chart.config["dataset_uuid"] in courseful else None)
        figures.append(ChartFigures(owners.get(chart.uuid, "-"), chart.config["slice_name"], unfiltered, course))
    for chart in usage:
        context = json.loads(chart.config["query_context"])
        context.update(force=True, datasource={"id": dataset_ids[chart.uuid], "type": "table"})
        echo(f"  {chart.config['slice_name']} (Superset's metadata): {wall_ms(client, context, runs):.0f} ms "
             "end to end through Superset")
    return figures


def report(figures: list[ChartFigures], events: int) -> str:
    lines = [
        f"Chart queries at {events:,} events (ClickHouse time from system.query_log, median of {RUNS} loads;"
        " memory = peak of one query)",
        f"{'dashboard':<24} {'chart':<48} {'all ms':>8} {'all MB':>8} {'course ms':>10} {'course MB':>10}",
    ]
    for f in figures:
        course = f"{f.course.median_ms:>10.1f} {f.course.memory_mb:>10.1f}" if f.course else f"{'-':>10} {'-':>10}"
        lines.append(f"{f.dashboard[:24]:<24} {f.name[:48]:<48} {f.unfiltered.median_ms:>8.1f} "
                     f"{f.unfiltered.memory_mb:>8.1f} {course}")
    unfiltered = [f.unfiltered for f in figures]
    filtered = [f.course for f in figures if f.course]
    peak = max(load.memory_mb for load in unfiltered + filtered)
    lines += [
        "",
        f"unfiltered: median {statistics.median(l.median_ms for l in unfiltered):.1f} ms, "
        f"max {max(l.median_ms for l in unfiltered):.1f} ms; "
        f"{sum(l.median_ms > TARGET_UNFILTERED_MS for l in unfiltered)} of {len(unfiltered)} over "
        f"{TARGET_UNFILTERED_MS} ms",
        f"course-filtered: median {statistics.median(l.median_ms for l in filtered):.1f} ms, "
        f"max {max(l.median_ms for l in filtered):.1f} ms; "
        f"{sum(l.median_ms > TARGET_FILTERED_MS for l in filtered)} of {len(filtered)} over {TARGET_FILTERED_MS} ms",
        f"peak memory of one chart query: {peak:.1f} MB "
        f"({sum(l.memory_mb > TARGET_MEMORY_MB for l in unfiltered + filtered)} over {TARGET_MEMORY_MB} MB)",
    ]
    return "\n".join(lines)
