"""Reference xAPI statements from the real event-routing-backends transformers.

Run with the ERB virtual environment, never the main one (ERB pulls Django and
edx-platform helpers the plugin does not need). Create it with:

    python3 -m venv .venvs/erb
    .venvs/erb/bin/pip install "edx-event-routing-backends==9.3.*"

(about 55 s; it brings Django 5.2, tincan, edx-opaque-keys, event-tracking,
openedx-filters; nothing else is needed). Then:

    echo '{...}' | .venvs/erb/bin/python tests/reference/erb_reference.py

stdin is one JSON object with the values to put in the tracking-log events
(see ``tests/test_demo_data.py::_reference_input``):

    {"lms_url", "course_key", "course_name", "org", "user_id", "username",
     "external_user_id", "session", "timestamp", "mode", "chapter",
     "sequential", "sequential_name", "vertical", "html", "video",
     "video_duration", "problem", "problem_name", "tab_count"}

stdout is a JSON object {kind: statement}: for every kind of tracking-log
event the demo data generator emits, the statement the LMS would send.
The kinds are the keys of ``tutoraspects.demo_data.statements.KINDS``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# Django set up and the transformers registered by erb.py.
from erb import XApiTransformersRegistry, use_lms  # noqa: E402


def tracking_events(v: dict) -> dict[str, dict]:
    """One tracking-log event (as event-tracking hands it to ERB) per kind."""
    course, lms, ts = v["course_key"], v["lms_url"], v["timestamp"]
    seq, vert, video, problem = v["sequential"], v["vertical"], v["video"], v["problem"]
    problem_hex = problem.rsplit("@", 1)[1]
    video_hex = video.rsplit("@", 1)[1]
    courseware = f"{lms}/courses/{course}/courseware/{v['chapter'].rsplit('@', 1)[1]}/{seq.rsplit('@', 1)[1]}/"

    def server(name, data, path="/event", **extra_context):
        return {
            "name": name,
            "timestamp": ts,
            "event_source": "server",
            "username": v["username"],
            "session": v["session"],
            "referer": courseware,
            "context": {
                "course_id": course,
                "org_id": v["org"],
                "user_id": v["user_id"],
                "path": path,
                **extra_context,
            },
            "data": data,
        }

    def browser(name, data):
        return {
            "name": name,
            "timestamp": ts,
            "event_source": "browser",
            "username": v["username"],
            "session": v["session"],
            "referer": courseware,
            "page": courseware,
            "context": {
                "course_id": course,
                "org_id": v["org"],
                "user_id": v["user_id"],
                "path": "/event",
                "event_source": "browser",
            },
            "data": data,
        }

    def problem_check(questions, attempts):
        """The server's problem_check (edx-platform capa): one input per (question, answer, correct)."""
        inputs = [f"{problem_hex}_{n}_1" for n in range(2, len(questions) + 2)]
        grade = sum(correct for _, _, correct in questions)
        return server(
            "problem_check",
            {
                "problem_id": problem,
                "state": {"seed": 1, "done": True},
                "answers": {key: f"choice_{n}" for n, key in enumerate(inputs)},
                "grade": grade,
                "max_grade": len(questions),
                "correct_map": {key: {"correctness": "correct" if q[2] else "incorrect"}
                                for key, q in zip(inputs, questions)},
                "success": "correct" if grade == len(questions) else "incorrect",
                "attempts": attempts,
                "submission": {
                    key: {"question": question, "answer": answer, "response_type": "multiplechoiceresponse",
                          "input_type": "choicegroup", "correct": correct, "variant": "", "group_label": ""}
                    for key, (question, answer, correct) in zip(inputs, questions)
                },
            },
            module={"display_name": v["problem_name"], "usage_key": problem},
            **grade_ctx,
        )

    enroll = {"course_id": course, "user_id": v["user_id"], "mode": v["mode"]}
    # As the Learning MFE builds them (frontend-app-learning Sequence.jsx, logEvent): `id` is the unit the
    # learner is ON and `current_tab` its 1-based position; only tab clicks name a target_tab.
    mfe_nav = {"current_tab": 1, "id": vert, "tab_count": v["tab_count"], "widget_placement": "top"}
    video_data = {"id": video_hex, "code": "html5", "duration": v["video_duration"]}
    grade_ctx = {"path": "/courses/{}/xblock/{}/handler/xmodule_handler/problem_check".format(course, problem)}
    thread_id = "6a3b0cd4e5f6a7b8c9d0e1f2"
    response_id = "6a3b0cd4e5f6a7b8c9d0e1f3"
    return {
        "enrollment_activated": server("edx.course.enrollment.activated", enroll),
        "enrollment_deactivated": server("edx.course.enrollment.deactivated", enroll),
        "nav_tab": browser("edx.ui.lms.sequence.tab_selected", {**mfe_nav, "target_tab": 2}),
        "nav_next": browser("edx.ui.lms.sequence.next_selected", mfe_nav),
        "nav_previous": browser("edx.ui.lms.sequence.previous_selected", {**mfe_nav, "current_tab": 2}),
        "nav_outline": browser(
            "edx.ui.lms.outline.selected",
            {
                "current_url": f"{lms}/courses/{course}/course/",
                "target_name": v["sequential_name"],
                "target_url": f"{lms}/courses/{course}/jump_to/{seq}",
                "widget_placement": "accordion",
            },
        ),
        "video_loaded": browser("load_video", video_data),
        "video_played": browser("play_video", {**video_data, "currentTime": 12.5}),
        "video_paused": browser("pause_video", {**video_data, "currentTime": 40.25}),
        "video_seeked": browser("seek_video", {**video_data, "old_time": 40.25, "new_time": 20.0, "type": "onSlideSeek"}),
        "video_stopped": browser("stop_video", {**video_data, "currentTime": v["video_duration"]}),
        "video_completed": browser("complete_video", {**video_data, "currentTime": v["video_duration"]}),
        "problem_check_browser": browser("problem_check", f"input_{problem_hex}_2_1=choice_1"),
        "problem_check_server": problem_check([("Which of these is a prime number?", "7", True)], attempts=1),
        # A problem with two questions: one parent statement plus one per question.
        "problem_check_multi": problem_check(
            [("Which of these is a prime number?", "7", True), ("And which is even?", "9", False)], attempts=2),
        # edx-platform grades/events.py, with each answer (the grades app's own context)
        "problem_submitted": server(
            "edx.grades.problem.submitted",
            {
                "user_id": v["user_id"],
                "course_id": course,
                "problem_id": problem,
                "event_transaction_id": "9d0c8b8e-3a8c-4a3e-9f2d-0f3c1b2a4d5e",
                "event_transaction_type": "edx.grades.problem.submitted",
                "weighted_earned": 1,
                "weighted_possible": 1,
            },
            **grade_ctx,
        ),
        "subsection_grade": server(
            "edx.grades.subsection.grade_calculated",
            {
                "user_id": v["user_id"],
                "course_id": course,
                "block_id": seq,
                "course_version": "6a3b0cd4e5f6a7b8c9d0e1f4",
                "weighted_total_earned": 2.0,
                "weighted_total_possible": 3.0,
                "weighted_graded_earned": 2.0,
                "weighted_graded_possible": 3.0,
                "first_attempted": ts,
                "subtree_edited_timestamp": ts,
                "event_transaction_id": "9d0c8b8e-3a8c-4a3e-9f2d-0f3c1b2a4d5e",
                "event_transaction_type": "edx.grades.problem.submitted",
                "visible_blocks_hash": "hash",
            },
        ),
        "course_grade": server(
            "edx.grades.course.grade_calculated",
            {
                "user_id": v["user_id"],
                "course_id": course,
                "course_version": "6a3b0cd4e5f6a7b8c9d0e1f4",
                "percent_grade": 0.62,
                "letter_grade": "Pass",
                "course_edited_timestamp": ts,
                "event_transaction_id": "9d0c8b8e-3a8c-4a3e-9f2d-0f3c1b2a4d5e",
                "event_transaction_type": "edx.grades.problem.submitted",
                "grading_policy_hash": "hash",
            },
        ),
        "course_passed": server(
            "edx.course.grade.passed.first_time", {"user_id": v["user_id"], "course_id": course}
        ),
        "course_failed": server(
            "edx.course.grade.now_failed", {"user_id": v["user_id"], "course_id": course}
        ),
        # The discussions MFE posts through the discussion REST API: ERB builds the
        # object id from the request path and the new post's id.
        "forum_thread_created": server(
            "edx.forum.thread.created",
            {
                "id": thread_id,
                "title": "Question about the first assignment",
                "title_truncated": False,
                "body": "How is it graded?",
                "thread_type": "question",
                "anonymous": False,
                "anonymous_to_peers": False,
                "commentable_id": "course",
                "category_id": "course",
                "category_name": "General",
                "options": {"followed": True},
                "group_id": None,
                "user_forums_roles": ["Student"],
                "user_course_roles": [],
                "truncated": False,
                "url": f"{lms}/courses/{course}/discussion/forum/course/threads/{thread_id}",
            },
            path="/api/discussion/v1/threads/",
        ),
        "forum_response_created": server(
            "edx.forum.response.created",
            {
                "id": response_id,
                "body": "It counts for 20% of the grade.",
                "discussion": {"id": thread_id},
                "commentable_id": "course",
                "category_id": "course",
                "category_name": "General",
                "options": {"followed": False},
                "user_forums_roles": ["Student"],
                "user_course_roles": [],
                "truncated": False,
                "url": f"{lms}/courses/{course}/discussion/forum/course/threads/{thread_id}",
            },
            path="/api/discussion/v1/comments/",
        ),
        "block_completion": server(
            "edx.completion.block_completion.changed",
            {"user_id": v["user_id"], "course_id": course, "block_id": v["html"], "block_type": "html", "completion": 1.0},
        ),
    }


def main() -> None:
    values = json.load(sys.stdin)

    def anonymous_user_id(username_or_id, external_type):
        assert external_type == "XAPI"
        return values["external_user_id"]

    def course_from_id(course_id):
        return {"display_name": values["course_name"], "id": course_id}

    use_lms(values["lms_url"], anonymous_user_id, course_from_id)
    out = {}
    for kind, event in tracking_events(values).items():
        statement = XApiTransformersRegistry.get_transformer(event).transform()
        if isinstance(statement, list):  # multi-question problem_check: parent + children
            out[kind] = [json.loads(s.to_json()) for s in statement]
        else:
            out[kind] = json.loads(statement.to_json())
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
