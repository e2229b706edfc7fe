"""End to end on a hand-written story, independent of the demo data generator.

Twelve learners in one course (course-v1:E2E+Story+2026, a key no other test
uses). Their tracking-log events are written here as the Learning MFE, the
mobile apps and edx-platform emit them; the REAL event-routing-backends 9.3.8
transformers (tests/reference/erb.py, run in .venvs/erb) turn them into xAPI
statements; the statements are POSTed through the real Ralph LRS; the event
sink gets the course outline, enrollments and users from platform-plugin-aspects's
own sinks (as a Studio publish and the LMS send them); the marts are refreshed; and every figure the course, at-risk and
individual-learner dashboards show for the course is compared with numbers
worked out BY HAND from the stories below (never by re-implementing the SQL).

The course (lowest passing grade 0.55; videos: V1 100 s, V2 200 s):

    Section 1 "Getting started"
      1.1 Welcome (ungraded)     U111 text | U112 video V1 | U113 problem P1
      1.2 Homework 1 (graded)    U121 problem P2 | U122 problem P3 (two questions)
    Section 2 "Going further"
      2.1 Lectures (ungraded)    U211 video V2 | U212 text
      2.2 Final exam (graded)    U221 problem P4

Unit order in the course: U111 U112 U113 U121 U122 U211 U212 U221.

Times are relative to `NOW` (test start): "D20" = 20 days ago (minus 3 or 5
hours, plus one minute per event), so "no visit in the last 7 days" never depends on
the calendar.

| learner | track | story (one line) |
| --- | --- | --- |
| ada | verified | D1: walks the whole course with "next" (outline click into 1.1 first), watches both videos to the end, answers P1-P4 right, grade 0.9, passes, replies in the forum |
| ben | audit | D20: only plays V1 from 0 to 50 s and closes it (stop_video); D19 re-watches 0-10 s: at risk through video alone |
| cleo | audit | D20: only starts a forum thread: at risk through the forum alone |
| dan | verified | D15 legacy courseware (id = the subsection): tab 1->2 of 1.2, P2 wrong, "next" from the last unit of 1.2 into U211, grade 0.8, passes; D10 P2 right, P4 wrong, regraded 0.3, now failing: at risk, grade = the LATEST 0.3 |
| eve | verified | D9 (inactive, but passed: not at risk): tab U121->U122, P2 right, P3 half right (its parent statement still says success); grade 0.55 = the cutoff exactly: passing |
| fay | audit | D6 (inside the 7 days: not at risk) on the mobile app (edx.video.*): V2 0-100 s, pause, seek to 150, play, completed |
| gus | audit | D20: outline into 1.1, next to U112, V1 0-12 s, seek 12->60, 60-73 s, pause: at risk, stretches split segments 2 and 14 |
| hal | verified | D20: outline link to the UNIT U212, "previous" to U211, "previous" again back to U122 (last unit of 1.2); D18 unenrolls |
| ivy | audit | D15 enrolls; D14 opens a unit from a bookmark (no navigation event), clicks a link, the player loads V1 but she never plays it: not engaged, not at risk, "no grade yet" |
| jon | audit->verified | D25 upgrades; D1: "next" from U113 (last of 1.1) into U121, P1 right, grade 0.2 |
| kim | audit | D1: outline into 1.2, tab U121->U122, clicks a link (not a page visit), P3 both right, grade 0.45 |
| leo | verified | D8 (just past the 7 days): P1 wrong twice, V1 0-60 and 60-97 s (97% without a completed event), grade 0.1: at risk |

Run: .venv/bin/python -m pytest tests/test_scenario_end_to_end.py -v
"""

from __future__ import annotations

import datetime
import json
import subprocess
import uuid
from pathlib import Path

import pytest

from tutoraspects.clickhouse_client import connect
from tutoraspects.event_sink import publish_with_plugin
from tutoraspects.loading import post_statements
from tutoraspects.marts import refresh_now

REPO = Path(__file__).resolve().parent.parent
ERB_PYTHON = REPO / ".venvs" / "erb" / "bin" / "python"
ERB_SCRIPT = REPO / "tests" / "reference" / "erb.py"

LMS = "http://lms.e2e.test"
ORG, COURSE = "E2E", "course-v1:E2E+Story+2026"
COURSE_NAME = "End-to-end story"
PASSING_GRADE = 0.55
NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
# A story day starts this long before NOW's time of day, so that one day's events (an hour at most) never
# straddle midnight UTC and "D1" is one day ago whatever the hour the test runs.
OFFSET = datetime.timedelta(hours=3 if (NOW - datetime.timedelta(hours=3)).hour < 22 else 5)
NS = uuid.UUID("6f1c2c7e-2d5e-4c55-9a35-3a0e9f6a2e26")


def hexid(name: str) -> str:
    return uuid.uuid5(NS, name).hex


def key(block_type: str, name: str) -> str:
    return f"block-v1:E2E+Story+2026+type@{block_type}+block@{hexid(name)}"


# ---------------------------------------------------------------- the course
# (name, block type, display name, children); graded subsections mark all their blocks graded
OUTLINE = [
    ("C1", "chapter", "Getting started", [
        ("S11", "sequential", "Welcome", [
            ("U111", "vertical", "About this course", [("H111", "html", "Welcome text", [])]),
            ("U112", "vertical", "Intro video", [("V1", "video", "Intro video", [])]),
            ("U113", "vertical", "Warm-up", [("P1", "problem", "Warm-up question", [])]),
        ]),
        ("S12", "sequential", "Homework 1", [
            ("U121", "vertical", "Question 1", [("P2", "problem", "Prime numbers", [])]),
            ("U122", "vertical", "Question 2", [("P3", "problem", "Two questions", [])]),
        ]),
    ]),
    ("C2", "chapter", "Going further", [
        ("S21", "sequential", "Lectures", [
            ("U211", "vertical", "Lecture video", [("V2", "video", "Lecture video", [])]),
            ("U212", "vertical", "Reading", [("H212", "html", "Reading text", [])]),
        ]),
        ("S22", "sequential", "Final exam", [
            ("U221", "vertical", "Exam question", [("P4", "problem", "Exam question", [])]),
        ]),
    ]),
]
GRADED = {"S12", "S22"}
VIDEO_SECONDS = {"V1": 100.0, "V2": 200.0}

BLOCK_TYPE: dict[str, str] = {}
PARENT: dict[str, str] = {}
CHILDREN: dict[str, list[str]] = {}


def _index(nodes, parent=None):
    for name, block_type, _, children in nodes:
        BLOCK_TYPE[name] = block_type
        if parent:
            PARENT[name] = parent
        CHILDREN[name] = [child[0] for child in children]
        _index(children, name)


_index(OUTLINE)
KEY = {name: key(block_type, name) for name, block_type in BLOCK_TYPE.items()}
NAME_OF_KEY = {k: name for name, k in KEY.items()}


def unit_position(unit: str) -> tuple[int, int]:
    """(1-based position of the unit in its subsection, units in the subsection)."""
    siblings = CHILDREN[PARENT[unit]]
    return siblings.index(unit) + 1, len(siblings)


# ---------------------------------------------------------------- the learners
class Learner:
    def __init__(self, username: str, user_id: int):
        self.username, self.user_id = username, user_id
        self.actor = f"e2e-{hexid('actor ' + username)}"  # anonymous xAPI id (external_id table)
        self.events: list[dict] = []
        self.clock = NOW
        self.session = hexid("session " + username)
        self.sink_mode, self.sink_active, self.enrolled_at = "", False, None

    # -- time
    def day(self, days_ago: int) -> "Learner":
        """Next events happen `days_ago` days before NOW (OFFSET earlier, one minute apart)."""
        self.clock = NOW - datetime.timedelta(days=days_ago) - OFFSET
        return self

    def _tick(self) -> str:
        self.clock += datetime.timedelta(minutes=1)
        return self.clock.isoformat()

    # -- raw tracking-log events
    def _context(self, path="/event", **extra):
        return {"course_id": COURSE, "org_id": ORG, "user_id": self.user_id, "path": path, **extra}

    def server(self, name, data, path="/event", **context):
        self.events.append({
            "name": name, "timestamp": self._tick(), "event_source": "server", "username": self.username,
            "session": self.session, "referer": f"{LMS}/learning/course/{COURSE}/home",
            "context": self._context(path, **context), "data": data,
        })

    def browser(self, name, data, page=None, source="browser"):
        page = page or f"{LMS}/learning/course/{COURSE}/home"
        self.events.append({
            "name": name, "timestamp": self._tick(), "event_source": source, "username": self.username,
            "session": self.session, "referer": page, "page": page,
            "context": self._context(event_source=source), "data": data,
        })

    # -- enrollment
    def enroll(self, mode: str):
        self.server("edx.course.enrollment.activated", {"course_id": COURSE, "user_id": self.user_id, "mode": mode})
        self.sink_mode, self.sink_active = mode, True
        self.enrolled_at = self.enrolled_at or self.clock

    def change_mode(self, mode: str):
        self.server("edx.course.enrollment.mode_changed", {"course_id": COURSE, "user_id": self.user_id, "mode": mode})
        self.sink_mode = mode

    def unenroll(self):
        self.server("edx.course.enrollment.deactivated",
                    {"course_id": COURSE, "user_id": self.user_id, "mode": self.sink_mode})
        self.sink_active = False

    # -- Learning MFE navigation (frontend-app-learning Sequence.jsx): id = the unit the learner is ON
    def _sequence(self, name, on_unit, extra=None):
        current, count = unit_position(on_unit)
        data = {"current_tab": current, "id": KEY[on_unit], "tab_count": count, "widget_placement": "top", **(extra or {})}
        self.browser(name, data, page=f"{LMS}/learning/course/{COURSE}/{KEY[PARENT[on_unit]]}/{KEY[on_unit]}")

    def next(self, on_unit):
        self._sequence("edx.ui.lms.sequence.next_selected", on_unit)

    def previous(self, on_unit):
        self._sequence("edx.ui.lms.sequence.previous_selected", on_unit)

    def tab(self, on_unit, target_tab):
        self._sequence("edx.ui.lms.sequence.tab_selected", on_unit, {"target_tab": target_tab})

    def legacy_tab(self, subsection, current_tab, target_tab):
        """The legacy courseware's sequence tabs: `id` is the SUBSECTION."""
        data = {"current_tab": current_tab, "id": KEY[subsection], "tab_count": len(CHILDREN[subsection]),
                "target_tab": target_tab, "widget_placement": "top"}
        chapter = PARENT[subsection]
        self.browser("edx.ui.lms.sequence.tab_selected", data,
                     page=f"{LMS}/courses/{COURSE}/courseware/{hexid(chapter)}/{hexid(subsection)}/")

    def legacy_next(self, subsection, current_tab):
        chapter = PARENT[subsection]
        self.browser("edx.ui.lms.sequence.next_selected",
                     {"current_tab": current_tab, "id": KEY[subsection], "tab_count": len(CHILDREN[subsection]),
                      "widget_placement": "top"},
                     page=f"{LMS}/courses/{COURSE}/courseware/{hexid(chapter)}/{hexid(subsection)}/")

    def outline(self, subsection):
        self.browser("edx.ui.lms.outline.selected", {
            "current_url": f"{LMS}/courses/{COURSE}/course/",
            "target_name": dict((n, d) for n, _, d, _ in _walk(OUTLINE))[subsection],
            "target_url": f"{LMS}/courses/{COURSE}/jump_to/{KEY[subsection]}",
            "widget_placement": "accordion",
        })

    def link(self, url):
        self.browser("edx.ui.lms.link_clicked", {"current_url": f"{LMS}/courses/{COURSE}/course/", "target_url": url})

    # -- video player: browser (load_video, ...) or mobile app (edx.video.*)
    BROWSER_VIDEO = {"load": "load_video", "play": "play_video", "pause": "pause_video", "seek": "seek_video",
                     "stop": "stop_video", "complete": "complete_video"}
    MOBILE_VIDEO = {"load": "edx.video.loaded", "play": "edx.video.played", "pause": "edx.video.paused",
                    "seek": "edx.video.position.changed", "stop": "edx.video.stopped",
                    "complete": "edx.video.completed"}

    def video(self, action, video, at=None, to=None, mobile=False):
        base = {"id": hexid(video), "code": "mobile" if mobile else "html5", "duration": VIDEO_SECONDS[video]}
        time_key = "current_time" if mobile else "currentTime"
        if action == "seek":
            data = {**base, "old_time": at, "new_time": to, "type": "onSlideSeek"}
        elif action == "complete":
            data = {**base, time_key: VIDEO_SECONDS[video]}
        elif at is not None:
            data = {**base, time_key: at}
        else:
            data = base
        names = self.MOBILE_VIDEO if mobile else self.BROWSER_VIDEO
        self.browser(names[action], data, source="mobile" if mobile else "browser")

    # -- problems: one answer = server problem_check + edx.grades.problem.submitted + browser problem_check
    def answer(self, problem, *correct: bool, attempt: int, answers=None):
        """`answers`: what was answered, per question (default "7" when right, "9" when wrong); a list
        is a checkbox answer (choiceresponse)."""
        answers = answers or ["7" if ok else "9" for ok in correct]
        problem_key, problem_hex = KEY[problem], hexid(problem)
        inputs = [f"{problem_hex}_{n}_1" for n in range(2, len(correct) + 2)]
        earned = sum(correct)
        handler = f"/courses/{COURSE}/xblock/{problem_key}/handler/xmodule_handler/problem_check"
        self.server("problem_check", {
            "problem_id": problem_key,
            "state": {"seed": 1, "done": True},
            "answers": {k: f"choice_{n}" for n, k in enumerate(inputs)},
            "grade": earned,
            "max_grade": len(correct),
            "correct_map": {k: {"correctness": "correct" if ok else "incorrect"} for k, ok in zip(inputs, correct)},
            "success": "correct" if earned == len(correct) else "incorrect",
            "attempts": attempt,
            "submission": {
                k: {"question": f"Question {n + 1} of {problem}", "answer": given,
                    "response_type": "choiceresponse" if isinstance(given, list) else "multiplechoiceresponse",
                    "input_type": "checkboxgroup" if isinstance(given, list) else "choicegroup", "correct": ok,
                    "variant": "", "group_label": ""}
                for n, (k, ok, given) in enumerate(zip(inputs, correct, answers))
            },
        }, path=handler, module={"display_name": problem, "usage_key": problem_key})
        self.server("edx.grades.problem.submitted", {
            "user_id": self.user_id, "course_id": COURSE, "problem_id": problem_key,
            "event_transaction_id": str(uuid.uuid4()), "event_transaction_type": "edx.grades.problem.submitted",
            "weighted_earned": earned, "weighted_possible": len(correct),
        }, path=handler)
        self.browser("problem_check", "&".join(f"input_{k}=choice_{n}" for n, k in enumerate(inputs)))

    # -- grades
    def subsection_grade(self, subsection, earned, possible):
        self.server("edx.grades.subsection.grade_calculated", {
            "user_id": self.user_id, "course_id": COURSE, "block_id": KEY[subsection],
            "course_version": "6a3b0cd4e5f6a7b8c9d0e1f4", "weighted_total_earned": earned,
            "weighted_total_possible": possible, "weighted_graded_earned": earned,
            "weighted_graded_possible": possible, "first_attempted": self.clock.isoformat(),
            "subtree_edited_timestamp": self.clock.isoformat(), "event_transaction_id": str(uuid.uuid4()),
            "event_transaction_type": "edx.grades.problem.submitted", "visible_blocks_hash": "hash",
        })

    def course_grade(self, percent):
        self.server("edx.grades.course.grade_calculated", {
            "user_id": self.user_id, "course_id": COURSE, "course_version": "6a3b0cd4e5f6a7b8c9d0e1f4",
            "percent_grade": percent, "letter_grade": "Pass" if percent >= PASSING_GRADE else "",
            "course_edited_timestamp": self.clock.isoformat(), "event_transaction_id": str(uuid.uuid4()),
            "event_transaction_type": "edx.grades.problem.submitted", "grading_policy_hash": "hash",
        })

    def passed(self):
        self.server("edx.course.grade.passed.first_time", {"user_id": self.user_id, "course_id": COURSE})

    def now_failed(self):
        self.server("edx.course.grade.now_failed", {"user_id": self.user_id, "course_id": COURSE})

    # -- forum (discussions MFE, through the discussion REST API)
    def thread(self, title):
        thread_id = hexid("thread " + self.username)[:24]
        self.server("edx.forum.thread.created", {
            "id": thread_id, "title": title, "title_truncated": False, "body": title, "thread_type": "question",
            "anonymous": False, "anonymous_to_peers": False, "commentable_id": "course", "category_id": "course",
            "category_name": "General", "options": {"followed": True}, "group_id": None,
            "user_forums_roles": ["Student"], "user_course_roles": [], "truncated": False,
            "url": f"{LMS}/courses/{COURSE}/discussion/forum/course/threads/{thread_id}",
        }, path="/api/discussion/v1/threads/")
        return thread_id

    def reply(self, thread_id):
        response_id = hexid("response " + self.username)[:24]
        self.server("edx.forum.response.created", {
            "id": response_id, "body": "Same here.", "discussion": {"id": thread_id}, "commentable_id": "course",
            "category_id": "course", "category_name": "General", "options": {"followed": False},
            "user_forums_roles": ["Student"], "user_course_roles": [], "truncated": False,
            "url": f"{LMS}/courses/{COURSE}/discussion/forum/course/threads/{thread_id}",
        }, path="/api/discussion/v1/comments/")


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node[3])


def stories() -> list[Learner]:
    L = {name: Learner(name, 101 + n) for n, name in enumerate(
        ["ada", "ben", "cleo", "dan", "eve", "fay", "gus", "hal", "ivy", "jon", "kim", "leo"])}
    for n, learner in enumerate(L.values()):
        if learner.username != "ivy":
            learner.day(30).clock += datetime.timedelta(minutes=n)  # enrolments in order ada, ben, ...
    for name in ["ada", "dan", "eve", "hal", "leo"]:
        L[name].enroll("verified")
    for name in ["ben", "cleo", "fay", "gus", "jon", "kim"]:
        L[name].enroll("audit")

    cleo = L["cleo"].day(20)   # at risk through the forum alone
    thread = cleo.thread("Where do I start?")

    ada = L["ada"].day(1)      # the model learner: every page, video and problem
    ada.outline("S11")                                 # lands on U111
    ada.next("U111")                                   # -> U112
    ada.video("load", "V1"); ada.video("play", "V1", at=0); ada.video("complete", "V1"); ada.video("stop", "V1", at=100)
    ada.next("U112")                                   # -> U113
    ada.answer("P1", True, attempt=1)
    ada.next("U113")                                   # -> U121 (next subsection)
    ada.answer("P2", True, attempt=1)
    ada.next("U121")                                   # -> U122
    ada.answer("P3", True, True, attempt=1)
    ada.subsection_grade("S12", 3, 3)
    ada.next("U122")                                   # -> U211 (next section)
    ada.video("load", "V2"); ada.video("play", "V2", at=0); ada.video("complete", "V2"); ada.video("stop", "V2", at=200)
    ada.next("U211")                                   # -> U212
    ada.next("U212")                                   # -> U221
    ada.answer("P4", True, attempt=1)
    ada.course_grade(0.9); ada.passed()
    ada.reply(thread)

    ben = L["ben"].day(20)     # at risk through video alone
    ben.video("load", "V1"); ben.video("play", "V1", at=0); ben.video("stop", "V1", at=50)
    ben.day(19)
    ben.video("load", "V1"); ben.video("play", "V1", at=0); ben.video("pause", "V1", at=10)  # re-watch

    dan = L["dan"].day(15)     # legacy courseware; passed, then regraded below the cutoff
    dan.legacy_tab("S12", current_tab=1, target_tab=2)  # on U121, -> U122
    dan.answer("P2", False, attempt=1)
    dan.legacy_next("S12", current_tab=2)              # on U122 (last of 1.2), -> U211 (next section)
    dan.course_grade(0.8); dan.passed()
    dan.day(10)
    dan.answer("P2", True, attempt=2)
    dan.answer("P4", False, attempt=1)
    dan.course_grade(0.3); dan.now_failed()

    eve = L["eve"].day(9)      # passes at the cutoff exactly; inactive since, but passed: not at risk
    eve.tab("U121", 2)                                  # on U121, -> U122
    eve.answer("P2", True, attempt=1)
    eve.answer("P3", True, False, attempt=1)            # half right: not correct
    eve.course_grade(0.55); eve.passed()

    fay = L["fay"].day(6)      # mobile app, 6 days ago: not at risk
    fay.video("load", "V2", mobile=True)
    fay.video("play", "V2", at=0, mobile=True); fay.video("pause", "V2", at=100, mobile=True)
    fay.video("seek", "V2", at=100, to=150, mobile=True)
    fay.video("play", "V2", at=150, mobile=True); fay.video("complete", "V2", mobile=True)

    gus = L["gus"].day(20)     # seeks that split segments
    gus.outline("S11")                                  # lands on U111
    gus.next("U111")                                    # -> U112
    gus.video("load", "V1"); gus.video("play", "V1", at=0)
    gus.video("seek", "V1", at=12, to=60)
    gus.video("play", "V1", at=60); gus.video("pause", "V1", at=73)

    hal = L["hal"].day(20)     # "previous" across a section boundary, then unenrols
    hal.outline("U212")                                 # an outline link to a unit: lands on it
    hal.previous("U212")                                # -> U211
    hal.previous("U211")                                # on U211 (first of 2.1) -> U122 (last of 1.2)
    hal.day(18).unenroll()

    ivy = L["ivy"].day(15)     # enrolled; a link and a video loaded are no activity
    ivy.enroll("audit")
    ivy.day(14)
    ivy.link(f"{LMS}/courses/{COURSE}/about")
    ivy.video("load", "V1")

    jon = L["jon"].day(25)
    jon.change_mode("verified")
    jon.day(1)
    jon.next("U113")                                    # on U113 (last of 1.1) -> U121
    jon.answer("P1", True, attempt=1, answers=[["7", "11"]])  # a checkbox answer: two choices
    jon.course_grade(0.2)

    kim = L["kim"].day(1)
    kim.outline("S12")                                  # lands on U121
    kim.tab("U121", 2)                                  # -> U122
    kim.link(f"{LMS}/courses/{COURSE}/about")           # not a page visit
    kim.answer("P3", True, True, attempt=1)
    kim.course_grade(0.45)

    leo = L["leo"].day(8)      # 97% of V1 without "completed"; wrong twice; 8 days ago: at risk
    leo.answer("P1", False, attempt=1)
    leo.answer("P1", False, attempt=2)
    leo.video("load", "V1"); leo.video("play", "V1", at=0); leo.video("pause", "V1", at=60)
    leo.video("play", "V1", at=60); leo.video("pause", "V1", at=97)
    leo.course_grade(0.1)
    return list(L.values())


# ---------------------------------------------------------------- the platform, for the event sink
def platform(learners: list[Learner], outline=None) -> dict:
    """The course, users and enrollments as the LMS and Studio hold them: platform-plugin-aspects's own
    sinks (tutoraspects.event_sink.publish_with_plugin) dump them as a Studio publish and the LMS do."""

    def block(node, graded):
        name, block_type, display_name, children = node
        graded = graded or name in GRADED  # `graded` is inherited by a subsection's blocks
        return {"location": KEY[name], "block_type": block_type, "display_name": display_name, "graded": graded,
                "edited_on": (NOW - datetime.timedelta(days=40)).isoformat(),
                "start_time": None, "end_time": None,  # not clipped in Studio: the length comes from the player
                "children": [block(child, graded) for child in children]}

    return {
        "courses": [{
            "course_key": COURSE, "org": ORG, "display_name": COURSE_NAME,
            "start": (NOW - datetime.timedelta(days=35)).isoformat(), "end": (NOW + datetime.timedelta(days=60)).isoformat(),
            "enrollment_start": None, "enrollment_end": None, "self_paced": True,
            "lowest_passing_grade": PASSING_GRADE, "created": (NOW - datetime.timedelta(days=50)).isoformat(),
            "modified": NOW.isoformat(), "blocks": [block(node, False) for node in outline or OUTLINE],
        }],
        "users": [{"id": x.user_id, "username": x.username, "email": f"{x.username}@e2e.test",
                   "name": x.username.title(), "year_of_birth": None, "gender": "", "level_of_education": "",
                   "country": "FR", "external_user_id": x.actor} for x in learners],
        "enrollments": [{"id": 9000 + x.user_id, "user_id": x.user_id, "course_key": COURSE,
                         "created": x.enrolled_at.isoformat(), "is_active": x.sink_active, "mode": x.sink_mode}
                        for x in learners],
    }


# ---------------------------------------------------------------- the pipeline
def erb_transform(learners: list[Learner]) -> list[dict]:
    assert ERB_PYTHON.exists(), f"{ERB_PYTHON} is missing: create it with `make install`"
    events = sorted((e for x in learners for e in x.events), key=lambda e: e["timestamp"])
    anonymous_ids = {}
    for x in learners:
        anonymous_ids[x.username] = anonymous_ids[str(x.user_id)] = x.actor
    out = subprocess.run(
        [str(ERB_PYTHON), str(ERB_SCRIPT)],
        input=json.dumps({"events": events, "anonymous_ids": anonymous_ids,
                          "course_names": {COURSE: COURSE_NAME}, "lms_url": LMS}),
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert out.returncode == 0, out.stderr[-4000:]
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def learners():
    return stories()


@pytest.fixture(scope="module")
def statements(learners):
    return erb_transform(learners)


@pytest.fixture(scope="module")
def marts(settings, learners, statements):
    """Loads the story (event sink + statements through Ralph), refreshes the marts, returns a query function."""
    publish_with_plugin(settings, platform(learners), echo=lambda _: None)
    summary = post_statements(settings, statements, batch_size=100)
    assert summary.stored == len(statements) and not summary.rejected, summary.describe()
    refresh_now(settings)
    client = connect(settings, "admin")
    usernames = {x.actor: x.username for x in learners}

    def query(table: str, columns: list[str]) -> list[dict]:
        result = client.query(
            f"SELECT {', '.join(columns)} FROM `{settings.reporting_database}`.`{table}` "
            "WHERE course_key = {course:String}", parameters={"course": COURSE})
        return [{c: readable(c, v, usernames) for c, v in row.items()} for row in result.named_results()]

    yield query
    client.close()


def readable(column, value, usernames):
    """Block keys as outline names (P1, U121, ...), actor ids as usernames, floats to 4 places."""
    if isinstance(value, str):
        if column == "actor_id":
            return usernames.get(value, value)
        return NAME_OF_KEY.get(value, value)
    if isinstance(value, float):
        return round(value, 4)
    return value


def by(rows: list[dict], *keys: str) -> dict:
    """Rows keyed by the given columns (one column: its value; several: a tuple), those columns dropped."""
    out = {}
    for row in rows:
        k = tuple(row[c] for c in keys)
        k = k[0] if len(k) == 1 else k
        assert k not in out, f"two rows for {k}"
        out[k] = {c: v for c, v in row.items() if c not in keys}
    return out


def table(header: str, rows: list[tuple]) -> dict:
    """Expected rows written as a table: the first column is the key."""
    columns = header.split()
    return {row[0]: dict(zip(columns[1:], row[1:])) for row in rows}


def utc(value) -> datetime.datetime:
    return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)


def at(days_ago: int, minute: int) -> datetime.datetime:
    """The time of a story's `minute`-th event on day D<days_ago>."""
    return NOW - datetime.timedelta(days=days_ago) - OFFSET + datetime.timedelta(minutes=minute)


def days_ago(date: datetime.date) -> int:
    """A calendar date (UTC) as the story day it holds: D<n>."""
    return (at(0, 0).date() - date).days


# ---------------------------------------------------------------- the pipeline itself
def test_every_event_became_a_statement(learners, statements):
    events = sum(len(x.events) for x in learners)
    multi_question_answers = 3  # ada, eve and kim answered P3 (two questions): parent + 2 children each
    assert len(statements) == events + multi_question_answers * 2
    verbs = {s["verb"]["id"].rsplit("/", 1)[1] for s in statements}
    assert {"registered", "unregistered", "navigated", "played", "paused", "seeked", "completed", "terminated",
            "initialized", "evaluated", "attempted", "earned", "passed", "failed", "posted"} <= verbs


# ---------------------------------------------------------------- course dashboard
def test_course_enrollment_summary(marts):
    [row] = marts("course_enrollment_summary", [
        "course_name", "total_enrollees", "active_enrollees", "unenrolled", "active_pct",
        "first_enrollment_at", "last_enrollment_at"])
    assert utc(row.pop("first_enrollment_at")) == at(30, 1)   # ada, the first
    assert utc(row.pop("last_enrollment_at")) == at(15, 1)    # ivy, the last
    assert row == {"course_name": COURSE_NAME, "total_enrollees": 12, "active_enrollees": 11, "unenrolled": 1,
                   "active_pct": 91.67}


def test_course_enrollments_by_track(marts):
    rows = by(marts("course_enrollments_by_track", [
        "enrollment_mode", "enrollees", "active_enrollees", "pct_of_total_enrollees", "pct_of_active_enrollees"]),
        "enrollment_mode")
    # audit: ben cleo fay gus ivy kim; verified: ada dan eve hal (unenrolled) jon (upgraded) leo
    assert rows == table("mode enrollees active_enrollees pct_of_total_enrollees pct_of_active_enrollees", [
        ("audit", 6, 6, 50.0, 54.55),
        ("verified", 6, 5, 50.0, 45.45),
    ])


ENGAGEMENT_COLUMNS = ("pages videos problems learners_any_page learners_all_pages learners_any_video "
                      "learners_all_videos learners_any_problem learners_all_problems learners_any_activity")


def test_course_section_engagement(marts):
    rows = by(marts("course_section_engagement", ["section_id", "section_number", "section_name"]
                    + ENGAGEMENT_COLUMNS.split()), "section_id")
    assert {k: (v.pop("section_number"), v.pop("section_name")) for k, v in rows.items()} == {
        "C1": (1, "Getting started"), "C2": (2, "Going further")}
    assert rows == table("section " + ENGAGEMENT_COLUMNS, [
        # C1 pages: ada all 5; gus, jon, dan, eve, kim 2; hal 1 (U122). videos: ada ben gus leo.
        # problems: ada all 3; jon leo (P1), dan (P2), eve (P2 P3), kim (P3).
        # any: ada ben dan eve gus hal jon kim leo
        ("C1", 5, 1, 3, 7, 1, 4, 4, 6, 1, 9),
        # C2 pages: ada all 3, hal (U211 U212), dan (U211). videos: ada fay. problems: ada dan (P4).
        # any: ada dan fay hal
        ("C2", 3, 1, 1, 3, 1, 2, 2, 2, 2, 4),
    ])


def test_course_subsection_engagement(marts):
    rows = by(marts("course_subsection_engagement", [
        "subsection_id", "section_number", "subsection_number", "subsection_name", "graded", "assignment_type"]
        + ENGAGEMENT_COLUMNS.split()), "subsection_id")
    outline = {k: tuple(v.pop(c) for c in ["section_number", "subsection_number", "subsection_name", "graded",
                                           "assignment_type"]) for k, v in rows.items()}
    # platform-plugin-aspects 2.1.0 sends no grading format: assignment_type stays empty
    assert outline == {"S11": (1, 1, "Welcome", False, ""), "S12": (1, 2, "Homework 1", True, ""),
                       "S21": (2, 1, "Lectures", False, ""), "S22": (2, 2, "Final exam", True, "")}
    assert rows == table("subsection " + ENGAGEMENT_COLUMNS, [
        # pages: ada all 3, gus (U111 U112), jon (U113); videos: ada ben gus leo; P1: ada jon leo
        ("S11", 3, 1, 1, 3, 1, 4, 4, 3, 3, 5),
        # pages: ada dan eve kim both, hal (U122), jon (U121); problems: ada eve both, dan (P2), kim (P3)
        ("S12", 2, 0, 2, 6, 4, 0, 0, 4, 2, 6),
        # pages: ada, hal both (hal: outline link to U212, previous to U211), dan U211 (legacy next); V2: ada fay
        ("S21", 2, 1, 0, 3, 2, 2, 2, 0, 0, 4),
        # U221: ada; P4: ada dan
        ("S22", 1, 0, 1, 1, 1, 0, 0, 2, 2, 2),
    ])


def test_course_video_views(marts):
    rows = by(marts("course_video_views", [
        "video_id", "video_name", "section_number", "subsection_number", "unit_number", "unit_id",
        "duration_seconds", "learners_watched_part", "learners_watched_full", "learners_watched_part_only",
        "plays", "watched_seconds"]), "video_id")
    assert rows == table("video video_name section_number subsection_number unit_number unit_id duration_seconds "
                         "learners_watched_part learners_watched_full learners_watched_part_only plays "
                         "watched_seconds", [
        # ada (completed, 100 s), ben (0-50 ended by a stop, then 0-10 again: 50 s), gus (0-12, 60-73: 25 s),
        # leo (0-60, 60-97: 97% without completed)
        ("V1", "Intro video", 1, 1, 2, "U112", 100.0, 4, 2, 2, 7, 272.0),
        # ada (completed, 200 s), fay on mobile (0-100, 150-200, completed: 150 s)
        ("V2", "Lecture video", 2, 1, 1, "U211", 200.0, 2, 2, 0, 3, 350.0),
    ])


def test_course_video_segments(marts):
    rows = by(marts("course_video_segments", [
        "video_id", "segment", "segment_start_pct", "segment_start_seconds", "segment_end_seconds", "views",
        "viewers"]), "video_id", "segment")
    # V1 (5 s segments): ada 0-19; ben 0-9 and 0-1 again (re-watch); gus 0-2 (0-12 s: 12 s splits segment 2) and 12-14 (60-73 s);
    # leo 0-11 (0-60 s) and 12-19 (60-97 s)
    v1_views = [5, 5, 4, 3, 3, 3, 3, 3, 3, 3, 2, 2, 3, 3, 3, 2, 2, 2, 2, 2]
    v1_viewers = [4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 2, 2, 3, 3, 3, 2, 2, 2, 2, 2]
    # V2 (10 s segments): ada 0-19; fay 0-9 (0-100 s) and 15-19 (150-200 s)
    v2 = [2] * 10 + [1] * 5 + [2] * 5
    expected = {}
    for video, views, viewers, length in [("V1", v1_views, v1_viewers, 100.0), ("V2", v2, v2, 200.0)]:
        for segment in range(20):
            expected[video, segment] = {
                "segment_start_pct": segment * 5, "segment_start_seconds": segment * length / 20,
                "segment_end_seconds": (segment + 1) * length / 20, "views": views[segment],
                "viewers": viewers[segment]}
    assert rows == expected


def test_course_grade_summary(marts):
    [row] = marts("course_grade_summary", [
        "lowest_passing_grade", "learners_with_grade", "learners_passing", "learners_passed", "passing_pct",
        "average_grade"])
    # graded: ada 0.9, dan 0.3 (latest), eve 0.55, jon 0.2, kim 0.45, leo 0.1 -> mean 2.5 / 6
    # passing now: ada, eve (at the cutoff); ever passed: ada, dan, eve
    assert row == {"lowest_passing_grade": 0.55, "learners_with_grade": 6, "learners_passing": 2,
                   "learners_passed": 3, "passing_pct": 33.33, "average_grade": 0.4167}


def test_course_grade_distribution(marts):
    rows = by(marts("course_grade_distribution", ["grade_bucket", "grade_range", "learners", "learners_passing"]),
              "grade_bucket")
    assert rows == table("bucket grade_range learners learners_passing", [
        (0, "0-9%", 0, 0),
        (1, "10-19%", 1, 0),            # leo 0.1
        (2, "20-29%", 1, 0),            # jon 0.2
        (3, "30-39%", 1, 0),            # dan 0.3 (his latest; 0.8 before)
        (4, "40-49%", 1, 0),            # kim 0.45
        (5, "50-59%", 1, 1),            # eve 0.55, at the cutoff: passing
        (6, "60-69%", 0, 0),
        (7, "70-79%", 0, 0),
        (8, "80-89%", 0, 0),
        (9, "90-100%", 1, 1),           # ada 0.9
        (10, "No grade yet", 5, 0),     # ben cleo fay gus ivy (hal unenrolled: not counted)
    ])


def test_course_assignment_results(marts):
    rows = by(marts("course_assignment_results", [
        "subsection_id", "section_number", "subsection_number", "subsection_name", "assignment_type", "problems",
        "learners_attempted", "results", "correct_results", "incorrect_results", "pct_correct", "pct_incorrect",
        "attempts"]), "subsection_id")
    assert rows == table("subsection section_number subsection_number subsection_name assignment_type problems "
                         "learners_attempted results correct_results incorrect_results pct_correct pct_incorrect "
                         "attempts", [
        # P2: ada right, dan right at his 2nd answer, eve right; P3: ada right, eve half (wrong), kim right
        ("S12", 1, 2, "Homework 1", "", 2, 4, 6, 5, 1, 83.33, 16.67, 7),
        # P4: ada right, dan wrong
        ("S22", 2, 2, "Final exam", "", 1, 2, 2, 1, 1, 50.0, 50.0, 2),
    ])


def test_course_problem_results(marts):
    rows = by(marts("course_problem_results", [
        "problem_id", "problem_name", "section_number", "subsection_number", "unit_number", "unit_id", "graded",
        "learners_attempted", "learners_correct", "learners_incorrect", "pct_correct", "pct_incorrect", "attempts",
        "avg_attempts"]), "problem_id")
    assert rows == table("problem problem_name section_number subsection_number unit_number unit_id graded "
                         "learners_attempted learners_correct learners_incorrect pct_correct pct_incorrect "
                         "attempts avg_attempts", [
        ("P1", "Warm-up question", 1, 1, 3, "U113", False, 3, 2, 1, 66.67, 33.33, 4, 1.33),  # ada, jon; leo x2
        ("P2", "Prime numbers", 1, 2, 1, "U121", True, 3, 3, 0, 100.0, 0.0, 4, 1.33),        # ada, dan x2, eve
        ("P3", "Two questions", 1, 2, 2, "U122", True, 3, 2, 1, 66.67, 33.33, 3, 1.0),       # ada, kim; eve half
        ("P4", "Exam question", 2, 2, 1, "U221", True, 2, 1, 1, 50.0, 50.0, 2, 1.0),         # ada; dan wrong
    ])



def test_course_comparison(marts):
    """The Course Comparison row of the story's one run, worked out from the stories."""
    [row] = marts("course_comparison", [
        "course", "course_run", "tags", "enrollments", "active_enrollments", "completed_learners", "passed_learners",
        "at_risk_learners", "active_learners", "not_started_learners", "active_last_7_days", "graded_learners",
        "avg_grade", "median_grade", "first_attempts", "first_attempts_correct", "videos", "videos_watched",
        "video_viewings"])
    assert row == {
        "course": "E2E+Story", "course_run": "2026", "tags": [],
        "enrollments": 12, "active_enrollments": 11,                 # hal unenrolled
        "completed_learners": 2, "passed_learners": 2,               # ada, eve (dan passed, then failed)
        "at_risk_learners": 5,                                       # ben, cleo, dan, gus, leo
        "active_learners": 3, "not_started_learners": 1,             # fay, jon, kim; ivy
        "active_last_7_days": 4,                                     # ada, fay, jon, kim
        "graded_learners": 6, "avg_grade": 0.4167, "median_grade": 0.375,  # 0.1 0.2 0.3 | 0.45 0.55 0.9
        # learner-problem pairs: P1 ada jon leo, P2 ada dan eve, P3 ada eve kim, P4 ada dan; right first: P1 ada
        # jon, P2 ada eve, P3 ada kim, P4 ada
        "first_attempts": 11, "first_attempts_correct": 7,
        # V1 played by ada ben gus leo, V2 by ada fay (ivy only loaded V1)
        "videos": 2, "videos_watched": 2, "video_viewings": 6,
    }


def test_problem_initial_responses(marts):
    """Each learner's FIRST answer per question, as ERB sends it (a checkbox answer is a JSON list):
    one row per response."""
    rows = by(marts("problem_initial_responses", [
        "problem_id", "question", "response", "learners", "learners_correct", "learners_answered", "pct_of_learners"]),
        "problem_id", "question", "response")
    assert rows == {(problem, question, response): dict(zip(
        ("learners", "learners_correct", "learners_answered", "pct_of_learners"), figures)) for
        problem, question, response, *figures in [
            # P1: ada "7"; jon checks "7" and "11" (right); leo "9" (wrong, twice: the first counts)
            ("P1", "Question 1 of P1", "7", 2, 2, 3, 66.67),
            ("P1", "Question 1 of P1", "11", 1, 1, 3, 33.33),
            ("P1", "Question 1 of P1", "9", 1, 0, 3, 33.33),
            # P2: ada and eve "7"; dan "9" first (his right second answer is not initial)
            ("P2", "Question 1 of P2", "7", 2, 2, 3, 66.67),
            ("P2", "Question 1 of P2", "9", 1, 0, 3, 33.33),
            # P3, two questions (the child statements): ada, eve, kim right on the first; eve wrong on the second
            ("P3", "Question 1 of P3", "7", 3, 3, 3, 100.0),
            ("P3", "Question 2 of P3", "7", 2, 2, 3, 66.67),
            ("P3", "Question 2 of P3", "9", 1, 0, 3, 33.33),
            # P4: ada right, dan wrong
            ("P4", "Question 1 of P4", "7", 1, 1, 2, 50.0),
            ("P4", "Question 1 of P4", "9", 1, 0, 2, 50.0),
        ]}


def with_story_day(rows: list[dict], date_column: str) -> list[dict]:
    """Rows with their date as the story day (D<n>) in a column `day`."""
    for row in rows:
        row["day"] = days_ago(row.pop(date_column))
    return rows


def test_course_enrollments_daily(marts):
    rows = by(with_story_day(marts("course_enrollments_daily", [
        "enrollment_date", "enrollment_mode", "new_enrollments", "track_joins", "track_leaves", "net_change",
        "cumulative_enrollments", "cumulative_new_enrollments"]), "enrollment_date"), "day", "enrollment_mode")
    columns = "new_enrollments track_joins track_leaves net_change cumulative_enrollments cumulative_new_enrollments"
    assert rows == {(day, mode): dict(zip(columns.split(), figures)) for day, mode, *figures in [
        (30, "audit", 6, 6, 0, 6, 6, 6),        # ben cleo fay gus jon kim
        (30, "verified", 5, 5, 0, 5, 5, 5),     # ada dan eve hal leo
        (25, "audit", 0, 0, 1, -1, 5, 6),       # jon upgrades ...
        (25, "verified", 0, 1, 0, 1, 6, 5),     # ... to verified
        (18, "verified", 0, 0, 1, -1, 5, 5),    # hal unenrols
        (15, "audit", 1, 1, 0, 1, 6, 7),        # ivy (after jon left audit on D25)
    ]}


def test_course_activity_daily(marts):
    rows = by(with_story_day(marts("course_activity_daily", ["activity_date", "activity", "learners", "interactions"]),
                             "activity_date"), "day", "activity")
    assert rows == {(day, activity): {"learners": learners, "interactions": interactions}
                    for day, activity, learners, interactions in [
        (20, "page", 2, 5),      # gus: outline + next; hal: outline + previous x2
        (20, "video", 2, 3),     # plays: ben 1, gus 2
        (19, "video", 1, 1),     # ben's re-watch
        (20, "forum", 1, 1),     # cleo's thread
        (15, "page", 1, 2),      # dan (legacy tab and next)
        (15, "problem", 1, 1),   # dan P2
        (8, "problem", 1, 2),    # leo P1 twice
        (8, "video", 1, 2),      # leo's two plays
        (10, "problem", 1, 2),   # dan P2, P4
        (6, "video", 1, 3),      # fay: 2 plays + completed
        (9, "page", 1, 1),       # eve's tab
        (9, "problem", 1, 2),    # eve P2, P3
        (1, "page", 3, 11),      # ada: outline + 7 next; jon: next; kim: outline + tab (the link is no visit)
        (1, "video", 1, 4),      # ada: played + completed, twice
        (1, "problem", 3, 6),    # ada 4 (P3's per-question statements add none), jon 1, kim 1
        (1, "forum", 1, 1),      # ada's reply
    ]}

# ---------------------------------------------------------------- individual learner and at-risk dashboards
SUMMARY_COLUMNS = ("enrollment_mode is_enrolled course_grade has_passed has_engaged is_at_risk days_since_last_visit "
                   "pages_visited videos_viewed videos_completed problems_attempted problems_correct "
                   "problem_submissions pct_correct forum_posts")
LEARNER_SUMMARY = table("username " + SUMMARY_COLUMNS, [
    ("ada", "verified", True, 0.9, True, True, False, 1, 8, 2, 2, 4, 4, 4, 100.0, 1),
    ("ben", "audit", True, None, False, True, True, 19, 0, 1, 0, 0, 0, 0, None, 0),
    ("cleo", "audit", True, None, False, True, True, 20, 0, 0, 0, 0, 0, 0, None, 1),
    ("dan", "verified", True, 0.3, False, True, True, 10, 3, 0, 0, 2, 1, 3, 50.0, 0),
    ("eve", "verified", True, 0.55, True, True, False, 9, 2, 0, 0, 2, 1, 2, 50.0, 0),
    ("fay", "audit", True, None, False, True, False, 6, 0, 1, 1, 0, 0, 0, None, 0),
    ("gus", "audit", True, None, False, True, True, 20, 2, 1, 0, 0, 0, 0, None, 0),
    ("hal", "verified", False, None, False, True, False, 20, 3, 0, 0, 0, 0, 0, None, 0),
    ("ivy", "audit", True, None, False, False, False, None, 0, 0, 0, 0, 0, 0, None, 0),
    ("jon", "verified", True, 0.2, False, True, False, 1, 2, 0, 0, 1, 1, 1, 100.0, 0),
    ("kim", "audit", True, 0.45, False, True, False, 1, 2, 0, 0, 1, 1, 1, 100.0, 0),
    ("leo", "verified", True, 0.1, False, True, True, 8, 0, 1, 0, 1, 0, 2, 0.0, 0),
])


def test_learner_summary(marts, learners):
    """Learners by their anonymous actor id (shown here as the name); PII is off in this stack, so the
    marts show no username (the user id, from the event sink's external ids, stays)."""
    rows = by(marts("learner_summary", ["actor_id", "username", "user_id", "course_name", "lowest_passing_grade",
                                        "pages_total", "videos_total", "problems_total"]
                    + SUMMARY_COLUMNS.split()), "actor_id")
    ids = {x.username: x.user_id for x in learners}
    for username, row in rows.items():
        assert (row.pop("username"), row.pop("user_id")) == ("", ids[username])
        assert {c: row.pop(c) for c in ["course_name", "lowest_passing_grade", "pages_total", "videos_total",
                                        "problems_total"]} == {
            "course_name": COURSE_NAME, "lowest_passing_grade": 0.55, "pages_total": 8, "videos_total": 2,
            "problems_total": 4}, username
    assert rows == LEARNER_SUMMARY


def test_learner_at_risk(marts):
    columns = ("enrollment_mode course_grade days_since_last_visit pages_visited videos_viewed problems_attempted "
               "problems_correct pct_correct forum_posts")
    rows = by(marts("learner_at_risk", ["actor_id"] + columns.split()), "actor_id")
    assert rows == table("username " + columns, [
        ("ben", "audit", None, 19, 0, 1, 0, 0, None, 0),      # video only
        ("cleo", "audit", None, 20, 0, 0, 0, 0, None, 1),     # forum only
        ("dan", "verified", 0.3, 10, 3, 0, 2, 1, 50.0, 0),    # passed once, now failing
        ("gus", "audit", None, 20, 2, 1, 0, 0, None, 0),
        ("leo", "verified", 0.1, 8, 0, 1, 1, 0, 0.0, 0),
    ])


AT_RISK = {"ben", "cleo", "dan", "gus", "leo"}


def test_learner_problem_results(marts):
    rows = by(marts("learner_problem_results", [
        "actor_id", "problem_id", "problem_name", "subsection_id", "graded", "attempts", "is_correct",
        "ever_correct", "score_scaled", "is_at_risk"]), "actor_id", "problem_id")
    expected = {}
    for username, problem, attempts, is_correct, ever_correct, score in [
        ("ada", "P1", 1, True, True, 1.0), ("ada", "P2", 1, True, True, 1.0),
        ("ada", "P3", 1, True, True, 1.0), ("ada", "P4", 1, True, True, 1.0),
        ("dan", "P2", 2, True, True, 1.0), ("dan", "P4", 1, False, False, 0.0),
        ("eve", "P2", 1, True, True, 1.0), ("eve", "P3", 1, False, False, 0.5),
        ("jon", "P1", 1, True, True, 1.0),
        ("kim", "P3", 1, True, True, 1.0),
        ("leo", "P1", 2, False, False, 0.0),
    ]:
        unit = PARENT[problem]
        expected[username, problem] = {
            "problem_name": {"P1": "Warm-up question", "P2": "Prime numbers", "P3": "Two questions",
                             "P4": "Exam question"}[problem],
            "subsection_id": PARENT[unit], "graded": PARENT[unit] in GRADED, "attempts": attempts,
            "is_correct": is_correct, "ever_correct": ever_correct, "score_scaled": score,
            "is_at_risk": username in AT_RISK}
    assert rows == expected


def test_learner_video_views(marts):
    rows = by(marts("learner_video_views", ["actor_id", "video_id", "video_duration", "plays", "watched_in_full",
                                            "is_at_risk"]), "actor_id", "video_id")
    assert rows == {
        ("ada", "V1"): {"video_duration": 100.0, "plays": 1, "watched_in_full": True, "is_at_risk": False},
        ("ada", "V2"): {"video_duration": 200.0, "plays": 1, "watched_in_full": True, "is_at_risk": False},
        ("ben", "V1"): {"video_duration": 100.0, "plays": 2, "watched_in_full": False, "is_at_risk": True},
        ("fay", "V2"): {"video_duration": 200.0, "plays": 2, "watched_in_full": True, "is_at_risk": False},
        ("gus", "V1"): {"video_duration": 100.0, "plays": 2, "watched_in_full": False, "is_at_risk": True},
        # 97% covered without a "completed": in full, as course_video_views counts it
        ("leo", "V1"): {"video_duration": 100.0, "plays": 2, "watched_in_full": True, "is_at_risk": True},
    }


LEARNER_ENGAGEMENT = ("pages_visited pages_total videos_viewed videos_total problems_attempted problems_total "
                      "is_at_risk")


def test_learner_subsection_engagement(marts):
    rows = by(marts("learner_subsection_engagement", ["actor_id", "subsection_id"] + LEARNER_ENGAGEMENT.split()),
              "actor_id", "subsection_id")
    expected = {}
    for username, subsection, pages, videos, problems in [
        ("ada", "S11", 3, 1, 1), ("ada", "S12", 2, 0, 2), ("ada", "S21", 2, 1, 0), ("ada", "S22", 1, 0, 1),
        ("ben", "S11", 0, 1, 0),
        ("dan", "S12", 2, 0, 1), ("dan", "S21", 1, 0, 0), ("dan", "S22", 0, 0, 1),
        ("eve", "S12", 2, 0, 2),
        ("fay", "S21", 0, 1, 0),
        ("gus", "S11", 2, 1, 0),
        ("hal", "S12", 1, 0, 0), ("hal", "S21", 2, 0, 0),
        ("jon", "S11", 1, 0, 1), ("jon", "S12", 1, 0, 0),
        ("kim", "S12", 2, 0, 1),
        ("leo", "S11", 0, 1, 1),
    ]:
        totals = {"S11": (3, 1, 1), "S12": (2, 0, 2), "S21": (2, 1, 0), "S22": (1, 0, 1)}[subsection]
        expected[username, subsection] = dict(zip(LEARNER_ENGAGEMENT.split(), (
            pages, totals[0], videos, totals[1], problems, totals[2], username in AT_RISK)))
    assert rows == expected


def test_learner_section_engagement(marts):
    rows = by(marts("learner_section_engagement", ["actor_id", "section_number"] + LEARNER_ENGAGEMENT.split()),
              "actor_id", "section_number")
    expected = {}
    for username, section, pages, videos, problems in [
        ("ada", 1, 5, 1, 3), ("ada", 2, 3, 1, 1),
        ("ben", 1, 0, 1, 0),
        ("dan", 1, 2, 0, 1), ("dan", 2, 1, 0, 1),
        ("eve", 1, 2, 0, 2),
        ("fay", 2, 0, 1, 0),
        ("gus", 1, 2, 1, 0),
        ("hal", 1, 1, 0, 0), ("hal", 2, 2, 0, 0),
        ("jon", 1, 2, 0, 1),
        ("kim", 1, 2, 0, 1),
        ("leo", 1, 0, 1, 1),
    ]:
        totals = {1: (5, 1, 3), 2: (3, 1, 1)}[section]
        expected[username, section] = dict(zip(LEARNER_ENGAGEMENT.split(), (
            pages, totals[0], videos, totals[1], problems, totals[2], username in AT_RISK)))
    assert rows == expected


def test_learner_video_segments(marts):
    rows = by(marts("learner_video_segments", ["actor_id", "video_id", "segment", "views", "is_at_risk"]),
              "actor_id", "video_id", "segment")
    watched = {  # segments each learner's stretches overlap (a segment twice: twice)
        ("ada", "V1"): range(20), ("ada", "V2"): range(20),
        ("ben", "V1"): [*range(10), 0, 1],                         # 0-50 s, then 0-10 s again
        ("fay", "V2"): [*range(10), *range(15, 20)],               # 0-100 s, 150-200 s
        ("gus", "V1"): [0, 1, 2, 12, 13, 14],                      # 0-12 s, 60-73 s
        ("leo", "V1"): range(20),                                  # 0-60 s, 60-97 s
    }
    expected = {}
    for (username, video), segments in watched.items():
        for segment in segments:
            row = expected.setdefault((username, video, segment), {"views": 0, "is_at_risk": username in AT_RISK})
            row["views"] += 1
    assert rows == expected


# ------------------------------------------------- Studio re-publishes the course (keep this test last)
def test_marts_follow_the_newest_published_outline(settings, learners, marts):
    """A unit moved (U113 "Warm-up" from 1.1 to the start of 1.2) and a section renamed ("Going further"
    to "Advanced"), re-published through platform-plugin-aspects: the marts follow the newest outline."""
    moved = json.loads(json.dumps(OUTLINE))
    welcome, homework = moved[0][3][0], moved[0][3][1]
    warm_up = next(unit for unit in welcome[3] if unit[0] == "U113")
    welcome[3].remove(warm_up)
    homework[3].insert(0, warm_up)
    moved[1][2] = "Advanced"
    publish_with_plugin(settings, platform(learners, outline=moved), echo=lambda _: None)
    refresh_now(settings)

    subsections = by(marts("course_subsection_engagement", ["subsection_name", "pages", "problems",
                                                           "learners_all_pages"]), "subsection_name")
    assert {name: (row["pages"], row["problems"]) for name, row in subsections.items()} == {
        "Welcome": (2, 0), "Homework 1": (3, 3), "Lectures": (2, 0), "Final exam": (1, 1)}
    assert subsections["Welcome"]["learners_all_pages"] >= 1  # ada saw both units left in 1.1
    sections = by(marts("course_section_engagement", ["section_number", "section_name", "pages"]), "section_number")
    assert sections == {1: {"section_name": "Getting started", "pages": 5}, 2: {"section_name": "Advanced", "pages": 3}}
    # the warm-up problem now sits in the graded homework: graded, in subsection 1.2
    (warm_up_row,) = [r for r in marts("course_problem_results", ["problem_id", "graded", "subsection_number"])
                      if r["problem_id"] == "P1"]
    assert (warm_up_row["graded"], warm_up_row["subsection_number"]) == (True, 2)
