"""Faults an install survives (docs/operations.md, "Faults"), each on a stack of its own:
ClickHouse killed with SIGKILL in the middle of a load, and a first demo load interrupted.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
import requests
from click.testing import CliRunner

from conftest import running_stack

from tutoraspects.cli import ensure_demo_data, main_group
from tutoraspects.clickhouse_client import connect
from tutoraspects.demo_data import DemoSpec, generate_statements
from tutoraspects.loading import batched, load_demo_data, post_statements

QUIET = lambda _: None  # noqa: E731
SPEC = DemoSpec(seed=21, orgs=1, courses_per_org=1, learners=12)


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory):
    """ClickHouse (with the schema and marts) and Ralph, which these tests kill and restart."""
    yield from running_stack(tmp_path_factory.mktemp("faults-root"))


def unique_ids(spec) -> set[str]:
    return {statement["id"] for statement in generate_statements(spec)}


def stored(stack) -> tuple[int, int]:
    client = connect(stack.settings)
    try:
        return client.query(f"SELECT count(), uniqExact(event_id) FROM {stack.settings.xapi_database}."
                            f"{stack.settings.raw_xapi_table}").result_rows[0]
    finally:
        client.close()


def empty(stack) -> None:
    client = connect(stack.settings)
    try:
        client.command(f"TRUNCATE TABLE {stack.settings.xapi_database}.{stack.settings.raw_xapi_table}")
    finally:
        client.close()
    marker = stack.root.data_dir("demo") / "loaded.json"
    marker.unlink(missing_ok=True)


def test_clickhouse_killed_mid_load_loses_no_acknowledged_statement(own_stack):
    """SIGKILL of ClickHouse while Ralph receives batches: every statement Ralph acknowledged is there
    after a restart; the loader, meanwhile, fails with one line; a rerun stores everything once."""
    empty(own_stack)
    settings = own_stack.settings
    url = f"{settings.ralph_url}/xAPI/statements"
    auth = (settings.ralph_loader_username, settings.ralph_loader_password)
    headers = {"X-Experience-API-Version": "1.0.3"}
    statements = list(generate_statements(SPEC))
    pid = own_stack.clickhouse.service.process.pid
    # Once a third of the statements are acknowledged, ClickHouse dies while the next batches are on their way.
    killer = threading.Timer(0.05, os.kill, (pid, signal.SIGKILL))
    acknowledged: set[str] = set()
    failures = 0
    try:
        for batch in batched(statements, 50):
            if not killer.is_alive() and not killer.finished.is_set() and len(acknowledged) >= len(statements) // 3:
                killer.start()  # once
            try:
                response = requests.post(url, json=batch, auth=auth, headers=headers, timeout=30)
            except requests.RequestException:
                failures += 1
                continue
            if response.status_code == 200:
                acknowledged |= set(response.json())
            else:
                failures += 1
            if failures >= 3:
                break
    finally:
        if killer.ident:  # started
            killer.join()
    assert own_stack.clickhouse.service.process.wait(10) == -signal.SIGKILL
    assert failures, "the load did not meet the dead server (it ended before the kill)"

    # ClickHouse down: the loader retries, then stops with one line
    result = CliRunner().invoke(main_group, ["--root", str(own_stack.root.path), "load-demo-data", "--learners", "2",
                                             "--via", "lrs"])
    assert result.exit_code == 1 and "Error:" in result.output, result.output
    assert "Traceback" not in result.output

    own_stack.start_clickhouse(QUIET)  # (the next test finds it running too)
    client = connect(settings)
    try:
        found = {str(row[0]) for row in client.query(
            f"SELECT event_id FROM {settings.xapi_database}.{settings.raw_xapi_table}").result_rows}
    finally:
        client.close()
    assert acknowledged and acknowledged <= found, len(acknowledged - found)

    # The rerun: Ralph stores what is missing and nothing twice.
    for attempt in range(20):  # Ralph reconnects to the restarted server
        try:
            post_statements(settings, statements[:1])
            break
        except Exception:
            time.sleep(0.5)
    load_demo_data(settings, SPEC, via="lrs", echo=QUIET)
    total = len(unique_ids(SPEC))
    assert stored(own_stack) == (total, total)


def test_an_interrupted_first_demo_load_is_completed_on_the_next_start(own_stack):
    if not own_stack.clickhouse.ping():  # the test before may have stopped half-way
        own_stack.start_clickhouse(QUIET)
    empty(own_stack)
    statements = list(generate_statements(SPEC))
    # the first start was stopped after a third of the statements
    post_statements(own_stack.settings, statements[: len(statements) // 3])
    messages: list[str] = []
    ensure_demo_data(own_stack, SPEC, messages.append)
    assert any("Completing the demo data load that was interrupted" in m for m in messages), messages
    total = len(unique_ids(SPEC))
    assert stored(own_stack) == (total, total)

    # the next start finds it complete and loads nothing
    messages.clear()
    ensure_demo_data(own_stack, SPEC, messages.append)
    assert any("Demo data already loaded (12 learners)" in m for m in messages), messages
    assert stored(own_stack) == (total, total)
