"""Schema migrations against the real server: idempotent, recorded, loud on failure."""

from __future__ import annotations

import datetime
import json
import random
import re
import shutil
import time
import uuid

import pytest

from tutoraspects import backfill, migrations
from tutoraspects.clickhouse_client import connect
from tutoraspects.init_steps import run_init
from tutoraspects.loading import bulk_insert
from tutoraspects.paths import MIGRATIONS_DIR

EXPECTED_TABLES = {
    ("xapi", "xapi_events_all"),
    ("event_sink", "course_overviews"),
    ("event_sink", "course_blocks"),
    ("event_sink", "course_enrollment"),
    ("event_sink", "user_profile"),
    ("event_sink", "external_id"),
    ("event_sink", "tag"),
    ("event_sink", "taxonomy"),
    ("event_sink", "object_tag"),
}


def _schema(client):
    rows = client.query(
        "SELECT database, name, create_table_query FROM system.tables "
        "WHERE database IN ('xapi', 'event_sink', 'reporting', 'aspects') "
        # a refreshable view's refresh builds its next table under a temporary name
        "AND NOT startsWith(name, '.tmp') ORDER BY database, name"
    ).result_rows
    return [tuple(row) for row in rows]


def test_schema_has_every_table(settings):
    tables = {(db, name) for db, name, _ in _schema(connect(settings))}
    assert EXPECTED_TABLES <= tables


def test_raw_table_is_partitioned_by_month_and_deduplicates(settings):
    client = connect(settings)
    ddl = client.command("SHOW CREATE TABLE xapi.xapi_events_all")
    assert "ReplacingMergeTree" in ddl and "PARTITION BY toYYYYMM(emission_time)" in ddl
    event_id = str(uuid.uuid4())
    row = f"('{event_id}', '2026-01-02 03:04:05.000006', '{json.dumps({'id': event_id})}')"
    for _ in range(2):  # the same statement sent twice
        client.command(f"INSERT INTO xapi.xapi_events_all (event_id, emission_time, event) VALUES {row}")
    client.command("OPTIMIZE TABLE xapi.xapi_events_all FINAL")
    assert client.command(f"SELECT count() FROM xapi.xapi_events_all WHERE event_id = '{event_id}'") == 1


def test_ralph_id_check_skips_granules_without_the_ids(settings):
    """Ralph's duplicate check (`event_id IN` an array of strings, as its ClickHouse backend sends it) is
    served by the bloom-filter index: granules that hold none of the ids are not read."""
    client = connect(settings)
    # a copy of the raw table's definition (its index included), filled with 200 k statements whose ids,
    # like the 500 looked up, are fixed: a bloom filter has false positives, and random ids would make
    # the count of granules read vary from run to run
    client.command("CREATE TABLE default.raw_index_probe AS xapi.xapi_events_all")
    try:
        client.command("INSERT INTO default.raw_index_probe (event_id, emission_time, event) SELECT "
                       "toString(reinterpretAsUUID(sipHash128(number))), "
                       "toDateTime64('2020-01-01 00:00:00', 6, 'UTC') + toIntervalSecond(number), "
                       "'{}' FROM numbers(200000)")
        rng = random.Random(14)
        ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(500)]
        plan = "\n".join(row[0] for row in client.query(
            "EXPLAIN indexes = 1 SELECT event_id, event FROM default.raw_index_probe WHERE event_id IN {ids:Array(String)}",
            parameters={"ids": ids}).result_rows)
        assert "event_id_bloom" in plan, plan
        granules = re.search(r"Granules: (\d+)/(\d+)", plan[plan.index("event_id_bloom"):])
        # 500 ids against about 25 granules at a 0.0001 false-positive rate: about 1 granule read by chance
        assert granules and int(granules.group(1)) <= int(granules.group(2)) / 5, plan
    finally:
        client.command("DROP TABLE IF EXISTS default.raw_index_probe")


def test_init_three_times_changes_nothing_after_the_first(settings):
    client = connect(settings)
    before = _schema(client)
    versions_before = client.command("SELECT count() FROM aspects.schema_versions")
    messages = []
    for _ in range(3):
        run_init(settings, echo=messages.append)
    assert _schema(client) == before
    assert client.command("SELECT count() FROM aspects.schema_versions") == versions_before
    assert messages.count("ClickHouse schema is up to date.") == 3


def test_status_lists_every_migration_as_applied(settings):
    rows = migrations.status(settings)
    assert [row.name for row in rows] == sorted(p.name for p in MIGRATIONS_DIR.glob("*.sql"))
    assert {row.state for row in rows} == {"applied"}
    assert all(row.applied_at for row in rows)


def test_failed_migration_names_version_and_server_message(settings, tmp_path):
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, folder)
    (folder / "0900_broken.sql").write_text("SELECT * FROM ${XAPI_DATABASE}.no_such_table;\n")
    (folder / "0901_after.sql").write_text("CREATE TABLE ${REPORTING_DATABASE}.never (a UInt8) ENGINE = Memory;\n")
    assert [r.state for r in migrations.status(settings, folder)][-2:] == ["pending", "pending"]
    with pytest.raises(migrations.MigrationError) as failure:
        migrations.migrate(settings, folder, echo=lambda _: None)
    message = str(failure.value)
    assert "0900_broken.sql" in message
    assert "UNKNOWN_TABLE" in message or "does not exist" in message
    client = connect(settings)
    # nothing after the failure ran, and the failure was not recorded as applied
    assert client.command("EXISTS TABLE reporting.never") == 0
    assert [r.state for r in migrations.status(settings, folder)][-2:] == ["pending", "pending"]


def test_changed_applied_migration_is_refused(settings, tmp_path):
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, folder)
    first = sorted(folder.glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited after it was applied\n")
    assert migrations.status(settings, folder)[0].state == "md5-mismatch"
    with pytest.raises(migrations.MigrationError, match="md5"):
        migrations.migrate(settings, folder, echo=lambda _: None)


def test_ttl_follows_the_setting_on_raw_and_staging_tables(settings):
    """A statement older than ASPECTS_DATA_TTL_DAYS expires from the raw table and from staging (the
    same statement, parsed); newer ones stay; applying again changes nothing; 0 keeps everything."""
    from test_backfill import forum_post

    client = connect(settings)
    staging = migrations.staging_tables(settings)
    assert set(staging) == {(settings.reporting_database, model) for model in backfill.staging_checksums()}
    course = f"course-v1:TtlOrg+T{uuid.uuid4().hex[:8]}+Run"
    now = datetime.datetime.now(datetime.timezone.utc)
    # A TTL of ten years, so that no other test's data expires.
    old, new = ({**forum_post(course), "timestamp": (now - datetime.timedelta(days=days)).isoformat()}
                for days in (3700, 1))
    bulk_insert(settings, [old, new])

    def stored(table: str) -> int:
        return client.command(f"SELECT count() FROM {table} WHERE event_id IN ({{ids:Array(UUID)}})",
                              parameters={"ids": [old["id"], new["id"]]})

    def engines() -> list[str]:
        return [client.command("SELECT engine_full FROM system.tables WHERE database = {d:String} "
                               "AND name = {t:String}", parameters={"d": d, "t": t})
                for d, t in [("xapi", "xapi_events_all"), *staging]]

    messages: list[str] = []
    ten_years = settings.with_overrides(data_ttl_days=3650)
    migrations.apply_ttl(ten_years, echo=messages.append)
    migrations.apply_ttl(ten_years, echo=messages.append)
    assert len(messages) == 1 and "reporting.stg_forum_events" in messages[0]  # the second run: nothing to do
    assert all("TTL toDateTime(emission_time) + toIntervalDay(3650)" in engine for engine in engines())
    deadline = time.monotonic() + 60
    while (stored("xapi.xapi_events_all"), stored("reporting.stg_forum_events")) != (1, 1):
        assert time.monotonic() < deadline, "the expired statement is still stored"
        time.sleep(0.5)
    migrations.apply_ttl(settings, echo=lambda _: None)  # 0 days: keep forever
    assert not any("TTL" in engine for engine in engines())


def statements(sql: str) -> list[str]:
    """The statements a migration runs, as clickhouse-migrations splits them, without their comment lines."""
    from clickhouse_migrations.migrator import Migrator

    return [code.rstrip(";") for code in ("\n".join(line for line in statement.splitlines()
                                                     if not line.lstrip().startswith("--")).strip()
                              for statement in Migrator.script_to_statements(sql, True)) if code.rstrip(";")]


def test_cluster_mode_renders_replicated_engines_on_cluster(settings):
    rendered = migrations.render(settings.with_overrides(cluster_name="analytics"))
    every_statement = [s for sql in rendered.values() for s in statements(sql)]
    ddl = [s for s in every_statement if s.startswith(("CREATE", "ALTER", "RENAME"))]
    assert ddl and all("ON CLUSTER 'analytics'" in s for s in ddl)
    engines = [s for s in ddl if "ENGINE" in s]
    assert engines and all(re.search(r"ENGINE = Replicated\w*MergeTree", s) for s in engines
                           if "ENGINE = Distributed" not in s)
    # the one Distributed table is the raw table, over the Replicated one 0002 made, renamed
    (distributed,) = [s for s in engines if "ENGINE = Distributed" in s]
    assert distributed.startswith("CREATE TABLE IF NOT EXISTS xapi.xapi_events_all ON CLUSTER 'analytics'\n"
                                  "AS xapi.xapi_events_all_local\n"
                                  "ENGINE = Distributed('analytics', 'xapi', 'xapi_events_all_local', cityHash64(")
    assert statements(rendered["0010_raw_distributed.sql"])[0] == \
        "RENAME TABLE xapi.xapi_events_all TO xapi.xapi_events_all_local ON CLUSTER 'analytics'"
    single = "\n".join(s for sql in migrations.render(settings).values() for s in statements(sql))
    assert "ON CLUSTER" not in single and "Replicated" not in single and "Distributed" not in single


def test_distributed_raw_table_runs_nothing_on_one_server(settings):
    """On one server 0010 is applied (recorded) and runs no statement: the raw table is still 0002's."""
    assert statements(migrations.render(settings)["0010_raw_distributed.sql"]) == []
    assert {row.name: row.state for row in migrations.status(settings)}["0010_raw_distributed.sql"] == "applied"
    client = connect(settings)
    assert client.command("SELECT engine FROM system.tables WHERE database = 'xapi' AND name = 'xapi_events_all'") \
        == "ReplacingMergeTree"
    assert client.command("EXISTS TABLE xapi.xapi_events_all_local") == 0


def test_distributed_raw_table_shards_by_the_course_staging_parses(settings):
    """The sharding key of the Distributed raw table is the course each staging model files the statement
    under (dbt/macros/xapi.sql): a course's statements, and so each learner's in it, share a shard."""
    from test_backfill import forum_post

    rendered = migrations.render(settings.with_overrides(cluster_name="analytics"))["0010_raw_distributed.sql"]
    create = statements(rendered)[1]
    key = create[create.index("cityHash64(") + len("cityHash64("):create.rindex("))\nCOMMENT")]
    course = f"course-v1:ShardOrg+S{uuid.uuid4().hex[:8]}+Run"
    posts = [forum_post(course) for _ in range(3)]
    block_only = {**forum_post(course), "context": {}, "object": {
        "id": f"http://lms.test/xblock/block-v1:{course[len('course-v1:'):]}+type@problem+block@p1",
        "objectType": "Activity"}}
    bulk_insert(settings, [*posts, block_only])
    client = connect(settings)
    ids = [statement["id"] for statement in (*posts, block_only)]
    rows = client.query(
        f"SELECT raw.event_id, {key} AS shard_course, staged.course_key FROM xapi.xapi_events_all AS raw "
        "JOIN reporting.stg_forum_events AS staged ON staged.event_id = raw.event_id "
        "WHERE raw.event_id IN {ids:Array(UUID)}", parameters={"ids": ids}).result_rows
    assert len(rows) == len(ids)
    assert {(shard_course, staged) for _, shard_course, staged in rows} == {(course, course)}


def test_event_sink_move_keeps_an_existing_install_data(settings, tmp_path):
    """0007 turns the tables of 0003 into platform-plugin-aspects's layout without losing their rows."""
    other = settings.with_overrides(meta_database="move_meta", xapi_database="move_xapi",
                                    event_sink_database="move_sink", reporting_database="move_reporting")
    folder = tmp_path / "migrations"
    folder.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if path.name < "0007":
            shutil.copy(path, folder)
    migrations.migrate(other, folder, echo=lambda _: None)
    client = connect(settings)
    dumped = "'00000000-0000-4000-8000-000000000001', '2026-01-02 03:04:05'"
    client.command("INSERT INTO move_sink.course_overviews (org, course_key, display_name, self_paced, "
                   "lowest_passing_grade, course_data_json, created, modified, dump_id, time_last_dumped) VALUES "
                   f"('O', 'course-v1:O+C+R', 'Course', true, 0.55, '', now(), now(), {dumped})")
    client.command("INSERT INTO move_sink.course_blocks (org, course_key, location, block_type, display_name, "
                   "section_number, subsection_number, unit_number, display_order, graded, edited_on, dump_id, "
                   f"time_last_dumped) VALUES ('O', 'course-v1:O+C+R', 'block-v1:O+C+R+type@vertical+block@u', "
                   f"'vertical', 'Unit', 2, 1, 3, 7, true, now(), {dumped})")
    client.command(f"INSERT INTO move_sink.external_ids VALUES ('actor', 'xapi', 5, 'ada', {dumped})")
    client.command(f"INSERT INTO move_sink.user_profiles (user_id, username, name, email, dump_id, time_last_dumped) "
                   f"VALUES (5, 'ada', 'Ada L', 'ada@example.com', {dumped})")
    client.command(f"INSERT INTO move_sink.course_enrollments VALUES (9, 5, 'course-v1:O+C+R', now(), true, "
                   f"'verified', {dumped})")
    shutil.copy(MIGRATIONS_DIR / "0007_event_sink_plugin_tables.sql", folder)
    assert migrations.migrate(other, folder, echo=lambda _: None) == [7]

    def one(sql):
        result = client.query(sql)
        return dict(zip(result.column_names, result.result_rows[0]))

    overview = one("SELECT * FROM move_sink.course_overviews")
    assert json.loads(overview["course_data_json"])["lowest_passing_grade"] == 0.55
    block = one("SELECT * FROM move_sink.course_blocks")
    assert json.loads(block["xblock_data_json"]) == {"block_type": "vertical", "detached": 0, "graded": 1,
                                                     "section": 2, "subsection": 1, "unit": 3}
    assert block["order"] == 7
    assert one("SELECT username FROM move_sink.course_enrollment") == {"username": "ada"}
    assert one("SELECT name, email FROM move_sink.user_profile") == {"name": "Ada L", "email": "ada@example.com"}
    assert one("SELECT external_user_id, user_id FROM move_sink.external_id") == {"external_user_id": "actor",
                                                                                   "user_id": 5}
    old = {"course_enrollments", "user_profiles", "external_ids", "course_overviews_0003", "course_blocks_0003"}
    assert not old & {row[0] for row in client.query("SHOW TABLES FROM move_sink").result_rows}
    for database in ("move_meta", "move_xapi", "move_sink", "move_reporting"):
        client.command(f"DROP DATABASE IF EXISTS {database}")
