"""The demo platform as the LMS and Studio hold it, for the real event sink.

platform_state() describes the same courses, learners and enrollments as the
statements, in the form the platform-plugin-aspects runner
(tutoraspects/event_sink/plugin_runner.py) turns into stand-in Django models
and block trees before the plugin's own sinks dump them to ClickHouse.
"""

from __future__ import annotations

import datetime

from .course_structure import TAXONOMIES, Block, Course, build_courses, course_tags
from .learners import Learner, build_learners
from .spec import UTC, DemoSpec


def platform_state(spec: DemoSpec) -> dict:
    """{"taxonomies", "tags", "courses", "users", "enrollments"}: JSON-ready (dates as ISO strings)."""
    courses = build_courses(spec)
    learners = build_learners(spec, courses)
    taxonomies, tags = tag_state()
    tag_ids = {(taxonomies[tag["taxonomy"] - 1]["name"], tag["value"]): tag["id"] for tag in tags}
    return {
        "taxonomies": taxonomies,
        "tags": tags,
        "courses": [{**course_state(course), "tags": [tag_ids[pair] for pair in course_tags(course.number)]}
                    for course in courses],
        "users": [_user(learner) for learner in learners],
        "enrollments": [
            {"id": e.id, "user_id": learner.user_id, "course_key": e.course.key, "created": _iso(e.created),
             "is_active": e.is_active, "mode": e.mode}
            for learner in learners for e in learner.enrollments
        ],
    }


def tag_state() -> tuple[list[dict], list[dict]]:
    """The taxonomies and their tags (parents first), numbered from 1 as the LMS's tables number them."""
    taxonomies, tags = [], []
    for taxonomy_id, (name, tree) in enumerate(TAXONOMIES.items(), start=1):
        taxonomies.append({"id": taxonomy_id, "name": name})
        for value, children in tree.items():
            parent = len(tags) + 1
            tags.append({"id": parent, "taxonomy": taxonomy_id, "parent": None, "value": value, "external_id": ""})
            tags += [{"id": parent + offset, "taxonomy": taxonomy_id, "parent": parent, "value": child,
                      "external_id": ""} for offset, child in enumerate(children, start=1)]
    return taxonomies, tags


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
