"""Each ClickHouse user can do what its job needs and nothing else."""

from __future__ import annotations

import json
import uuid

import clickhouse_connect
import pytest
from clickhouse_connect.driver.exceptions import DatabaseError

from tutoraspects.clickhouse_client import connect

DENIED = r"ACCESS_DENIED|Not enough privileges|readonly mode|READONLY"


@pytest.fixture(scope="module")
def admin(settings):
    return connect(settings, "admin")


@pytest.fixture(scope="module")
def lrs(settings):
    return connect(settings, "lrs")


@pytest.fixture(scope="module")
def report(settings):
    return connect(settings, "report")


def _raw(settings):
    return f"{settings.xapi_database}.{settings.raw_xapi_table}"


def _insert_statement(client, settings):
    event_id = str(uuid.uuid4())
    client.command(
        f"INSERT INTO {_raw(settings)} (event_id, emission_time, event) VALUES "
        f"('{event_id}', now64(6), '{json.dumps({'id': event_id})}')"
    )
    return event_id


def test_lrs_inserts_and_reads_raw_events(lrs, settings):
    event_id = _insert_statement(lrs, settings)
    assert lrs.command(f"SELECT count() FROM {_raw(settings)} WHERE event_id = '{event_id}'") == 1


def test_lrs_inserts_reach_the_aggregates_kept_on_insert(lrs, admin, settings):
    """A played video goes raw -> stg_video_events -> int_learner_activity_days in the LRS user's insert."""
    course, actor = "course-v1:UsersOrg+V1+Run", str(uuid.uuid4())
    statement = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": "http://lms.test", "name": actor}},
        "verb": {"id": "https://w3id.org/xapi/video/verbs/played"},
        "object": {"id": "http://lms.test/xblock/block-v1:UsersOrg+V1+Run+type@video+block@v1"},
        "context": {"contextActivities": {"parent": [{"id": f"http://lms.test/course/{course}"}]},
                    "extensions": {"https://w3id.org/xapi/video/extensions/length": 60.0}},
        "result": {"extensions": {"https://w3id.org/xapi/video/extensions/time": 1.0}},
        "timestamp": "2026-11-02T10:00:00+00:00",
    }
    lrs.insert(_raw(settings), [[statement["id"], "2026-11-02 10:00:00", json.dumps(statement)]],
               column_names=["event_id", "emission_time", "event"])
    assert admin.command(
        f"SELECT uniqExactMerge(statements) FROM {settings.reporting_database}.int_learner_activity_days "
        "WHERE actor_id = {a:String}", parameters={"a": actor}) == 1


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE {xapi}.intruder (a UInt8) ENGINE = Memory",
        "SELECT count() FROM {reporting}.learner_summary",
        "INSERT INTO {reporting}.stg_forum_events (event_id) VALUES (generateUUIDv4())",
        "DROP TABLE {raw}",
        "TRUNCATE TABLE {raw}",
        "ALTER TABLE {raw} DELETE WHERE 1",
        "SELECT count() FROM {sink}.course_enrollment",
        "SELECT count() FROM {sink}.user_profile",
        "CREATE DATABASE intruder",
    ],
)
def test_lrs_cannot_do_anything_else(lrs, settings, sql):
    with pytest.raises(DatabaseError, match=DENIED):
        lrs.command(sql.format(xapi=settings.xapi_database, raw=_raw(settings), sink=settings.event_sink_database,
                               reporting=settings.reporting_database))


def test_report_reads_analytics_databases(report, admin, settings):
    _insert_statement(admin, settings)
    assert report.command(f"SELECT count() > 0 FROM {_raw(settings)}") == 1
    blocks = f"SELECT count() FROM {settings.event_sink_database}.course_blocks"
    assert report.command(blocks) == admin.command(blocks)
    # marts are created by the admin user (dbt) and read by the report user (Superset)
    admin.command(f"CREATE TABLE IF NOT EXISTS {settings.reporting_database}.grant_probe (n UInt8) ENGINE = Memory")
    admin.command(f"INSERT INTO {settings.reporting_database}.grant_probe VALUES (7)")
    assert report.command(f"SELECT sum(n) FROM {settings.reporting_database}.grant_probe") == 7
    admin.command(f"DROP TABLE {settings.reporting_database}.grant_probe")


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO {raw} (event_id, emission_time, event) VALUES (generateUUIDv4(), now64(6), '{{}}')",
        "CREATE TABLE {reporting}.intruder (a UInt8) ENGINE = Memory",
        "DROP TABLE {raw}",
        "ALTER TABLE {raw} DELETE WHERE 1",
    ],
)
def test_report_user_cannot_write(report, settings, sql):
    with pytest.raises(DatabaseError, match=DENIED):
        report.command(sql.format(raw=_raw(settings), reporting=settings.reporting_database))


@pytest.mark.parametrize("setting", ["max_memory_usage = 100000000000", "max_execution_time = 100000", "readonly = 0"])
def test_report_user_cannot_lift_its_limits(report, setting):
    """readonly=2 lets a client set per-query settings: the profile's constraints bound them."""
    with pytest.raises(DatabaseError, match=r"SETTING_CONSTRAINT_VIOLATION|READONLY"):
        report.command(f"SELECT 1 SETTINGS {setting}")


def test_report_user_has_limits(report, settings):
    limits = dict(report.query("SELECT name, value FROM system.settings WHERE name IN "
                               "('max_memory_usage', 'max_execution_time', 'readonly')").result_rows)
    assert limits == {"max_memory_usage": "2000000000", "max_execution_time": "120", "readonly": "2"}
    assert report.command("SELECT quota_name FROM system.quota_usage") == "report"


def test_report_user_cannot_read_pii_when_disabled(report, settings):
    """Nor de-anonymise statements: external_id links the xAPI actor ids to LMS users."""
    assert settings.enable_pii is False
    for sql in (f"SELECT email FROM {settings.event_sink_database}.user_profile",
                f"SELECT count() FROM {_raw(settings)} AS raw INNER JOIN {settings.event_sink_database}.external_id AS ids"
                f" ON ids.external_user_id = JSONExtractString(raw.event, 'actor', 'account', 'name')"):
        with pytest.raises(DatabaseError, match=DENIED):
            report.command(sql)


def test_default_user_can_only_start_listeners(settings):
    anonymous = clickhouse_connect.get_client(
        host=settings.clickhouse_host, port=settings.clickhouse_http_port, username="default", password=""
    )
    for sql in (
        f"SELECT count() FROM {_raw(settings)}",
        "SELECT * FROM file('/etc/hostname')",
        "CREATE TABLE default.intruder (a UInt8) ENGINE = Memory",
        "SELECT count() FROM system.processes",
    ):
        with pytest.raises(DatabaseError, match=DENIED):
            anonymous.command(sql)


def test_wrong_password_is_refused(settings):
    with pytest.raises(DatabaseError, match="Authentication failed"):
        clickhouse_connect.get_client(
            host=settings.clickhouse_host, port=settings.clickhouse_http_port,
            username=settings.admin_user, password=settings.admin_password + "x",
        )


def test_sink_user_writes_and_deletes_the_event_sink_only(settings, admin):
    """The LMS and Studio (platform-plugin-aspects): insert dumps, delete a retired user's rows; read nothing else."""
    sink = connect(settings, "sink")
    table = f"{settings.event_sink_database}.external_id"
    user_id = 990000 + uuid.uuid4().int % 10000
    # as the plugin sends it: dates as str(datetime) with "+00:00" (read best-effort by the sink profile)
    sink.command(f"INSERT INTO {table} VALUES ('ext-{user_id}', 'xapi', 'retiree', {user_id}, "
                 f"'{uuid.uuid4()}', '2026-12-01 10:00:00.123456+00:00')")
    assert admin.command(f"SELECT count() FROM {table} WHERE user_id = {user_id}") == 1
    sink.command(f"ALTER TABLE {table} DELETE WHERE user_id IN ({user_id}) SETTINGS mutations_sync = 2")
    assert admin.command(f"SELECT count() FROM {table} WHERE user_id = {user_id}") == 0
    for sql in (f"SELECT count() FROM {_raw(settings)}", f"SELECT count() FROM {settings.reporting_database}.learner_summary",
                f"DROP TABLE {table}", f"INSERT INTO {_raw(settings)} (event_id, emission_time, event) VALUES "
                f"('{uuid.uuid4()}', now64(6), '{{}}')"):
        with pytest.raises(DatabaseError, match=DENIED):
            sink.command(sql)
