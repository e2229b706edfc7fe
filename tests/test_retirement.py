"""Retirement: `aspects retire-user` removes one learner from every table and keeps the others.

Two learners, Ann (retired) and Bob (kept), in one course of their own
(course-v1:RetireOrg+R1+Run, ids and names no other test uses), with
statements of every verb family built by the demo data's statement builders
(the event-routing-backends shapes), loaded in bulk; their platform rows go
through platform-plugin-aspects's own sinks. Times are relative to now.
"""

from __future__ import annotations

import datetime
import random
import shlex
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from tutoraspects.clickhouse_client import connect
from tutoraspects.demo_data import statements as xapi
from tutoraspects.demo_data.course_structure import Block, Course
from tutoraspects.demo_data.platform import course_state
from tutoraspects.event_sink import publish_with_plugin
from tutoraspects.loading import bulk_insert
from tutoraspects.marts import refresh_now
from tutoraspects.retirement import RetirementError, retire_user
from conftest_render import load_aspects_plugin

NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
NS = uuid.UUID("0b7e2a51-53c4-4a8e-9f0e-5d0c1e6a7b11")
ORG, NUMBER, RUN = "RetireOrg", "R1", "Run"
COURSE_KEY = f"course-v1:{ORG}+{NUMBER}+{RUN}"
ANN = {"id": 9_700_001, "username": "retiree_ann_x", "actor": str(uuid.uuid5(NS, "ann"))}
BOB = {"id": 9_700_002, "username": "keeper_bob_x", "actor": str(uuid.uuid5(NS, "bob"))}
STAGING = {f"reporting.stg_{family}_events"
           for family in ("enrollment", "navigation", "video", "problem", "grade", "forum", "completion")}
QUIET = lambda _: None  # noqa: E731
BIN = Path(sys.executable).parent


def build_course() -> Course:
    """One section, one subsection, two units: a video in the first, a problem in the second."""
    prefix = f"block-v1:{ORG}+{NUMBER}+{RUN}+type@"
    root = Block(f"{prefix}course+block@course", "course", "Retirement course", None)

    def add(block_type: str, name: str, parent: Block, **fields) -> Block:
        block = Block(f"{prefix}{block_type}+block@{uuid.uuid5(NS, name).hex}", block_type, name, parent,
                      section_number=1, subsection_number=1, **fields)
        parent.children.append(block)
        return block

    section = add("chapter", "Section", root)
    subsection = add("sequential", "Lesson", section)
    units = [add("vertical", f"Unit {n}", subsection, unit_number=n) for n in (1, 2)]
    add("video", "Video", units[0], unit_number=1, duration_seconds=60.0)
    add("problem", "Problem", units[1], unit_number=2, max_score=1, response_type="multiplechoiceresponse",
        question="Two and two?")
    blocks = [root, section, subsection, units[0], *units[0].children, units[1], *units[1].children]
    for order, block in enumerate(blocks):
        block.display_order = order
    return Course(org=ORG, number=NUMBER, run=RUN, key=COURSE_KEY, display_name="Retirement course",
                  lowest_passing_grade=0.5, self_paced=True, created=NOW - datetime.timedelta(days=90),
                  course_start=NOW - datetime.timedelta(days=60), course_end=NOW + datetime.timedelta(days=60),
                  root=root, blocks=blocks, units=units, graded_subsections=[])


def learner_statements(course: Course, learner: dict) -> list[dict]:
    """A statement of every staging family: enrollment, navigation, video, problem, grade, forum, completion."""
    ctx = xapi.StatementContext(random.Random(learner["actor"]), learner["actor"], course)
    video, problem = course.units[0].children[0], course.units[1].children[0]
    at = iter(NOW - datetime.timedelta(days=10, minutes=-minute) for minute in range(100))
    return [
        xapi.enrollment(ctx, next(at), "verified"),
        xapi.navigate_tab(ctx, next(at), course.units[0], 2),
        xapi.video(ctx, next(at), xapi.PLAYED, video, 0.0),
        xapi.video(ctx, next(at), xapi.COMPLETED, video),
        xapi.problem_evaluated(ctx, next(at), problem, grade=1, attempts=1, response="4"),
        xapi.course_earned(ctx, next(at), 0.8, "Pass"),
        xapi.forum_thread(ctx, next(at), uuid.uuid5(NS, learner["actor"]).hex, "Hello", "discussion"),
        xapi.block_progressed(ctx, next(at), course.units[0]),
    ]


def platform(course: Course) -> dict:
    return {
        "courses": [course_state(course)],
        "users": [{"id": x["id"], "username": x["username"], "email": f"{x['username']}@retire.test",
                   "name": x["username"].title(), "year_of_birth": None, "gender": "", "level_of_education": "",
                   "country": "FR", "external_user_id": x["actor"]} for x in (ANN, BOB)],
        "enrollments": [{"id": x["id"], "user_id": x["id"], "course_key": COURSE_KEY,
                         "created": (NOW - datetime.timedelta(days=10)).isoformat(), "is_active": True,
                         "mode": "verified"} for x in (ANN, BOB)],
    }


def rows_naming(settings, learner: dict) -> dict[str, int]:
    """Rows of every table of the xAPI, event-sink and reporting databases (views aside) with any value
    containing the learner's actor id or username, or equal to their user id: the raw JSON included."""
    client = connect(settings)
    databases = [settings.xapi_database, settings.event_sink_database, settings.reporting_database]
    columns = client.query(
        "SELECT c.database, c.table, groupArray(c.name) FROM system.columns AS c "
        "JOIN system.tables AS t ON t.database = c.database AND t.name = c.table "
        "WHERE c.database IN {dbs:Array(String)} AND t.engine NOT IN ('View', 'MaterializedView') "
        "AND NOT startsWith(c.table, '.tmp.') "  # a refresh's table being filled: gone when it ends
        "GROUP BY c.database, c.table", parameters={"dbs": databases}).result_rows
    found = {}
    for database, table, names in columns:
        match = " OR ".join(f"position(toString(`{name}`), {{actor:String}}) > 0 "
                            f"OR position(toString(`{name}`), {{username:String}}) > 0 "
                            f"OR toString(`{name}`) = {{user_id:String}}" for name in names)
        count = client.command(f"SELECT count() FROM `{database}`.`{table}` WHERE {match}",
                               parameters={"actor": learner["actor"], "username": learner["username"],
                                           "user_id": str(learner["id"])})
        if count:
            found[f"{database}.{table}"] = count
    return found


def enroll_in_sink(settings, user_id: int, username: str) -> None:
    """An enrollment row as the LMS sends it; user_profile and external_id rows are the PII sinks'."""
    connect(settings).command(
        "INSERT INTO event_sink.course_enrollment (id, course_key, is_active, mode, username, user_id) "
        "VALUES ({i:Int64}, {c:String}, true, 'audit', {u:String}, {i:Int64})",
        parameters={"i": user_id, "c": COURSE_KEY, "u": username})


@pytest.fixture(scope="module")
def loaded(settings):
    course = build_course()
    publish_with_plugin(settings, platform(course), echo=QUIET)
    bulk_insert(settings, [s for learner in (ANN, BOB) for s in learner_statements(course, learner)])
    refresh_now(settings)
    return settings


@pytest.fixture()
def unknown_tables(loaded):
    """Tables the retirement code has never heard of, holding both learners: a Memory table (no lightweight
    deletes) and a MergeTree with a projection (lightweight deletes refused): found by their columns."""
    client = connect(loaded)
    names = ["`reporting`.`retire_probe_memory`", "`reporting`.`retire_probe_projection`"]
    client.command(f"CREATE TABLE {names[0]} (actor_id String, note String) ENGINE = Memory")
    client.command(f"CREATE TABLE {names[1]} (username String, user_id Int64, "
                   "PROJECTION by_id (SELECT user_id, count() GROUP BY user_id)) ENGINE = MergeTree ORDER BY username")
    for learner in (ANN, BOB):
        client.command(f"INSERT INTO {names[0]} VALUES ({{a:String}}, 'probe')", parameters={"a": learner["actor"]})
        client.command(f"INSERT INTO {names[1]} VALUES ({{u:String}}, {{i:Int64}})",
                       parameters={"u": learner["username"], "i": learner["id"]})
    try:
        yield [name.replace("`", "") for name in names]
    finally:
        for name in names:
            client.command(f"DROP TABLE IF EXISTS {name}")


def test_retire_user_removes_the_learner_everywhere_and_keeps_the_other(loaded, unknown_tables):
    settings = loaded
    ann_before, bob_before = rows_naming(settings, ANN), rows_naming(settings, BOB)
    everywhere = {"xapi.xapi_events_all", *STAGING, "event_sink.course_enrollment", "event_sink.user_profile",
                  "event_sink.external_id", "reporting.int_learner_course_state", "reporting.learner_summary",
                  "reporting.learner_video_views", "reporting.learner_problem_results",
                  "reporting.course_engagement_days", *unknown_tables}
    assert everywhere <= ann_before.keys()
    assert ann_before.keys() == bob_before.keys()
    client = connect(settings)
    enrolled = f"SELECT total_enrollees FROM reporting.course_enrollment_summary WHERE course_key = '{COURSE_KEY}'"
    assert client.command(enrolled) == 2

    lines: list[str] = []
    # The username alone: the user id and actor id come from the event sink.
    summary = retire_user(settings, username=ANN["username"], echo=lines.append)

    assert summary.learner.user_ids == (ANN["id"],) and summary.learner.actor_ids == (ANN["actor"],)
    assert rows_naming(settings, ANN) == {}
    assert rows_naming(settings, BOB) == bob_before
    assert summary.removed["xapi.xapi_events_all"] == 8
    assert everywhere <= summary.removed.keys()
    assert any(line.startswith("  xapi.xapi_events_all: 8 row(s) removed") for line in lines)
    assert client.command(enrolled) == 1  # the marts were recomputed without her


def test_retire_by_actor_id_once_the_lms_removed_the_links(loaded):
    """After the LMS's own retirement (the plugin deletes user_profile and external_id rows) the user id
    alone finds no actor id: the statements stay, and the command says so; the actor id removes them."""
    settings = loaded
    learner = {"id": 9_700_003, "username": "retiree_cid_x", "actor": str(uuid.uuid5(NS, "cid"))}
    bulk_insert(settings, learner_statements(build_course(), learner))
    enroll_in_sink(settings, learner["id"], learner["username"])

    lines: list[str] = []
    summary = retire_user(settings, user_id=learner["id"], echo=lines.append)
    assert summary.learner.actor_ids == ()
    assert any("WARNING: no xAPI actor id" in line and "--actor-id" in line for line in lines)
    left = rows_naming(settings, learner)
    assert {"xapi.xapi_events_all", *STAGING} <= left.keys()
    assert not [table for table in left if table.startswith("event_sink.")]

    summary = retire_user(settings, user_id=learner["id"], actor_ids=[learner["actor"]], echo=QUIET)
    assert summary.removed["xapi.xapi_events_all"] == 8
    assert rows_naming(settings, learner) == {}


@pytest.mark.parametrize("given, message", [
    ({}, "name the learner to retire"),
    ({"user_id": 987_654_321}, "no learner with user id 987654321"),
    ({"username": "nobody_here_x"}, "no learner with username nobody_here_x"),
    ({"username": "  "}, "username is empty"),
    ({"user_id": 0}, "positive"),
    ({"actor_ids": [""]}, "actor id is empty"),
    ({"user_id": BOB["id"], "username": "nobody_here_x"}, "user id 9700002 is keeper_bob_x in the event sink, not"),
    ({"username": "twin_x"}, "names more than one learner .user ids 9700011, 9700012"),
])
def test_unclear_learner_is_refused_before_anything_is_deleted(loaded, given, message):
    for user_id in (9_700_011, 9_700_012):  # one username for two users (e.g. freed by a rename, then taken)
        enroll_in_sink(loaded, user_id, "twin_x")
    bob_before = rows_naming(loaded, BOB)
    with pytest.raises(RetirementError, match=message):
        retire_user(loaded, echo=QUIET, **given)
    assert rows_naming(loaded, BOB) == bob_before


def run_aspects(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "aspects"), *args], input=stdin, capture_output=True, text=True, timeout=300)


def test_cli_asks_first_and_explains_errors(stack, loaded):
    settings_file = str(stack.root.settings_file)
    bob_before = rows_naming(loaded, BOB)
    declined = run_aspects("--settings", settings_file, "retire-user", "--user-id", str(BOB["id"]), stdin="n\n")
    assert declined.returncode == 1 and "Aborted" in declined.stderr
    assert f"user id {BOB['id']}" in declined.stdout and BOB["actor"] in declined.stdout
    assert rows_naming(loaded, BOB) == bob_before

    nothing = run_aspects("--settings", settings_file, "retire-user", "--yes")
    assert nothing.returncode == 1 and "Traceback" not in nothing.stderr
    assert "name the learner to retire" in nothing.stderr


def test_tutor_do_command_runs_retire_user_in_the_aspects_job(stack):
    """`tutor local|k8s do aspects-retire-user`: the same command in the aspects job container, with the
    settings file that container mounts; the line it builds is a valid `aspects` command."""
    from tutor import hooks

    from tutoraspects.job_commands import retire_user_in_job

    load_aspects_plugin()
    assert retire_user_in_job in hooks.Filters.CLI_DO_COMMANDS.iterate()
    result = CliRunner().invoke(retire_user_in_job, ["--user-id", "987654321", "--actor-id", "a b", "--actor-id",
                                                     "c", "--yes"], standalone_mode=False)
    assert result.exception is None, result.output
    [(service, command)] = result.return_value
    assert service == "aspects"  # Tutor runs it in the aspects-job service
    args = shlex.split(command)
    assert args == ["aspects", "--settings", "/etc/aspects/settings.yml", "retire-user", "--user-id", "987654321",
                    "--actor-id", "a b", "--actor-id", "c", "--yes"]
    jobs = (stack.root.path / "env/local/docker-compose.jobs.yml").read_text()
    assert "aspects/apps/aspects/settings.yml:/etc/aspects/settings.yml:ro" in jobs

    args[2] = str(stack.root.settings_file)
    ran = run_aspects(*args[1:])
    assert ran.returncode == 0 and "Traceback" not in ran.stderr, ran.stderr
    assert "0 row(s) removed" in ran.stdout  # the actor ids match nothing: nothing else is touched

    declined = CliRunner().invoke(retire_user_in_job, ["--username", "someone"], input="n\n", standalone_mode=False)
    assert declined.return_value is None and "cannot be undone" in declined.output
    empty = CliRunner().invoke(retire_user_in_job, ["--yes"])
    assert empty.exit_code == 2 and "name the learner" in empty.output
