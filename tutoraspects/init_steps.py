"""The init steps: what `tutor aspects init`, the init job and the embedded
stack run, in this order. Each step is idempotent."""

from __future__ import annotations

from typing import Callable

from . import backfill, extensions, migrations
from .clickhouse_client import wait_until_ready
from .dbt_runner import DbtError, run_dbt
from .settings import Settings


def run_init(settings: Settings, echo: Callable[[str], None] = print, build_marts: bool = True,
             import_assets: bool | None = None) -> None:
    """import_assets: import the Superset assets (default: when RUN_SUPERSET)."""
    echo(f"Waiting for ClickHouse at {settings.clickhouse_host}:{settings.clickhouse_http_port} ...")
    wait_until_ready(settings)
    migrations.migrate(settings, echo=echo)
    migrations.apply_ttl(settings, echo=echo)
    extensions.run_extra_sql(settings, echo=echo)
    if build_marts:
        stale = backfill.stale_models(settings)
        echo("Building the marts (dbt run) ...")
        run_dbt(settings, ["run"], echo=echo)
        # New staging tables were filled from the raw table by this run; changed ones were not.
        backfill.record(settings, [m for m in backfill.staging_checksums() if m not in stale])
        migrations.apply_ttl(settings, echo=echo)  # staging tables this run created
        if stale:
            echo("WARNING: " + backfill.advice(stale))
        # Data tests report problems in the data without stopping the install.
        try:
            run_dbt(settings, ["test"], echo=echo)
        except DbtError:
            echo("WARNING: some dbt data tests failed (see above); the marts are built.")
    if settings.run_superset if import_assets is None else import_assets:
        from .superset import import_assets as import_superset_assets

        import_superset_assets(settings, echo=echo)
    echo("Init done.")
