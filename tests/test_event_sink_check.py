"""Event-sink rows ClickHouse skipped are seen: the check and the operator's data-quality table.

platform-plugin-aspects inserts with input_format_allow_errors_*: a bad row is skipped with HTTP
200 (tests/test_event_sink_plugin.py). The likeliest bad row in practice is a layout drift (a
plugin version sending one column more or less than our table): then every one-row dump, the
LMS's per-event path, is dropped. Here the real plugin dumps into such a drifted table and the
check (tutoraspects/event_sink/sink_check.py, run as `tutor local do aspects-check-sink` runs it
in the LMS, over the stand-in models) names the missing rows; the mart the dashboard reads is
checked on hand-written counts and a hand-written gap in a course's block numbering.
"""

from __future__ import annotations

import datetime
import uuid

import pytest

from test_event_sink_plugin import ENROLLMENTS, post_like_the_plugin, small_state
from tutoraspects.clickhouse_client import connect
from tutoraspects.event_sink import check_with_plugin, publish_with_plugin
from tutoraspects.marts import refresh_now

DRIFTED = "event_sink_drift"
TABLES = ("course_overviews", "course_blocks", "course_enrollment", "user_profile", "external_id", "taxonomy", "tag",
          "object_tag", "sink_checks")


@pytest.fixture()
def drifted(stack):
    """An event-sink database whose course_enrollment table has one column more than the plugin sends."""
    settings = stack.settings.with_overrides(event_sink_database=DRIFTED)
    client = connect(settings)
    source = stack.settings.event_sink_database
    try:
        client.command(f"CREATE DATABASE IF NOT EXISTS {DRIFTED}")
        for table in TABLES:
            client.command(f"CREATE TABLE {DRIFTED}.{table} AS {source}.{table}")
        client.command(f"ALTER TABLE {DRIFTED}.course_enrollment ADD COLUMN plugin_next String")
        yield settings, client
    finally:
        client.command(f"DROP DATABASE IF EXISTS {DRIFTED}")
        client.close()


def test_check_names_the_rows_clickhouse_skipped(drifted):
    settings, client = drifted
    state = small_state()
    state["enrollments"] = ENROLLMENTS[:1]  # one enrollment change: a one-row dump
    # a retired learner: the LMS keeps a scrubbed profile, the plugin deletes the PII rows (below)
    state["users"].append({**state["users"][0], "id": 99, "username": "retired__user_0a1b2c", "name": "",
                           "email": "", "external_user_id": "6f1d2a3b-0000-4000-8000-000000000099"})
    # admin: the sink user may only write the event_sink database
    sent = publish_with_plugin(settings, state, echo=lambda _: None, role="admin")
    for table in ("user_profile", "external_id"):
        client.command(f"DELETE FROM {DRIFTED}.{table} WHERE user_id = 99")
    lines: list[str] = []
    check_with_plugin(settings, state, echo=lines.append, role="admin")

    assert sent["course_enrollment"] == 1
    assert client.command(f"SELECT count() FROM {DRIFTED}.course_enrollment") == 0, "dropped with HTTP 200"
    checks = client.query(f"SELECT table_name, source_rows, stored_rows FROM {DRIFTED}.sink_checks").result_rows
    assert sorted(checks) == [("course_enrollment", 1, 0), ("course_overviews", 2, 2), ("external_id", 3, 3),
                              ("user_profile", 3, 3)]
    assert ("Event-sink check: course_enrollment: 1 in the LMS, 0 in ClickHouse: 1 MISSING (rows ClickHouse "
            "skipped as bad; re-send them with `tutor local do aspects-dump-sink --object course_enrollment`)"
            in lines)
    assert "Event-sink check: user_profile: 3 in the LMS, 3 in ClickHouse: complete" in lines


def test_data_quality_table_shows_the_newest_check_and_block_gaps(stack):
    """instance_event_sink_health: the newest count per table, and gaps in a course's newest publish."""
    settings = stack.settings
    db = settings.event_sink_database
    client = connect(settings)
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    try:
        # two checks of a table (the newer one lacks a row) and one where ClickHouse has more
        client.insert(f"{db}.sink_checks", [
            [now - datetime.timedelta(hours=2), "probe_enrollment", 5, 5],
            [now - datetime.timedelta(hours=1), "probe_enrollment", 6, 5],
            [now - datetime.timedelta(hours=1), "probe_profile", 3, 4],
        ], column_names=["checked_at", "table_name", "source_rows", "stored_rows"])
        # a publish of 4 blocks whose 3rd was skipped: the plugin numbers them 1..4
        course, dump_id = "course-v1:GapOrg+Gap+2026", str(uuid.uuid4())
        dumped = "2026-12-01 10:00:00.000000+00:00"
        blocks = [
            ["GapOrg", course, f"block-v1:GapOrg+Gap+2026+type@{kind}+block@{block_id}", name,
             f'{{"block_type": "{kind}", "section": 1, "subsection": {sub}, "unit": {unit}}}', order, dumped,
             dump_id, dumped]
            for order, (kind, block_id, name, sub, unit) in enumerate([
                ("course", "course", "Gap course", 0, 0), ("chapter", "c1", "Section", 0, 0),
                ("sequential", "s1", "Lesson", 1, 0), ("vertical", "u1", "Unit", 1, 1)], start=1)
            if order != 3
        ]
        answer = post_like_the_plugin(settings, "course_blocks", blocks)
        assert answer.status_code == 200, answer.text
        refresh_now(settings)

        result = client.query(f"SELECT table_name, expected_rows, stored_rows, missing_rows "
                              f"FROM {settings.reporting_database}.instance_event_sink_health")
        rows = {row[0]: row[1:] for row in result.result_rows}
        assert rows["probe_enrollment"] == (6, 5, 1)
        assert rows["probe_profile"] == (3, 4, 0)
        # every other course in this ClickHouse came whole from the plugin: the gap is the only loss
        expected, stored, missing = rows["course_blocks"]
        assert (expected - stored, missing) == (1, 1)
    finally:
        client.command(f"DELETE FROM {db}.sink_checks WHERE table_name LIKE 'probe_%'")
        client.command(f"DELETE FROM {db}.course_blocks WHERE course_key = 'course-v1:GapOrg+Gap+2026'")
        client.close()
