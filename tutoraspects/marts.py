"""The marts' refresh: ClickHouse refreshes them on schedule (refreshable
materialized views); tests, loads and benchmarks can ask for it now."""

from __future__ import annotations

import time

from .clickhouse_client import connect
from .settings import Settings


def refreshable_views(settings: Settings) -> list[str]:
    """Refreshable views of the reporting database, intermediate models first."""
    client = connect(settings)
    try:
        views = client.query(
            "SELECT view FROM system.view_refreshes WHERE database = {db:String}",
            parameters={"db": settings.reporting_database},
        ).result_rows
    finally:
        client.close()
    return sorted((row[0] for row in views), key=lambda name: (not name.startswith("int_"), name))


def refresh_now(settings: Settings, timeout: float = 600) -> float:
    """Refresh every mart once, in dependency order; return the seconds it took."""
    started = time.monotonic()
    client = connect(settings, send_receive_timeout=int(timeout))
    try:
        for view in refreshable_views(settings):
            name = f"`{settings.reporting_database}`.`{view}`"
            client.command(f"SYSTEM REFRESH VIEW {name}")
            client.command(f"SYSTEM WAIT VIEW {name}")
    finally:
        client.close()
    return time.monotonic() - started
