"""Deterministic synthetic Open edX activity for demos, tests and benchmarks.

The same :class:`DemoSpec` (with its ``end`` day given) always gives
byte-identical output; ``end`` defaults to yesterday, so a fresh demo is recent:

- :func:`generate_sink_rows`: the platform the statements describe (course
  overviews and blocks, enrollments, user profiles, external ids) as plain
  rows of Python values, the tests' reference; ``platform.platform_state``
  gives the same platform in the form the event sink (platform-plugin-aspects)
  dumps;
- :func:`generate_statements`: the xAPI statements event-routing-backends
  9.3.x would send for the same courses and learners, streamed learner by
  learner (each learner's statements in chronological order);
- :func:`estimate_statement_count`: about how many statements that is.

Learners enroll (some upgrade, some unenroll), navigate units, watch videos,
answer problems, earn subsection and course grades, pass or fail, post in
the forum, and some stop engaging early (the at-risk group: enrolled, no
visit in the last 7+ days before ``end``, not passed, some earlier activity).
"""

from __future__ import annotations

from .course_structure import build_courses, course_block_rows, course_overview_rows
from .learners import build_learners, enrollment_rows, external_id_rows, user_profile_rows
from .simulation import estimate_statement_count, generate_statements
from .spec import LMS_URL, DemoSpec



def generate_sink_rows(spec: DemoSpec) -> dict[str, list[dict]]:
    """Event-sink rows keyed by table name; each row has exactly the table's columns.

    Values are Python types clickhouse-connect inserts as they are: str, int,
    float, bool, uuid.UUID, timezone-aware UTC datetimes, None for NULL.
    """
    courses = build_courses(spec)
    learners = build_learners(spec, courses)
    return {
        "course_overviews": course_overview_rows(spec, courses),
        "course_blocks": course_block_rows(spec, courses),
        "course_enrollments": enrollment_rows(spec, learners),
        "user_profiles": user_profile_rows(spec, learners),
        "external_ids": external_id_rows(spec, learners),
    }


__all__ = [
    "LMS_URL",
    "DemoSpec",
    "estimate_statement_count",
    "generate_sink_rows",
    "generate_statements",
]
