"""The aggregates kept current on insert (dbt/models/intermediate/on_insert) give the
same marts as a full rebuild, after a random sequence of inserts, re-sent
statements and late statements.

The `stack` fixture built its models on an empty database, so every statement
here reaches the aggregates through the materialized views, one insert at a
time. The full rebuild is dbt's own (`--full-refresh`: the aggregates rebuilt
from the staging tables in one query).
"""

from __future__ import annotations

import json
import random

from tutoraspects.clickhouse_client import connect
from tutoraspects.dbt_runner import run_dbt
from tutoraspects.demo_data import DemoSpec, generate_statements
from tutoraspects.demo_data.course_structure import ORG_NAMES
from tutoraspects.loading import bulk_insert
from tutoraspects.marts import refresh_now

ORG = "IncrementalOrg"
SPEC = DemoSpec(seed=17, orgs=1, courses_per_org=2, learners=30, events_per_learner_course=30)

# What is compared, for ORG only (other tests share the stack): every aggregate, finalized, and
# the marts that read them (as_of, the refresh time, left out).
SNAPSHOTS = {
    "int_learner_activity_days": (
        "SELECT org, course_key, actor_id, activity_date, activity, uniqExactMerge(statements), "
        "uniqExactMerge(items), minMerge(first_at), maxMerge(last_at) FROM reporting.int_learner_activity_days "
        "WHERE org = {org:String} GROUP BY ALL ORDER BY ALL"),
    "int_video_lengths": (
        "SELECT org, course_key, video_id, maxMerge(video_length) FROM reporting.int_video_lengths "
        "WHERE org = {org:String} GROUP BY ALL ORDER BY ALL"),
    "int_problem_attempt_states": (
        "SELECT org, course_key, problem_id, actor_id, uniqExactIfMerge(answers), argMaxIfMerge(latest_answer), "
        "argMinIfMerge(first_answer_correct), maxMerge(ever_correct), minMerge(first_at), maxMerge(last_at) "
        "FROM reporting.int_problem_attempt_states WHERE org = {org:String} GROUP BY ALL ORDER BY ALL"),
    "int_problem_attempts": "SELECT * FROM reporting.int_problem_attempts WHERE org = {org:String} ORDER BY ALL",
    "learner_activity_daily": (
        "SELECT * EXCEPT as_of FROM reporting.learner_activity_daily WHERE org = {org:String} ORDER BY ALL"),
    "course_activity_daily": "SELECT * FROM reporting.course_activity_daily WHERE org = {org:String} ORDER BY ALL",
    "int_learner_course_state": (
        "SELECT * EXCEPT as_of FROM reporting.int_learner_course_state WHERE org = {org:String} ORDER BY ALL"),
    "institution_active_learners": (
        "SELECT * EXCEPT as_of FROM reporting.institution_active_learners WHERE org = {org:String} ORDER BY ALL"),
}


def statements_of_our_org() -> list[dict]:
    """The demo generator's statements for one org, renamed so no other test's data mixes in."""
    text = json.dumps(list(generate_statements(SPEC)))
    return json.loads(text.replace(f":{ORG_NAMES[0]}+", f":{ORG}+"))


def random_sequence(statements: list[dict], rng: random.Random) -> list[list[dict]]:
    """Insert batches: statements in random order, about a tenth sent twice (in the same batch or a later
    one), and the earliest tenth held back to arrive last (late statements)."""
    by_time = sorted(statements, key=lambda s: s["timestamp"])
    late, on_time = by_time[: len(by_time) // 10], by_time[len(by_time) // 10:]
    rng.shuffle(on_time)
    resent = rng.sample(statements, len(statements) // 10)
    stream = on_time + [dict(s) for s in resent[: len(resent) // 2]]
    rng.shuffle(stream)
    cuts = sorted(rng.sample(range(1, len(stream)), 6))
    batches = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)])]
    batches.append(late + [dict(s) for s in resent[len(resent) // 2:]])
    return batches


def snapshot(settings) -> dict[str, list[tuple]]:
    client = connect(settings)
    try:
        return {name: client.query(sql, parameters={"org": ORG}).result_rows for name, sql in SNAPSHOTS.items()}
    finally:
        client.close()


def test_incremental_aggregates_equal_a_full_rebuild(settings):
    statements = statements_of_our_org()
    batches = random_sequence(statements, random.Random(2026))
    for number, batch in enumerate(batches):
        bulk_insert(settings, batch)
        if number == len(batches) // 2:
            refresh_now(settings)  # the marts see part of the history; the rest arrives after
    refresh_now(settings)
    incremental = snapshot(settings)

    client = connect(settings)
    stored = client.command("SELECT count() FROM xapi.xapi_events_all WHERE event LIKE {p:String}",
                            parameters={"p": f"%:{ORG}+%"})
    assert stored > len(statements)  # the re-sent statements are in the raw table twice
    activity = client.command(
        "SELECT sum(n) FROM (SELECT uniqExactMerge(statements) AS n FROM reporting.int_learner_activity_days "
        "WHERE org = {org:String} GROUP BY org, course_key, actor_id, activity_date, activity)",
        parameters={"org": ORG})
    # every activity statement once: the staging tables read with FINAL (a re-sent statement merged away)
    assert activity == client.command(
        "SELECT (SELECT count() FROM reporting.stg_navigation_events FINAL WHERE org = {org:String} "
        "        AND navigation != 'other') "
        "+ (SELECT count() FROM reporting.stg_video_events FINAL WHERE org = {org:String} "
        "   AND verb IN ('played', 'completed')) "
        "+ (SELECT count() FROM reporting.stg_problem_events FINAL WHERE org = {org:String} AND is_answer) "
        "+ (SELECT count() FROM reporting.stg_forum_events FINAL WHERE org = {org:String})",
        parameters={"org": ORG}) > 0
    client.close()
    assert all(incremental.values()), {name: len(rows) for name, rows in incremental.items()}

    run_dbt(settings, ["run", "--full-refresh", "-s", "path:models/intermediate/on_insert"], echo=lambda _: None)
    refresh_now(settings)
    assert snapshot(settings) == incremental


# (actor, problem, id, time, verb, is_answer, is_question, is_multi_question, answered_correctly, score)
PROBLEM_STATEMENTS = [
    ("A", "P", "6131", "10:00:00", "attempted", 0, 0, 0, 0, None),
    ("A", "P", "6132", "10:00:01", "evaluated", 1, 0, 0, 0, 0.0),
    ("A", "P", "6133", "10:00:01", "attempted", 0, 0, 0, 0, 0.0),
    ("A", "P", "6134", "10:01:00", "attempted", 0, 0, 0, 0, None),
    ("A", "P", "6135", "10:01:01", "evaluated", 1, 0, 0, 1, 1.0),
    ("A", "P", "6136", "10:01:01", "attempted", 0, 0, 0, 1, 1.0),
    ("B", "P", "6231", "10:00:01", "evaluated", 1, 0, 0, 0, 0.0),
    ("B", "P", "6232", "10:01:01", "evaluated", 1, 0, 0, 1, 1.0),
    ("B", "P", "6233", "10:02:01", "evaluated", 1, 0, 0, 0, 0.5),
    ("C1", "P", "6331", "10:00:00", "attempted", 0, 0, 0, 0, None),
    ("R", "P", "6531", "10:00:01", "evaluated", 1, 0, 0, 1, 1.0),
    ("R", "P", "6532", "10:03:01", "evaluated", 1, 0, 0, 0, 0.25),
    ("M", "P2", "6431", "10:00:01", "evaluated", 1, 0, 1, 0, 0.5),
    ("M", "P2", "6432", "10:00:01", "evaluated", 0, 1, 0, 1, None),
    ("M", "P2", "6433", "10:00:01", "evaluated", 0, 1, 0, 0, None),
    ("M", "P2", "6434", "10:05:01", "evaluated", 1, 0, 1, 1, 1.0),
    ("M", "P2", "6435", "10:05:01", "evaluated", 0, 1, 0, 1, None),
    ("M", "P2", "6436", "10:05:01", "evaluated", 0, 1, 0, 1, None),
]


def test_problem_attempts_count_answers_and_keep_the_latest(settings):
    """One answer = one server evaluation of the problem. A is wrong then right: 2 answers, each also giving a
    browser `attempted` (not counted): correct. B is wrong, right, wrong: 3 answers, incorrect now, correct once.
    C1 has only a browser attempt: tried, 0 answers, no score. R is right first, wrong later. M answers a two-question problem twice (a parent
    statement plus one per question each time): 2 answers, right only once both questions are. The statements
    arrive in two inserts, the later ones first, one of them twice."""
    course = "course-v1:AttemptsOrg+C+R"
    rows = [[f"00000000-0000-4000-8000-{suffix}00000000", f"2026-01-01 {time}", "AttemptsOrg", course, problem, actor,
             verb, bool(answer), bool(question), bool(multi), score is not None, bool(correct), score or 0.0]
            for actor, problem, suffix, time, verb, answer, question, multi, correct, score in PROBLEM_STATEMENTS]
    columns = ["event_id", "emission_time", "org", "course_key", "problem_id", "actor_id", "verb", "is_answer",
               "is_question", "is_multi_question", "has_result", "answered_correctly", "score_scaled"]
    client = connect(settings, "admin")
    client.insert("reporting.stg_problem_events", rows[8:] + rows[:1], column_names=columns)
    client.insert("reporting.stg_problem_events", rows[:8], column_names=columns)
    refresh_now(settings)
    result = client.query(
        "SELECT problem_id, actor_id, attempts, is_correct, ever_correct, first_correct, last_score_scaled "
        "FROM reporting.int_problem_attempts WHERE course_key = {c:String} ORDER BY problem_id, actor_id",
        parameters={"c": course}).result_rows
    client.close()
    assert result == [
        ("P", "A", 2, True, True, False, 1.0),
        ("P", "B", 3, False, True, False, 0.5),
        ("P", "C1", 0, False, False, False, None),
        ("P", "R", 2, False, True, True, 0.25),
        ("P2", "M", 2, True, True, False, 1.0),
    ]
