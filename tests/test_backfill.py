"""A changed staging model is reported by init and re-parsed by `backfill`."""

from __future__ import annotations

import uuid

from tutoraspects import backfill
from tutoraspects.clickhouse_client import connect
from tutoraspects.init_steps import run_init
from tutoraspects.loading import bulk_insert


def forum_post(course_key: str) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": "http://lms.test", "name": str(uuid.uuid4())}},
        "verb": {"id": "https://w3id.org/xapi/acrossx/verbs/posted", "display": {"en": "posted"}},
        "object": {"id": "http://lms.test/api/discussion/v1/threads/abc123", "objectType": "Activity"},
        "context": {"contextActivities": {"parent": [{"id": f"http://lms.test/course/{course_key}"}]}},
        "timestamp": "2026-11-02T10:00:00.000000+00:00",
        "version": "1.0.3",
    }


def test_init_records_every_staging_model(settings):
    assert set(backfill.recorded_checksums(settings)) == set(backfill.staging_checksums())
    assert backfill.stale_models(settings) == []


def test_changed_model_is_reported_then_backfilled(settings):
    client = connect(settings)
    course = "course-v1:BackfillOrg+F1+Run"
    statement = forum_post(course)
    bulk_insert(settings, [statement])
    # A view that missed this statement: as if the model had been changed since.
    for table in ("stg_forum_events", "int_learner_activity_days"):
        client.command(f"DELETE FROM reporting.{table} WHERE course_key = {{c:String}}", parameters={"c": course})
    backfill.record(settings, [])  # no-op
    client.insert("aspects.dbt_staging_versions", [["stg_forum_events", "an older version"]],
                  column_names=["model", "checksum"])
    assert backfill.stale_models(settings) == ["stg_forum_events"]

    messages = []
    run_init(settings, echo=messages.append)
    assert any("stg_forum_events changed" in m and "aspects backfill" in m for m in messages)
    assert backfill.stale_models(settings) == ["stg_forum_events"]  # init does not re-parse on its own

    assert backfill.backfill(settings, echo=messages.append) == ["stg_forum_events"]
    assert backfill.stale_models(settings) == []
    assert client.command(
        "SELECT count() FROM reporting.stg_forum_events FINAL WHERE course_key = {c:String}", parameters={"c": course}
    ) == 1
    # the aggregates kept on insert are rebuilt with it, and keep following inserts
    bulk_insert(settings, [forum_post(course)])
    assert client.command(
        "SELECT uniqExactMerge(statements) FROM reporting.int_learner_activity_days WHERE course_key = {c:String}",
        parameters={"c": course}) == 2
