"""The demo platform as the LMS and Studio hold it, for the real event sink.

platform_state() describes the same courses, learners and enrollments as the
statements, in the form the platform-plugin-aspects runner
(tutoraspects/event_sink/plugin_runner.py) turns into stand-in Django models
and block trees before the plugin's own sinks dump them to ClickHouse.
"""

from __future__ import annotations

import datetime

from .course_structure import Block, Course, build_courses
from .learners import Learner, build_learners
from .spec import UTC, DemoSpec


def platform_state(spec: DemoSpec) -> dict:
    """{"courses": [...], "users": [...], "enrollments": [...]}: JSON-ready (dates as ISO strings)."""
    courses = build_courses(spec)
    learners = build_learners(spec, courses)
    return {
        "courses": [course_state(course) for course in courses],
        "users": [_user(learner) for learner in learners],
        "enrollments": [
            {"id": e.id, "user_id": learner.user_id, "course_key": e.course.key, "created": _iso(e.created),
             "is_active": e.is_active, "mode": e.mode}
            for learner in learners for e in learner.enrollments
        ],
    }


def course_state(course: Course) -> dict:
    return {
        "course_key": course.key,
        "org": course.org,
        "display_name": course.display_name,
        "start": _iso(course.course_start),
        "end": _iso(course.course_end),
        "enrollment_start": _iso(course.course_start - datetime.timedelta(days=30)),
        "enrollment_end": None,
        "self_paced": course.self_paced,
        "lowest_passing_grade": course.lowest_passing_grade,
        "created": _iso(course.created),
        "modified": _iso(course.created),
        "blocks": [_block(section, course) for section in course.root.children],
    }


def _block(block: Block, course: Course) -> dict:
    return {
        "location": block.location,
        "block_type": block.block_type,
        "display_name": block.display_name,
        "graded": block.graded,
        "edited_on": _iso(course.created),
        # Studio's start/end times are rarely set: the length comes from the statements
        "start_time": None,
        "end_time": None,
        "children": [_block(child, course) for child in block.children],
    }


def _user(learner: Learner) -> dict:
    return {
        "id": learner.user_id,
        "username": learner.username,
        "email": learner.email,
        "name": learner.name,
        "year_of_birth": learner.year_of_birth,
        "gender": learner.gender,
        "level_of_education": learner.level_of_education,
        "country": learner.country,
        "external_user_id": learner.external_id,
    }


def _iso(value: datetime.datetime | None) -> str | None:
    return value.astimezone(UTC).replace(microsecond=0).isoformat() if value else None
