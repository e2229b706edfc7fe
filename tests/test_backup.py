"""Backup and restore of the ClickHouse data, on a real server of its own (restore drops databases)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tutoraspects.cli import main_group
from tutoraspects.clickhouse_client import connect
from tutoraspects.demo_data import DemoSpec, generate_statements
from tutoraspects.embedded.service import free_port
from tutoraspects.embedded.stack import EmbeddedStack
from tutoraspects.loading import bulk_insert
from tutoraspects.marts import refresh_now

QUIET = lambda _: None  # noqa: E731


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """A ClickHouse with the schema, marts and a little demo data."""
    stack = EmbeddedStack(tmp_path_factory.mktemp("backup-root"))
    stack.prepare(echo=QUIET, with_ralph=False, clickhouse_http=free_port(), clickhouse_tcp=free_port())
    stack.up(echo=QUIET, with_ralph=False)
    try:
        bulk_insert(stack.settings, generate_statements(DemoSpec(seed=5, orgs=1, courses_per_org=1, learners=12)))
        refresh_now(stack.settings)
        yield stack
    finally:
        stack.stop()


def snapshot(settings) -> dict[str, int]:
    """Rows of every table and materialized view of the Aspects databases (their inner tables, named
    `.inner...` or `.tmp...` while a refresh runs, through the view)."""
    client = connect(settings)
    try:
        databases = [settings.meta_database, settings.xapi_database, settings.event_sink_database,
                     settings.reporting_database]
        tables = client.query(
            "SELECT database, name FROM system.tables WHERE database IN {dbs:Array(String)} "
            "AND engine != 'View' AND NOT startsWith(name, '.') ORDER BY database, name",
            parameters={"dbs": databases}).result_rows
        return {f"{db}.{name}": client.command(f"SELECT count() FROM `{db}`.`{name}`") for db, name in tables}
    finally:
        client.close()


def aspects(stack, *args):
    return CliRunner().invoke(main_group, ["--root", str(stack.root.path), *args])


def test_backup_then_restore_brings_back_every_table(filled):
    before = snapshot(filled.settings)
    assert before[f"{filled.settings.xapi_database}.{filled.settings.raw_xapi_table}"] > 0
    assert sum(count for name, count in before.items() if name.startswith(filled.settings.reporting_database)) > 0

    result = aspects(filled, "backup", "--name", "before-loss")
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output
    assert (filled.root.data_dir("backups") / "before-loss" / ".backup").is_file()

    # Loss: the raw statements and a mart go.
    client = connect(filled.settings)
    client.command(f"DROP DATABASE `{filled.settings.xapi_database}` SYNC")
    client.command(f"TRUNCATE TABLE `{filled.settings.reporting_database}`.`{next(iter(_marts(before, filled)))}`")
    client.close()

    refused = aspects(filled, "restore", "before-loss")
    assert refused.exit_code == 1 and "--replace" in refused.output and "Traceback" not in refused.output

    result = aspects(filled, "restore", "before-loss", "--replace")
    assert result.exit_code == 0, result.output
    assert snapshot(filled.settings) == before
    # The restored server is a working one: its migrations are recorded.
    status = aspects(filled, "status")
    assert status.exit_code == 0 and ", 0 pending" in status.output, status.output


def _marts(before: dict[str, int], stack) -> list[str]:
    prefix = f"{stack.settings.reporting_database}."
    return [name[len(prefix):] for name, count in before.items() if name.startswith(prefix) and count]


def test_missing_backup_and_bad_name_are_clear_errors(filled):
    result = aspects(filled, "restore", "no-such-backup", "--replace")
    assert result.exit_code == 1 and "no backup no-such-backup" in result.output, result.output
    result = aspects(filled, "backup", "--name", "../escape")
    assert result.exit_code == 1 and "backup name" in result.output
