"""Backup and restore of the ClickHouse data: ClickHouse's own BACKUP and RESTORE.

A backup is one folder on ClickHouse's `backups` disk (CLICKHOUSE_BACKUP_PATH,
config.xml): every Aspects database, schema and data, consistent per table. A
restore refreshes the marts, so the restored server serves dashboards at once. Copy the
folder off the server's volume to keep it safe (docs/operations.md). A folder
rather than a zip file: the embedded server's build has no zip support.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Callable

from .clickhouse_client import connect
from .settings import Settings

Echo = Callable[[str], None]
BACKUP_DISK = "backups"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class BackupError(RuntimeError):
    """A backup or restore cannot go ahead; the message says why and what to do."""


def databases(settings: Settings) -> list[str]:
    return [settings.meta_database, settings.xapi_database, settings.event_sink_database,
            settings.reporting_database]


def check_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise BackupError(f"backup name {name!r}: letters, digits, '.', '_' and '-'")
    return name


def _targets(settings: Settings) -> str:
    return ", ".join(f"DATABASE `{database}`" for database in databases(settings))


def backup(settings: Settings, name: str | None = None, echo: Echo = print,
           now: datetime | None = None) -> str:
    """Back up every Aspects database into `name` on the backups disk; return the name."""
    name = check_name(name or f"aspects-{(now or datetime.now(timezone.utc)):%Y%m%dT%H%M%SZ}")
    client = connect(settings)
    try:
        echo(f"Backing up {', '.join(databases(settings))} to {name} on ClickHouse's {BACKUP_DISK} disk ...")
        client.command(f"BACKUP {_targets(settings)} TO Disk('{BACKUP_DISK}', '{name}')")
        rows = client.query(
            "SELECT num_files, formatReadableSize(total_size), total_size, formatReadableSize(compressed_size) "
            "FROM system.backups WHERE name = {name:String} AND status = 'BACKUP_CREATED' "
            "ORDER BY start_time DESC LIMIT 1",
            parameters={"name": f"Disk('{BACKUP_DISK}', '{name}')"},
        ).result_rows
    finally:
        client.close()
    if rows:
        files, size, _, compressed = rows[0]
        echo(f"Backed up {files} files, {size} ({compressed} compressed) in {name}.")
    return name


def restore(settings: Settings, name: str, replace: bool = False, echo: Echo = print) -> None:
    """Restore the databases of backup `name`. Databases that exist are replaced only with `replace`."""
    check_name(name)
    client = connect(settings)
    try:
        existing = [database for database in databases(settings)
                    if client.command("SELECT count() FROM system.databases WHERE name = {d:String}",
                                      parameters={"d": database})]
        if existing and not replace:
            raise BackupError(f"{', '.join(existing)} exist on this server: restoring replaces them; "
                              "run again with --replace to drop them first")
        for database in existing:
            echo(f"Dropping {database} ...")
            client.command(f"DROP DATABASE `{database}` SYNC")
        echo(f"Restoring {', '.join(databases(settings))} from {name} ...")
        try:
            client.command(f"RESTORE {_targets(settings)} FROM Disk('{BACKUP_DISK}', '{name}')")
        except Exception as error:
            if "BACKUP_NOT_FOUND" in str(error) or "doesn't exist" in str(error):
                raise BackupError(f"no backup {name} on ClickHouse's {BACKUP_DISK} disk") from error
            raise
    finally:
        client.close()
    # A refreshable view comes back empty until it refreshes: refresh them all now, so the dashboards
    # answer at once.
    from .marts import refresh_now

    echo(f"Restored from {name}; refreshing the marts ...")
    echo(f"Marts refreshed in {refresh_now(settings):.1f} s.")
