"""Backfills: staging models that changed after their tables were filled.

Staging tables are filled by materialized views as statements arrive. When a
staging model (or the parsing macros) changes, `dbt run` swaps the view's
query but keeps the rows already parsed the old way. Init reports such
models; `aspects backfill` (or `tutor aspects backfill`) re-parses every raw
event for them (`dbt run --full-refresh`), with the aggregates kept on insert
from them; the marts follow at their next refresh.
"""

from __future__ import annotations

import hashlib
from typing import Callable, Iterable

from . import migrations
from .clickhouse_client import connect
from .dbt_runner import DBT_PROJECT_DIR, run_dbt
from .settings import Settings

STAGING_DIR = DBT_PROJECT_DIR / "models" / "staging"
PARSING_MACROS = DBT_PROJECT_DIR / "macros" / "xapi.sql"
ON_INSERT_DIR = DBT_PROJECT_DIR / "models" / "intermediate" / "on_insert"


def staging_checksums() -> dict[str, str]:
    macros = PARSING_MACROS.read_bytes()
    return {
        path.stem: hashlib.sha256(path.read_bytes() + macros).hexdigest()
        for path in sorted(STAGING_DIR.glob("*.sql"))
    }


def _table(settings: Settings) -> str:
    return f"`{settings.meta_database}`.`dbt_staging_versions`"


def recorded_checksums(settings: Settings) -> dict[str, str]:
    client = connect(settings)
    try:
        rows = client.query(f"SELECT model, checksum FROM {_table(settings)} FINAL").result_rows
    finally:
        client.close()
    return dict(rows)


def stale_models(settings: Settings) -> list[str]:
    """Staging models whose table was filled by another version of the model."""
    recorded = recorded_checksums(settings)
    return sorted(name for name, checksum in staging_checksums().items()
                  if name in recorded and recorded[name] != checksum)


def record(settings: Settings, models: Iterable[str]) -> None:
    current = staging_checksums()
    rows = [[name, current[name]] for name in models if name in current]
    if not rows:
        return
    client = connect(settings)
    try:
        client.insert(_table(settings), rows, column_names=["model", "checksum"])
    finally:
        client.close()


def advice(models: list[str]) -> str:
    return (
        f"Staging model(s) {', '.join(models)} changed since their rows were parsed: rows already there keep "
        "the old parsing. Re-parse every raw event for them with `aspects backfill` "
        "(in Tutor: `tutor aspects backfill`); it can take a while on large installs."
    )


def backfill(settings: Settings, models: list[str] | None = None, echo: Callable[[str], None] = print) -> list[str]:
    """Rebuild the given (default: stale) staging models from the raw table."""
    models = models if models is not None else stale_models(settings)
    if not models:
        echo("No staging model needs a backfill.")
        return []
    echo(f"Backfilling {', '.join(models)} from the raw xAPI table ...")
    # the aggregates kept on insert from these tables are rebuilt with them (and their views re-attached)
    aggregates = [f"{model}+,path:{ON_INSERT_DIR.relative_to(DBT_PROJECT_DIR)}" for model in models]
    run_dbt(settings, ["run", "--full-refresh", "-s", *models, *aggregates], echo=echo)
    record(settings, models)
    migrations.apply_ttl(settings, echo=echo)  # a full refresh recreates the tables, without their TTL
    return models
