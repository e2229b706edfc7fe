"""The staging layer parses every verb family of the generated statements."""

from __future__ import annotations

import collections

from tutoraspects.clickhouse_client import connect
from tutoraspects.demo_data import generate_statements
from tutoraspects.demo_data.statements import kind_of

STAGING = {
    "stg_enrollment_events": {"enrollment_activated", "enrollment_deactivated", "enrollment_mode_changed"},
    "stg_navigation_events": {"nav_tab", "nav_next", "nav_previous", "nav_outline"},
    "stg_video_events": {"video_loaded", "video_played", "video_paused", "video_stopped", "video_completed", "video_seeked"},
    "stg_problem_events": {"problem_check_server", "problem_check_browser", "problem_submitted",
                           "problem_check_multi", "problem_check_question"},
    "stg_grade_events": {"subsection_grade", "course_grade", "course_passed", "course_failed"},
    "stg_forum_events": {"forum_thread_created", "forum_response_created"},
    "stg_completion_events": {"block_completion"},
}


def test_every_statement_lands_in_its_staging_table_once(demo, demo_spec):
    kinds = collections.Counter(kind_of(s) for s in generate_statements(demo_spec))
    client = connect(demo)
    for table, table_kinds in STAGING.items():
        expected = sum(kinds[k] for k in table_kinds)
        got = client.command(f"SELECT count() FROM reporting.{table} FINAL")
        assert got == expected, table
    assert sum(kinds.values()) == sum(
        sum(kinds[k] for k in table_kinds) for table_kinds in STAGING.values()
    ), "a kind of statement has no staging table"


def test_staging_rows_have_course_org_and_actor(demo):
    client = connect(demo)
    for table in STAGING:
        bad = client.command(
            f"SELECT count() FROM reporting.{table} WHERE course_key = '' OR org = '' OR actor_id = '' "
            "OR NOT match(course_key, '^course-v1:[^+]+[+][^+]+[+][^+]+$')"
        )
        assert bad == 0, table


def test_every_answer_to_a_question_lands_in_the_responses_table(demo, demo_spec):
    """stg_problem_responses: a one-question problem's evaluated statement, and each question's child
    statement of a multi-question problem (not their GroupActivity parent), with the answer given."""
    kinds = collections.Counter(kind_of(s) for s in generate_statements(demo_spec))
    client = connect(demo)
    assert client.command("SELECT count() FROM reporting.stg_problem_responses FINAL") == \
        kinds["problem_check_server"] + kinds["problem_check_question"]
    assert client.command("SELECT countIf(response = '' OR problem_id = '') FROM reporting.stg_problem_responses") == 0
