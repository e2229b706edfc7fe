"""xAPI statements shaped exactly as event-routing-backends 9.3.x emits them.

One small builder per verb family. The shapes are checked field by field
against the real transformers by tests/test_demo_data.py (through
tests/reference/erb_reference.py). Nested dicts that never change (verbs,
the course activity, a video's object) are shared between statements: treat
statements as read-only and serialize them (json.dumps) rather than edit them.
"""

from __future__ import annotations

import datetime
import random

from .course_structure import Block, Course, interaction_type
from .spec import LMS_URL

ERB_VERSION = "event-routing-backends@9.3.8"
XAPI_VERSION = "1.0.3"

# Which tracking-log event each kind of statement comes from.
KINDS = {
    "enrollment_activated": "edx.course.enrollment.activated (also .mode_changed: same shape)",
    "enrollment_deactivated": "edx.course.enrollment.deactivated",
    "nav_tab": "edx.ui.lms.sequence.tab_selected",
    "nav_next": "edx.ui.lms.sequence.next_selected",
    "nav_previous": "edx.ui.lms.sequence.previous_selected",
    "nav_outline": "edx.ui.lms.outline.selected",
    "video_loaded": "load_video (edx.video.loaded)",
    "video_played": "play_video (edx.video.played)",
    "video_paused": "pause_video (edx.video.paused)",
    "video_seeked": "seek_video (edx.video.position.changed)",
    "video_stopped": "stop_video (edx.video.stopped)",
    "video_completed": "complete_video (edx.video.completed)",
    "problem_check_browser": "problem_check, event_source browser",
    "problem_check_server": "problem_check, event_source server",
    "problem_check_multi": "problem_check, event_source server, several questions: the parent statement",
    "problem_check_question": "problem_check, event_source server, several questions: one per question",
    "problem_submitted": "edx.grades.problem.submitted",
    "subsection_grade": "edx.grades.subsection.grade_calculated",
    "course_grade": "edx.grades.course.grade_calculated",
    "course_passed": "edx.course.grade.passed.first_time",
    "course_failed": "edx.course.grade.now_failed",
    "forum_thread_created": "edx.forum.thread.created",
    "forum_response_created": "edx.forum.response.created",
    "block_completion": "edx.completion.block_completion.changed",
}

# ------------------------------------------------------------------ vocabulary


def _verb(iri: str, display: str) -> dict:
    return {"id": iri, "display": {"en": display}}


REGISTERED = _verb("http://adlnet.gov/expapi/verbs/registered", "registered")
UNREGISTERED = _verb("http://id.tincanapi.com/verb/unregistered", "unregistered")
NAVIGATED = _verb("https://w3id.org/xapi/dod-isd/verbs/navigated", "navigated")
INITIALIZED = _verb("http://adlnet.gov/expapi/verbs/initialized", "initialized")
PLAYED = _verb("https://w3id.org/xapi/video/verbs/played", "played")
PAUSED = _verb("https://w3id.org/xapi/video/verbs/paused", "paused")
SEEKED = _verb("https://w3id.org/xapi/video/verbs/seeked", "seeked")
TERMINATED = _verb("http://adlnet.gov/expapi/verbs/terminated", "terminated")
COMPLETED = _verb("http://adlnet.gov/expapi/verbs/completed", "completed")
ATTEMPTED = _verb("http://adlnet.gov/expapi/verbs/attempted", "attempted")
EVALUATED = _verb("https://w3id.org/xapi/acrossx/verbs/evaluated", "evaluated")
EARNED = _verb("http://id.tincanapi.com/verb/earned", "earned")
PASSED = _verb("http://adlnet.gov/expapi/verbs/passed", "passed")
FAILED = _verb("http://adlnet.gov/expapi/verbs/failed", "failed")
POSTED = _verb("https://w3id.org/xapi/acrossx/verbs/posted", "posted")
PROGRESSED = _verb("http://adlnet.gov/expapi/verbs/progressed", "progressed")

COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
MODULE_TYPE = "http://adlnet.gov/expapi/activities/module"
RESOURCE_TYPE = "http://id.tincanapi.com/activitytype/resource"
VIDEO_TYPE = "https://w3id.org/xapi/video/activity-type/video"
INTERACTION_TYPE = "http://adlnet.gov/expapi/activities/cmi.interaction"
QUESTION_TYPE = "http://adlnet.gov/expapi/activities/question"
DISCUSSION_TYPE = "http://id.tincanapi.com/activitytype/discussion"

EXT_VERSION = "https://w3id.org/xapi/openedx/extension/transformer-version"
EXT_SESSION = "https://w3id.org/xapi/openedx/extensions/session-id"
EXT_MODE = "https://w3id.org/xapi/acrossx/extensions/type"  # enrollment track, forum thread type
EXT_TOTAL_ITEMS = "https://w3id.org/xapi/acrossx/extensions/total-items"
EXT_STARTING_POSITION = "http://id.tincanapi.com/extension/starting-position"
EXT_ENDING_POINT = "http://id.tincanapi.com/extension/ending-point"
EXT_VIDEO_LENGTH = "https://w3id.org/xapi/video/extensions/length"
EXT_VIDEO_TIME = "https://w3id.org/xapi/video/extensions/time"
EXT_VIDEO_TIME_FROM = "https://w3id.org/xapi/video/extensions/time-from"
EXT_VIDEO_TIME_TO = "https://w3id.org/xapi/video/extensions/time-to"
EXT_ATTEMPT = "http://id.tincanapi.com/extension/attempt-id"
EXT_GRADE_CLASSIFICATION = "http://www.tincanapi.co.uk/activitytypes/grade_classification"
EXT_PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"

# --------------------------------------------------------------------- context


class StatementContext:
    """What one learner's statements in one course share: actor, course, session."""

    def __init__(self, rng: random.Random, external_id: str, course: Course):
        self.rng = rng
        self.course = course
        self.actor = {"objectType": "Agent", "account": {"homePage": LMS_URL, "name": external_id}}
        course_iri = f"{LMS_URL}/course/{course.key}"
        # The course as a statement's object (enrollment, passed/failed) and as context parent.
        self.course_object_name = {"en": course.display_name}
        self.course_iri = course_iri
        self.parent = {"parent": [{
            "id": course_iri,
            "objectType": "Activity",
            "definition": {"name": {"en-US": course.display_name}, "type": COURSE_TYPE},
        }]}
        self.course_earned_object = {
            "id": course_iri, "objectType": "Activity",
            "definition": {"name": self.course_object_name, "type": COURSE_TYPE},
        }
        self.course_outcome_object = {
            "id": course_iri, "objectType": "Activity",
            "definition": {"extensions": {}, "name": self.course_object_name, "type": COURSE_TYPE},
        }
        self._objects: dict[tuple[str, str], dict] = {}
        self.session = ""
        self.extensions: dict = {}
        self.new_session()

    def new_session(self) -> None:
        self.session = f"{self.rng.getrandbits(128):032x}"
        self.extensions = {EXT_VERSION: ERB_VERSION, EXT_SESSION: self.session}

    def new_id(self) -> str:
        h = f"{self.rng.getrandbits(128):032x}"
        # A version 4 / RFC 4122 variant UUID built from the seeded generator.
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"

    def block_object(self, block: Block, activity_type: str) -> dict:
        """The read-only object of a block (cached: the same dict for every statement)."""
        key = (block.location, activity_type)
        obj = self._objects.get(key)
        if obj is None:
            definition = {"type": activity_type}
            if activity_type == INTERACTION_TYPE:  # browser problem_check: no result, no response type
                definition["interactionType"] = "other"
            obj = self._objects[key] = {
                "id": f"{LMS_URL}/xblock/{block.location}", "objectType": "Activity", "definition": definition,
            }
        return obj

    def statement(self, ts: datetime.datetime, verb: dict, obj: dict, context: dict, result: dict | None = None) -> dict:
        stmt = {
            "id": self.new_id(),
            "actor": self.actor,
            "verb": verb,
            "object": obj,
            "context": context,
            "timestamp": ts.isoformat(timespec="microseconds"),
            "version": XAPI_VERSION,
        }
        if result is not None:
            stmt["result"] = result
        return stmt

    def course_context(self, extensions: dict | None = None) -> dict:
        return {"contextActivities": self.parent, "extensions": extensions or self.extensions}


# -------------------------------------------------------------------- builders


def enrollment(ctx: StatementContext, ts, mode: str, active: bool = True) -> dict:
    """registered (enrollment activated or mode changed) / unregistered; no context activities."""
    obj = {
        "id": ctx.course_iri, "objectType": "Activity",
        "definition": {"extensions": {EXT_MODE: mode}, "name": ctx.course_object_name, "type": COURSE_TYPE},
    }
    return ctx.statement(ts, REGISTERED if active else UNREGISTERED, obj, {"extensions": ctx.extensions})


def course_outcome(ctx: StatementContext, ts, passed: bool) -> dict:
    """passed / failed: the course as object, no score and no context activities."""
    return ctx.statement(ts, PASSED if passed else FAILED, ctx.course_outcome_object, {"extensions": ctx.extensions})


def navigate_tab(ctx: StatementContext, ts, unit: Block, target: int) -> dict:
    return _sequence_navigation(ctx, ts, unit, target)


def navigate_next(ctx: StatementContext, ts, unit: Block) -> dict:
    return _sequence_navigation(ctx, ts, unit, "next unit")


def navigate_previous(ctx: StatementContext, ts, unit: Block) -> dict:
    return _sequence_navigation(ctx, ts, unit, "previous unit")


def _sequence_navigation(ctx, ts, unit: Block, ending) -> dict:
    """As the Learning MFE sends it: the object is the unit the learner is ON,
    starting-position its 1-based number in its subsection, tab_count the
    subsection's units; ending-point the destination's number or next/previous."""
    obj = {
        "id": f"{LMS_URL}/xblock/{unit.location}", "objectType": "Activity",
        "definition": {"extensions": {EXT_TOTAL_ITEMS: len(unit.parent.children)}, "type": RESOURCE_TYPE},
    }
    extensions = {**ctx.extensions, EXT_STARTING_POSITION: unit.unit_number, EXT_ENDING_POINT: ending}
    return ctx.statement(ts, NAVIGATED, obj, ctx.course_context(extensions))


def navigate_outline(ctx: StatementContext, ts, subsection: Block) -> dict:
    """A click on a subsection in the course outline: the object id is the link target."""
    obj = {
        "id": f"{LMS_URL}/courses/{ctx.course.key}/jump_to/{subsection.location}", "objectType": "Activity",
        "definition": {"name": {"en": subsection.display_name}, "type": MODULE_TYPE},
    }
    return ctx.statement(ts, NAVIGATED, obj, ctx.course_context())


def video(ctx: StatementContext, ts, verb: dict, block: Block, time: float | None = None) -> dict:
    """initialized (no result), played/paused/terminated (time), completed (time = length)."""
    length = block.duration_seconds
    extensions = {**ctx.extensions, EXT_VIDEO_LENGTH: length}
    if verb is INITIALIZED:
        result = None
    elif verb is COMPLETED:
        result = {"completion": True, "duration": _iso_duration(length), "extensions": {EXT_VIDEO_TIME: length}}
    else:
        result = {"extensions": {EXT_VIDEO_TIME: round(time, 3)}}
    return ctx.statement(ts, verb, ctx.block_object(block, VIDEO_TYPE), ctx.course_context(extensions), result)


def video_seek(ctx: StatementContext, ts, block: Block, time_from: float, time_to: float) -> dict:
    extensions = {**ctx.extensions, EXT_VIDEO_LENGTH: block.duration_seconds}
    result = {"extensions": {EXT_VIDEO_TIME_FROM: round(time_from, 3), EXT_VIDEO_TIME_TO: round(time_to, 3)}}
    return ctx.statement(ts, SEEKED, ctx.block_object(block, VIDEO_TYPE), ctx.course_context(extensions), result)


def _iso_duration(seconds: float) -> str:
    """ISO 8601 duration as tincan writes result.duration (e.g. PT05M12.5S, PT01H00M00S)."""
    minutes, sec = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    days, hours = divmod(hours, 24)
    sec = round(sec, 6)
    text = f"{days}DT" if days else "T"
    if days or hours:
        text += f"{hours:02}H"
    if days or hours or minutes:
        text += f"{minutes:02}M"
    text += f"{int(sec):02}S" if sec == int(sec) else ("%09.6f" % sec).rstrip("0") + "S"
    return "P" + text


def problem_attempted(ctx: StatementContext, ts, problem: Block) -> dict:
    """Browser problem_check: attempted, no result (the server statement carries it)."""
    return ctx.statement(ts, ATTEMPTED, ctx.block_object(problem, INTERACTION_TYPE), ctx.course_context())


def problem_submitted(ctx: StatementContext, ts, problem: Block, grade: int) -> dict:
    """edx.grades.problem.submitted, sent with each answer: attempted, with the weighted score."""
    max_grade = float(problem.max_score)
    result = {
        "score": {"max": max_grade, "min": 0.0, "raw": float(grade), "scaled": grade / max_grade},
        "success": grade >= problem.max_score,
    }
    return ctx.statement(ts, ATTEMPTED, ctx.block_object(problem, QUESTION_TYPE), ctx.course_context(), result)


def problem_evaluated(ctx: StatementContext, ts, problem: Block, grade: int, attempts: int, response: str) -> dict:
    """Server problem_check: evaluated, with attempts, success and score."""
    obj = {
        "id": f"{LMS_URL}/xblock/{problem.location}", "objectType": "Activity",
        "definition": {
            "description": {"en-US": problem.question},
            "extensions": {EXT_ATTEMPT: attempts},
            "interactionType": interaction_type(problem.response_type),
            "type": INTERACTION_TYPE,
        },
    }
    max_grade = float(problem.max_score)
    result = {
        "response": response,
        "score": {"max": max_grade, "min": 0.0, "raw": float(grade), "scaled": grade / max_grade},
        "success": grade >= problem.max_score,
    }
    return ctx.statement(ts, EVALUATED, obj, ctx.course_context(), result)


def problem_evaluated_questions(ctx: StatementContext, ts, problem: Block, right: list[bool], attempts: int,
                                responses: list[str]) -> list[dict]:
    """Server problem_check on a problem with several questions: a parent statement
    (GroupActivity; its success and response are the first question's, the score the
    problem's) and one statement per question, pointing at the parent."""
    max_grade = float(problem.max_score)
    grade = float(sum(right))
    questions = problem.questions_text()
    parent_obj = {
        "id": f"{LMS_URL}/xblock/{problem.location}", "objectType": "GroupActivity",
        "definition": {
            "description": {"en-US": questions[0]},
            "extensions": {EXT_ATTEMPT: attempts},
            "interactionType": "other",
            "type": INTERACTION_TYPE,
        },
    }
    result = {
        "response": responses[0],
        "score": {"max": max_grade, "min": 0.0, "raw": grade, "scaled": grade / max_grade},
        "success": right[0],
    }
    parent = ctx.statement(ts, EVALUATED, parent_obj, ctx.course_context(), result)
    out = [parent]
    for number, (text, ok, response) in enumerate(zip(questions, right, responses), start=2):
        obj = {
            # edx-platform names question inputs <block id>_<n>_1, n from 2
            "id": f"{LMS_URL}/xblock/{problem.location}_{number}_1", "objectType": "Activity",
            "definition": {
                "description": {"en-US": text},
                "extensions": {EXT_ATTEMPT: attempts},
                "interactionType": interaction_type(problem.response_type),
                "type": INTERACTION_TYPE,
            },
        }
        context = {
            "contextActivities": {"grouping": ctx.parent["parent"], "parent": [parent_obj]},
            "extensions": ctx.extensions,
            "statement": {"id": parent["id"], "objectType": "StatementRef"},
        }
        out.append(ctx.statement(ts, EVALUATED, obj, context, {"response": response, "success": ok}))
    return out


def subsection_earned(ctx: StatementContext, ts, subsection: Block, earned: float, possible: float) -> dict:
    result = {
        "score": {"max": float(possible), "min": 0.0, "raw": float(earned), "scaled": earned / possible if possible else 0},
        "success": earned >= possible,
    }
    return ctx.statement(ts, EARNED, ctx.block_object(subsection, RESOURCE_TYPE), ctx.course_context(), result)


def course_earned(ctx: StatementContext, ts, percent: float, letter_grade: str) -> dict:
    """The course grade: the course as object, score scaled 0-1, letter grade ("Fail" when none)."""
    percent = round(percent, 2)  # edx-platform rounds percent_grade to 2 places
    result = {
        "extensions": {EXT_GRADE_CLASSIFICATION: letter_grade or "Fail"},
        "score": {"max": 1.0, "min": 0.0, "raw": percent, "scaled": percent},
    }
    return ctx.statement(ts, EARNED, ctx.course_earned_object, ctx.course_context(), result)


def forum_thread(ctx: StatementContext, ts, thread_id: str, title: str, thread_type: str) -> dict:
    obj = {
        "id": f"{LMS_URL}/api/discussion/v1/threads/{thread_id}", "objectType": "Activity",
        "definition": {"name": {"en": title}, "type": DISCUSSION_TYPE},
    }
    return ctx.statement(ts, POSTED, obj, ctx.course_context({**ctx.extensions, EXT_MODE: thread_type}))


def forum_response(ctx: StatementContext, ts, thread_id: str, response_id: str) -> dict:
    obj = {
        "id": f"{LMS_URL}/api/discussion/v1/comments/{response_id}", "objectType": "Activity",
        "definition": {"type": DISCUSSION_TYPE},
    }
    context = {
        "contextActivities": {
            "parent": ctx.parent["parent"],
            "grouping": [{
                "id": f"{LMS_URL}/api/discussion/v1/threads/{thread_id}", "objectType": "Activity",
                "definition": {"type": DISCUSSION_TYPE},
            }],
        },
        "extensions": ctx.extensions,
    }
    return ctx.statement(ts, POSTED, obj, context)


def block_progressed(ctx: StatementContext, ts, block: Block, completion: float = 1.0) -> dict:
    result = {"completion": completion == 1.0, "extensions": {EXT_PROGRESS: completion * 100}}
    return ctx.statement(ts, PROGRESSED, ctx.block_object(block, RESOURCE_TYPE), ctx.course_context(), result)


# ------------------------------------------------------------------ classifier


def kind_of(statement: dict) -> str:
    """The KINDS key of a statement, from its verb, object and extensions."""
    verb = statement["verb"]["display"]["en"]
    definition = statement["object"].get("definition", {})
    extensions = statement["context"].get("extensions", {})
    if verb == "registered":
        return "enrollment_activated"
    if verb == "unregistered":
        return "enrollment_deactivated"
    if verb == "navigated":
        if definition.get("type") == MODULE_TYPE:
            return "nav_outline"
        return {"next unit": "nav_next", "previous unit": "nav_previous"}.get(extensions.get(EXT_ENDING_POINT), "nav_tab")
    if definition.get("type") == VIDEO_TYPE:
        return "video_" + {"initialized": "loaded", "terminated": "stopped"}.get(verb, verb)
    if verb == "attempted":
        return "problem_submitted" if "result" in statement else "problem_check_browser"
    if verb == "evaluated":
        if "statement" in statement["context"]:
            return "problem_check_question"
        return "problem_check_multi" if statement["object"]["objectType"] == "GroupActivity" else "problem_check_server"
    if verb == "earned":
        return "course_grade" if definition.get("type") == COURSE_TYPE else "subsection_grade"
    if verb in ("passed", "failed"):
        return f"course_{verb}"
    if verb == "posted":
        return "forum_thread_created" if EXT_MODE in extensions else "forum_response_created"
    if verb == "progressed":
        return "block_completion"
    raise ValueError(f"unknown statement kind: verb {verb}")
