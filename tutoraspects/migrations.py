"""ClickHouse schema migrations, run with the clickhouse-migrations library.

Migrations are plain SQL files in clickhouse/migrations/ with `${NAME}`
placeholders (database names, cluster clauses), filled from the settings at
run time. The library records applied versions and their checksums in
`<meta database>.schema_versions` and refuses to re-run or silently skip a
changed file. Because checksums cover the raw files, changing a setting later
does not make applied migrations look modified.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Callable

from clickhouse_migrations.clickhouse_cluster import ClickhouseCluster
from clickhouse_migrations.connection import CLICKHOUSE_CONNECT
from clickhouse_migrations.exceptions import MigrationException

from .clickhouse_client import connect
from .paths import MIGRATIONS_DIR
from .settings import Settings

MIGRATIONS_TABLE = "schema_versions"


class MigrationError(RuntimeError):
    """A migration failed; the message names the version and the server's error."""


@dataclasses.dataclass(frozen=True)
class MigrationStatus:
    version: int
    name: str
    state: str  # applied, pending, md5-mismatch, unknown
    applied_at: str


def variables(settings: Settings) -> dict[str, str]:
    """Values of the `${NAME}` placeholders in the migration files."""
    cluster = settings.cluster_name
    return {
        "META_DATABASE": settings.meta_database,
        "XAPI_DATABASE": settings.xapi_database,
        "RAW_XAPI_TABLE": settings.raw_xapi_table,
        "EVENT_SINK_DATABASE": settings.event_sink_database,
        "REPORTING_DATABASE": settings.reporting_database,
        "ON_CLUSTER": f"ON CLUSTER '{cluster}'" if cluster else "",
        # Replicated engines take their ZooKeeper path and replica name from
        # the server's default_replica_path / default_replica_name.
        "REPLICATED": "Replicated" if cluster else "",
        # Migrations from 0010 on: the table that stores the statements (each shard's local table on a
        # cluster, the raw table itself on one server) and the cluster name as a string literal.
        "RAW_XAPI_LOCAL_TABLE": settings.raw_xapi_local_table,
        "CLUSTER": f"'{cluster}'",
        # Starts each line of a statement that runs on a cluster only: on one server it turns the
        # line into a comment, so the migration runs nothing there.
        "CLUSTER_ONLY": "" if cluster else "-- ",
    }


def render(settings: Settings, migrations_dir: Path = MIGRATIONS_DIR) -> dict[str, str]:
    """Each migration file's SQL as it would run for these settings."""
    from clickhouse_migrations.substitution import substitute

    values = variables(settings)
    return {
        path.name: substitute(path.read_text(), values, path.name)
        for path in sorted(migrations_dir.glob("*.sql"))
    }


def _cluster(settings: Settings) -> ClickhouseCluster:
    return ClickhouseCluster(
        db_host=settings.clickhouse_host,
        db_port=str(settings.clickhouse_http_port),
        db_user=settings.admin_user,
        db_password=settings.admin_password,
        db_name=settings.meta_database,
        secure=settings.clickhouse_secure,
        driver=CLICKHOUSE_CONNECT,
        migrations_table=MIGRATIONS_TABLE,
    )


def _names(migrations_dir: Path) -> dict[int, str]:
    return {int(p.name.split("_", 1)[0]): p.name for p in migrations_dir.glob("*.sql")}


def migrate(
    settings: Settings,
    migrations_dir: Path = MIGRATIONS_DIR,
    echo: Callable[[str], None] = print,
) -> list[int]:
    """Apply pending migrations in order; return the versions applied now."""
    rows = status(settings, migrations_dir)
    changed = [row.name for row in rows if row.state == "md5-mismatch"]
    if changed:
        raise MigrationError(
            f"migration {', '.join(changed)} changed after it was applied (md5 differs): "
            "restore the file and add a new migration for the change"
        )
    pending = [row for row in rows if row.state == "pending"]
    if not pending:
        echo("ClickHouse schema is up to date.")
        return []
    for row in pending:
        echo(f"Applying migration {row.name} ...")
    logging.getLogger("clickhouse_migrations").setLevel(logging.WARNING)
    try:
        applied = _cluster(settings).migrate(
            settings.meta_database,
            migrations_dir,
            cluster_name=settings.cluster_name or None,
            multi_statement=True,
            lock=bool(settings.cluster_name),  # the lock table needs Keeper
            variables=variables(settings),
        )
    except MigrationException as error:
        raise MigrationError(_describe(error, pending)) from error
    except Exception as error:  # server errors reach us as driver exceptions
        raise MigrationError(_describe(error, pending)) from error
    versions = [migration.version for migration in applied]
    echo(f"Applied {len(versions)} migration(s): {', '.join(map(str, versions))}.")
    return versions


def _describe(error: Exception, pending: list[MigrationStatus]) -> str:
    message = " ".join(str(error).split("Stack trace", 1)[0].split())
    named = [row.name for row in pending if row.name in message or f"version {row.version}" in message]
    where = named[0] if named else "one of: " + ", ".join(row.name for row in pending)
    return f"migration {where} failed: {message}"


def status(settings: Settings, migrations_dir: Path = MIGRATIONS_DIR) -> list[MigrationStatus]:
    """Every migration known locally or recorded in ClickHouse, with its state."""
    names = _names(migrations_dir)
    cluster = _cluster(settings)
    if not _meta_table_exists(settings):
        return [MigrationStatus(v, names[v], "pending", "") for v in sorted(names)]
    rows = cluster.status(settings.meta_database, migrations_dir)
    return [
        MigrationStatus(
            row.version,
            names.get(row.version, f"{row.version} (no local file)"),
            row.state,
            str(row.applied_at or ""),
        )
        for row in rows
    ]


def _meta_table_exists(settings: Settings) -> bool:
    client = connect(settings)
    try:
        return bool(
            client.command(
                "EXISTS TABLE {db:Identifier}.{table:Identifier}",
                parameters={"db": settings.meta_database, "table": MIGRATIONS_TABLE},
            )
        )
    finally:
        client.close()


def staging_tables(settings: Settings) -> list[tuple[str, str]]:
    """(database, table) of the tables the staging materialized views write from the raw table."""
    client = connect(settings)
    try:
        return [tuple(row) for row in client.query(
            "SELECT DISTINCT mv.target_database, mv.target_table FROM system.tables AS raw "
            "ARRAY JOIN raw.dependencies_database AS view_db, raw.dependencies_table AS view_name "
            "JOIN system.tables AS mv ON mv.database = view_db AND mv.name = view_name "
            "WHERE raw.database = {db:String} AND raw.name = {t:String} AND mv.target_table != '' "
            "ORDER BY 1, 2",
            parameters={"db": settings.xapi_database, "t": settings.raw_xapi_local_table},
        ).result_rows]
    finally:
        client.close()


def apply_ttl(settings: Settings, echo: Callable[[str], None] = print) -> None:
    """Bring the TTL of the raw table and the staging tables in line with ASPECTS_DATA_TTL_DAYS (0 = none).

    Staging tables hold the same statements, parsed: a statement expired from
    the raw table must not live on there. Tables dbt creates later (a first
    build, a backfill) get it when this runs again after them.
    """
    on_cluster = variables(settings)["ON_CLUSTER"]
    wanted = f"toDateTime(emission_time) + toIntervalDay({settings.data_ttl_days})"
    tables = [(settings.xapi_database, settings.raw_xapi_local_table), *staging_tables(settings)]
    changed = []
    client = connect(settings)
    try:
        for database, name in tables:
            current = str(client.command(
                "SELECT engine_full FROM system.tables WHERE database = {db:String} AND name = {t:String}",
                parameters={"db": database, "t": name},
            ))
            table = f"`{database}`.`{name}`"
            if settings.data_ttl_days > 0 and wanted not in current:
                client.command(f"ALTER TABLE {table} {on_cluster} MODIFY TTL {wanted}")
                changed.append(f"{database}.{name}")
            elif settings.data_ttl_days <= 0 and " TTL " in f" {current} ":
                client.command(f"ALTER TABLE {table} {on_cluster} REMOVE TTL")
                changed.append(f"{database}.{name}")
    finally:
        client.close()
    if changed and settings.data_ttl_days > 0:
        echo(f"xAPI events now expire after {settings.data_ttl_days} days in {', '.join(changed)}.")
    elif changed:
        echo(f"xAPI events no longer expire in {', '.join(changed)}.")
