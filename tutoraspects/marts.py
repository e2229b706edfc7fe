"""The marts' refresh: ClickHouse refreshes them on schedule (refreshable
materialized views); tests, loads and benchmarks can ask for it now."""

from __future__ import annotations

import graphlib
import re
import time

from .clickhouse_client import connect
from .settings import Settings

DEPENDS_ON = re.compile(r"DEPENDS ON (.+?) (?:TO|SETTINGS|APPEND|EMPTY|AS)\b")


def refreshable_views(settings: Settings) -> list[str]:
    """Refreshable views of the reporting database, each after the views it DEPENDS ON."""
    client = connect(settings)
    try:
        rows = client.query(
            "SELECT v.view, t.create_table_query FROM system.view_refreshes AS v "
            "JOIN system.tables AS t ON t.database = v.database AND t.name = v.view "
            "WHERE v.database = {db:String}",
            parameters={"db": settings.reporting_database},
        ).result_rows
    finally:
        client.close()
    graph = {}
    for view, ddl in rows:
        match = DEPENDS_ON.search(ddl)
        names = match.group(1).split(",") if match else []
        graph[view] = {name.strip().strip("`").split(".")[-1].strip("`") for name in names}
    ordered = graphlib.TopologicalSorter({view: deps & graph.keys() for view, deps in sorted(graph.items())})
    return list(ordered.static_order())


def refresh_now(settings: Settings, timeout: float = 600, timings: dict[str, float] | None = None) -> float:
    """Refresh every mart once, in dependency order; return the seconds it took (per view into `timings`)."""
    started = time.monotonic()
    client = connect(settings, send_receive_timeout=int(timeout))
    try:
        for view in refreshable_views(settings):
            view_started = time.monotonic()
            name = f"`{settings.reporting_database}`.`{view}`"
            client.command(f"SYSTEM REFRESH VIEW {name}")
            client.command(f"SYSTEM WAIT VIEW {name}")
            if timings is not None:
                timings[view] = time.monotonic() - view_started
    finally:
        client.close()
    return time.monotonic() - started
