"""Learner marts (at-risk group, individual learner) against an independent
computation over the same generated statements and event-sink rows."""

from __future__ import annotations

import collections
import datetime
import json
import statistics
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pytest
from xapi_pages import visited_units

from tutoraspects.clickhouse_client import connect
from tutoraspects.demo_data import generate_sink_rows, generate_statements
from tutoraspects.demo_data.statements import kind_of

UTC = datetime.timezone.utc
COURSE_KEY = re.compile(r'course-v1:[^/"+]+\+[^/"+]+\+[^/"+?#]+')
BLOCK_KEY = re.compile(r'block-v1:[^/"?#]+')
FAMILY = {
    **dict.fromkeys(["enrollment_activated", "enrollment_deactivated", "enrollment_mode_changed"], "enrollment"),
    **dict.fromkeys(["nav_tab", "nav_next", "nav_previous", "nav_outline"], "navigation"),
    **dict.fromkeys(["video_loaded", "video_played", "video_paused", "video_stopped", "video_completed",
                     "video_seeked"], "video"),
    **dict.fromkeys(["problem_check_server", "problem_check_multi", "problem_check_question", "problem_check_browser",
                     "problem_submitted"], "problem"),
    **dict.fromkeys(["subsection_grade", "course_grade", "course_passed", "course_failed"], "grade"),
    **dict.fromkeys(["forum_thread_created", "forum_response_created"], "forum"),
    "block_completion": "completion",
}
VISIT_KINDS = {"nav_tab", "nav_next", "nav_previous", "nav_outline", "video_played", "video_completed",
               "problem_check_server", "problem_check_multi", "forum_thread_created", "forum_response_created"}


# one statement per answer: the server's problem_check (for several questions, the parent)
ANSWER_KINDS = {"problem_check_server", "problem_check_multi"}


def answer_is_right(statement: dict) -> bool:
    """success; for several questions all of them right (the parent's success is the first question's)."""
    if statement["object"]["objectType"] == "GroupActivity":
        return statement["result"]["score"]["raw"] >= statement["result"]["score"]["max"]
    return statement["result"]["success"]


def utc_naive(value: datetime.datetime) -> datetime.datetime:
    """ClickHouse values and statement timestamps compared as naive UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


@dataclass
class Statement:
    kind: str
    family: str
    course_key: str
    org: str
    actor: str
    time: datetime.datetime
    raw: dict


@dataclass
class LearnerState:
    course_key: str
    org: str
    actor: str
    enrollment_events: list = field(default_factory=list)  # (time, verb, mode)
    visits: list = field(default_factory=list)
    outcomes: list = field(default_factory=list)  # (time, passed)
    grades: list = field(default_factory=list)  # (time, score)
    problems: dict = field(default_factory=dict)  # problem -> [(time, success)]
    pages: set = field(default_factory=set)
    videos: set = field(default_factory=set)

    @property
    def is_enrolled(self) -> bool:
        return max(self.enrollment_events)[1] == "registered"

    @property
    def enrollment_mode(self) -> str:
        return max(self.enrollment_events)[2]

    @property
    def enrolled_at(self) -> datetime.datetime:
        return min(t for t, verb, _ in self.enrollment_events if verb == "registered")

    @property
    def last_visit(self) -> datetime.datetime | None:
        return max(self.visits) if self.visits else None

    @property
    def has_passed(self) -> bool:
        return bool(self.outcomes) and max(self.outcomes)[1]

    @property
    def has_engaged(self) -> bool:
        return bool(self.visits)

    @property
    def course_grade(self) -> float | None:
        """The latest course grade; None without one (no grade yet is not 0)."""
        return max(self.grades)[1] if self.grades else None

    @property
    def problems_correct(self) -> int:
        return sum(1 for results in self.problems.values() if max(results)[1])

    def at_risk(self, as_of: datetime.datetime) -> bool:
        return (self.is_enrolled and self.last_visit <= as_of - datetime.timedelta(days=7)
                and not self.has_passed and self.has_engaged) if self.visits else False


def parse(statement: dict) -> Statement:
    text = json.dumps(statement)
    match = COURSE_KEY.search(text)
    if match:
        course_key = match.group(0)
    else:
        block = BLOCK_KEY.search(text)
        course_key = "course-v1:" + block.group(0)[len("block-v1:"):].split("+type@")[0] if block else ""
    kind = kind_of(statement)
    return Statement(
        kind=kind, family=FAMILY[kind], course_key=course_key,
        org=course_key[len("course-v1:"):].split("+")[0] if course_key else "",
        actor=statement["actor"]["account"]["name"],
        time=utc_naive(datetime.datetime.fromisoformat(statement["timestamp"])),
        raw=statement,
    )


@lru_cache(maxsize=None)
def parsed_statements(spec) -> tuple[Statement, ...]:
    # duplicates (same id) count once, as in the stores
    seen, out = set(), []
    for statement in generate_statements(spec):
        if statement["id"] not in seen:
            seen.add(statement["id"])
            out.append(parse(statement))
    return tuple(out)


@lru_cache(maxsize=None)
def learner_states(spec) -> dict[tuple[str, str], LearnerState]:
    states: dict[tuple[str, str], LearnerState] = {}
    for s in parsed_statements(spec):
        state = states.setdefault((s.course_key, s.actor), LearnerState(s.course_key, s.org, s.actor))
        raw = s.raw
        if s.family == "enrollment":
            mode = raw["object"]["definition"]["extensions"]["https://w3id.org/xapi/acrossx/extensions/type"]
            state.enrollment_events.append((s.time, raw["verb"]["display"]["en"], mode))
        if s.kind in VISIT_KINDS:
            state.visits.append(s.time)
        if s.kind in ("course_passed", "course_failed"):
            state.outcomes.append((s.time, s.kind == "course_passed"))
        if s.kind == "course_grade":
            state.grades.append((s.time, raw["result"]["score"]["scaled"]))
        if s.kind in ANSWER_KINDS:
            problem = BLOCK_KEY.search(raw["object"]["id"]).group(0)
            state.problems.setdefault(problem, []).append((s.time, answer_is_right(raw)))
        if s.kind in ("video_played", "video_completed"):
            state.videos.add(BLOCK_KEY.search(raw["object"]["id"]).group(0))
    return states


@lru_cache(maxsize=None)
def usernames(spec) -> dict[str, tuple[int, str]]:
    return {row["external_user_id"]: (row["user_id"], row["username"])
            for row in generate_sink_rows(spec)["external_ids"]}


def query(settings, sql: str) -> list[dict]:
    client = connect(settings)
    try:
        result = client.query(sql)
        return [dict(zip(result.column_names, row)) for row in result.result_rows]
    finally:
        client.close()


def single_as_of(rows: list[dict]) -> datetime.datetime:
    values = {utc_naive(r["as_of"]) for r in rows}
    assert len(values) == 1, "a mart mixes learner-state refreshes"
    return values.pop()


# ---------------------------------------------------------------- at risk


def test_at_risk_group_is_exactly_the_definition(demo, demo_spec):
    rows = query(demo, "SELECT * FROM reporting.learner_at_risk")
    assert rows, "the demo data has an at-risk group"
    as_of = single_as_of(rows)
    states = learner_states(demo_spec)
    expected = {key for key, state in states.items() if state.at_risk(as_of)}
    got = {(r["course_key"], r["actor_id"]) for r in rows}
    assert got == expected
    assert len(rows) == len(got), "one row per learner and course"
    # every clause matters: each one alone would change the group
    others = [st for key, st in states.items() if key not in expected]
    assert any(not st.is_enrolled and st.has_engaged and not st.has_passed for st in others)
    assert any(st.is_enrolled and st.has_passed for st in others)
    assert any(st.is_enrolled and st.has_engaged and st.last_visit > as_of - datetime.timedelta(days=7)
               for st in others) or not others


def test_at_risk_rows_carry_the_learner_figures(demo, demo_spec):
    rows = query(demo, "SELECT * FROM reporting.learner_at_risk")
    states, users = learner_states(demo_spec), usernames(demo_spec)
    as_of = single_as_of(rows)
    for r in rows:
        st = states[(r["course_key"], r["actor_id"])]
        assert (r["user_id"], r["username"]) == users[r["actor_id"]]
        assert r["enrollment_mode"] == st.enrollment_mode
        assert utc_naive(r["enrolled_at"]) == st.enrolled_at
        assert utc_naive(r["last_visit_at"]) == st.last_visit
        assert r["days_since_last_visit"] == (as_of - st.last_visit).days >= 7
        assert r["course_grade"] == (None if st.course_grade is None else pytest.approx(st.course_grade))
        assert r["videos_viewed"] == len(st.videos)
        assert r["problems_attempted"] == len(st.problems)
        assert r["problems_correct"] == st.problems_correct
        if st.problems:
            assert r["pct_correct"] == pytest.approx(round(100 * st.problems_correct / len(st.problems), 1))
        else:
            assert r["pct_correct"] is None


def test_at_risk_breakdowns_are_group_bys(demo, demo_spec):
    """Breakdown by track and the distributions aggregate the one-row-per-learner mart."""
    rows = query(demo, "SELECT * FROM reporting.learner_at_risk")
    as_of = single_as_of(rows)
    states = learner_states(demo_spec)
    expected = collections.Counter(
        (st.course_key, st.enrollment_mode) for st in states.values() if st.at_risk(as_of))
    got = {(r["course_key"], r["enrollment_mode"]): r["n"] for r in query(
        demo, "SELECT course_key, enrollment_mode, count() AS n FROM reporting.learner_at_risk GROUP BY 1, 2")}
    assert got == dict(expected)


def test_at_risk_without_pii_has_no_names_emails_or_usernames(demo, tmp_path):
    from tutoraspects.dbt_runner import run_dbt

    if not demo.enable_pii:
        rows = query(demo, "SELECT name, email FROM reporting.learner_at_risk")
        assert rows and all(r["name"] == "" and r["email"] == "" for r in rows)
    for pii in (False, True):
        work = tmp_path / f"pii-{pii}"
        # learner_at_risk takes its names and emails from learner_summary: the one place that reads them.
        run_dbt(demo.with_overrides(enable_pii=pii), ["compile", "-s", "learner_summary"],
                echo=lambda _: None, work_dir=work)
        sql = next(Path(work, "target", "compiled").rglob("learner_summary.sql")).read_text()
        assert ("stg_sink_user_profile" in sql) is pii, pii
    # usernames: the learner state every per-learner mart takes them from (the end-to-end scenario,
    # with PII off, finds them empty)
    run_dbt(demo.with_overrides(enable_pii=False), ["compile", "-s", "int_learner_course_state"],
            echo=lambda _: None, work_dir=tmp_path / "state")
    sql = next(Path(tmp_path, "state", "target", "compiled").rglob("int_learner_course_state.sql")).read_text()
    assert "'' AS username" in sql and "users.username" not in sql


# ------------------------------------------------------ individual learner


def test_learner_summary_one_row_per_learner_and_course(demo, demo_spec):
    rows = query(demo, "SELECT * FROM reporting.learner_summary")
    as_of = single_as_of(rows)
    states, users = learner_states(demo_spec), usernames(demo_spec)
    assert {(r["course_key"], r["actor_id"]) for r in rows} == set(states)
    assert len(rows) == len(states)
    for r in rows:
        st = states[(r["course_key"], r["actor_id"])]
        assert r["username"] == users[r["actor_id"]][1]
        assert bool(r["is_enrolled"]) == st.is_enrolled
        assert bool(r["has_passed"]) == st.has_passed
        assert bool(r["has_engaged"]) == st.has_engaged
        assert bool(r["is_at_risk"]) == st.at_risk(as_of)
        assert r["course_grade"] == (None if st.course_grade is None else pytest.approx(st.course_grade))
        assert r["problems_attempted"] == len(st.problems)
        assert r["problems_correct"] == st.problems_correct
        assert r["problem_submissions"] == sum(len(v) for v in st.problems.values())
        assert r["videos_viewed"] == len(st.videos)
        assert (utc_naive(r["last_visit_at"]) if r["last_visit_at"] else None) == st.last_visit


def test_learner_summary_course_totals(demo, demo_spec):
    blocks = generate_sink_rows(demo_spec)["course_blocks"]
    totals = collections.Counter((b["course_key"], b["block_type"]) for b in blocks)
    for r in query(demo, "SELECT DISTINCT course_key, pages_total, videos_total, problems_total "
                         "FROM reporting.learner_summary"):
        assert r["pages_total"] == totals[(r["course_key"], "vertical")]
        assert r["videos_total"] == totals[(r["course_key"], "video")]
        assert r["problems_total"] == totals[(r["course_key"], "problem")]


def test_learner_problem_results(demo, demo_spec):
    rows = query(demo, "SELECT * FROM reporting.learner_problem_results")
    states = learner_states(demo_spec)
    as_of = single_as_of(rows)
    expected = {}
    for (course, actor), st in states.items():
        for problem, results in st.problems.items():
            expected[(course, actor, problem)] = (len(results), max(results)[1], st.at_risk(as_of))
    got = {(r["course_key"], r["actor_id"], r["problem_id"]): (r["attempts"], bool(r["is_correct"]),
                                                             bool(r["is_at_risk"])) for r in rows}
    assert got == expected
    assert all(r["problem_name"] and r["subsection_id"] for r in rows)


def test_course_information_active_last_7_days_and_median_grade(demo, demo_spec):
    """Course Information: enrolled learners who visited in the 7 days before the learner state's refresh,
    and the median grade of the enrolled learners who have one."""
    as_of = single_as_of(query(demo, "SELECT as_of FROM reporting.learner_summary"))
    expected: dict[str, tuple[int, float | None]] = {}
    by_course: dict[str, list] = {}
    for (course, _), st in learner_states(demo_spec).items():
        if st.enrollment_events:
            by_course.setdefault(course, []).append(st)
    for course, states in by_course.items():
        enrolled = [st for st in states if st.is_enrolled]
        active = sum(1 for st in enrolled if st.last_visit and st.last_visit >= as_of - datetime.timedelta(days=7))
        grades = [st.course_grade for st in enrolled if st.course_grade is not None]
        expected[course] = (active, round(statistics.median(grades), 4) if grades else None)
    got = {r["course_key"]: (r["active_last_7_days"], r["median_grade"])
           for r in query(demo, "SELECT * FROM reporting.course_enrollment_summary")}
    assert {course: (n, None if m is None else pytest.approx(m, abs=1e-4)) for course, (n, m) in expected.items()} == got
    assert any(n for n, _ in got.values()) and any(m for _, m in got.values())


def test_in_context_problem_figures(demo, demo_spec):
    """Studio's problem dashboard: learners right at their first answer, per problem, filtered by block id."""
    first_right = collections.Counter()
    for (course, _), st in learner_states(demo_spec).items():
        for problem, results in st.problems.items():
            first_right[(course, problem)] += min(results)[1]
    rows = query(demo, "SELECT * FROM reporting.course_problem_results WHERE learners_attempted > 0")
    assert {(r["course_key"], r["problem_id"]): r["learners_first_correct"] for r in rows} == \
        {key: first_right[key] for key in ((r["course_key"], r["problem_id"]) for r in rows)}
    assert any(r["learners_first_correct"] < r["learners_correct"] for r in rows)  # some got it right later
    assert all(r["problem_id"].endswith("block@" + r["block_id"]) and r["block_id"] for r in rows)


def test_in_context_subsection_scores(demo, demo_spec):
    """Studio's graded-subsection dashboard: each learner's score there, from their latest answers' scores."""
    latest: dict[tuple[str, str, str], tuple] = {}
    for s in parsed_statements(demo_spec):
        if s.kind in ANSWER_KINDS:
            problem = BLOCK_KEY.search(s.raw["object"]["id"]).group(0)
            key = (s.course_key, s.actor, problem)
            if key not in latest or s.time >= latest[key][0]:
                latest[key] = (s.time, s.raw["result"]["score"]["scaled"])
    problems = query(demo, "SELECT course_key, problem_id, subsection_id, block_id FROM reporting.course_problem_results "
                           "WHERE graded")
    subsection_of = {(r["course_key"], r["problem_id"]): r["subsection_id"] for r in problems}
    totals = collections.Counter(subsection_of.values())
    expected = collections.defaultdict(float)
    for (course, actor, problem), (_, score) in latest.items():
        if (course, problem) in subsection_of:
            expected[(course, subsection_of[(course, problem)], actor)] += score
    rows = query(demo, "SELECT * FROM reporting.subsection_learner_scores")
    got = {(r["course_key"], r["subsection_id"], r["actor_id"]): r["score"] for r in rows}
    assert got == {key: pytest.approx(total / totals[key[1]], abs=1e-4) for key, total in expected.items()}
    assert all(r["subsection_id"].endswith("block@" + r["block_id"]) for r in rows)
    final = query(demo, "SELECT * FROM reporting.subsection_problem_results")
    assert {(r["course_key"], r["problem_id"], r["block_id"]) for r in final} == \
        {(r["course_key"], r["problem_id"], r["subsection_id"].rsplit("block@", 1)[1]) for r in problems}


def test_learner_problem_results_carry_the_course_wide_figures(demo, demo_spec):
    """Each row compares the learner (or the at-risk group) with every learner who tried the problem."""
    rows = query(demo, "SELECT * FROM reporting.learner_problem_results")
    tried: dict[tuple[str, str], list[tuple[int, bool]]] = {}
    for (course, _), st in learner_states(demo_spec).items():
        for problem, results in st.problems.items():
            tried.setdefault((course, problem), []).append((len(results), max(results)[1]))
    expected = {key: (round(100 * sum(right for _, right in learners) / len(learners), 2),
                      round(sum(n for n, _ in learners) / len(learners), 2)) for key, learners in tried.items()}
    got = {(r["course_key"], r["problem_id"]): (r["course_pct_correct"], r["course_avg_attempts"]) for r in rows}
    assert got == {key: expected[key] for key in got}
    assert len({value for value, _ in got.values()}) > 1  # problems differ


def test_learner_video_views(demo, demo_spec):
    rows = query(demo, "SELECT * FROM reporting.learner_video_views")
    full = collections.defaultdict(bool)
    plays = collections.Counter()
    for s in parsed_statements(demo_spec):
        if s.kind in ("video_played", "video_completed"):
            key = (s.course_key, s.actor, BLOCK_KEY.search(s.raw["object"]["id"]).group(0))
            plays[key] += s.kind == "video_played"
            full[key] |= s.kind == "video_completed"
    got = {(r["course_key"], r["actor_id"], r["video_id"]): r for r in rows}
    assert set(got) == set(full) and {k: r["plays"] for k, r in got.items()} == dict(plays)
    # in full: completed, or 95% covered, as the course dashboard counts (verified in test_marts_course)
    assert all(got[key]["watched_in_full"] for key, completed in full.items() if completed)
    course = {r["video_id"]: r["learners_watched_full"]
              for r in query(demo, "SELECT * FROM reporting.course_video_views") if r["learners_watched_full"]}
    assert collections.Counter(r["video_id"] for r in rows if r["watched_in_full"]) == course


def test_learner_subsection_engagement(demo, demo_spec):
    """Pages: where a navigation shows the learner and where it sends them (tests/xapi_pages.py)."""
    blocks = generate_sink_rows(demo_spec)["course_blocks"]
    by_location = {b["location"]: b for b in blocks}
    units = collections.defaultdict(list)  # course -> verticals in course order
    for b in sorted(blocks, key=lambda b: b["display_order"]):
        if b["block_type"] == "vertical":
            units[b["course_key"]].append(b)
    expected = collections.defaultdict(lambda: [set(), set(), set()])
    for s in parsed_statements(demo_spec):
        raw, item = s.raw, None
        if s.family == "navigation":  # possibly two units: where the learner was, where they went
            for unit in visited_units(raw, units[s.course_key]):
                b = by_location[unit]
                expected[(s.course_key, s.actor, b["section_number"], b["subsection_number"])][0].add(unit)
            continue
        elif s.kind in ("video_played", "video_completed"):
            item, slot = BLOCK_KEY.search(raw["object"]["id"]).group(0), 1
        elif s.kind in ANSWER_KINDS:
            item, slot = BLOCK_KEY.search(raw["object"]["id"]).group(0), 2
        if item:
            b = by_location[item]
            expected[(s.course_key, s.actor, b["section_number"], b["subsection_number"])][slot].add(item)
    rows = query(demo, "SELECT * FROM reporting.learner_subsection_engagement")
    got = {(r["course_key"], r["actor_id"], r["section_number"], r["subsection_number"]):
           (r["pages_visited"], r["videos_viewed"], r["problems_attempted"]) for r in rows}
    assert got == {k: tuple(len(v) for v in sets) for k, sets in expected.items()}
    assert all(r["pages_visited"] <= r["pages_total"] and r["videos_viewed"] <= r["videos_total"]
               and r["problems_attempted"] <= r["problems_total"] for r in rows)


def test_learner_section_engagement_adds_up_subsections(demo):
    """Per learner and section: the subsections' figures summed, against the section's own totals."""
    subsections = query(demo, "SELECT * FROM reporting.learner_subsection_engagement")
    expected = collections.defaultdict(lambda: [0, 0, 0])
    for r in subsections:
        sums = expected[(r["course_key"], r["actor_id"], r["section_number"])]
        sums[0] += r["pages_visited"]
        sums[1] += r["videos_viewed"]
        sums[2] += r["problems_attempted"]
    totals = {(r["course_key"], r["section_number"]): (r["pages"], r["videos"], r["problems"])
              for r in query(demo, "SELECT * FROM reporting.course_section_engagement")}
    rows = query(demo, "SELECT * FROM reporting.learner_section_engagement")
    assert {(r["course_key"], r["actor_id"], r["section_number"]):
            [r["pages_visited"], r["videos_viewed"], r["problems_attempted"]] for r in rows} == expected
    for r in rows:
        assert (r["pages_total"], r["videos_total"], r["problems_total"]) == totals[(r["course_key"], r["section_number"])]


def test_learner_video_segments_add_up_to_the_course_heat_map(demo):
    """Summed over learners, each video segment's views are the course heat map's."""
    course = {(r["course_key"], r["video_id"], r["segment"]): r["views"]
              for r in query(demo, "SELECT * FROM reporting.course_video_segments") if r["views"]}
    rows = query(demo, "SELECT course_key, video_id, segment, sum(views) AS total, countIf(views = 0) AS empty "
                       "FROM reporting.learner_video_segments GROUP BY ALL")
    assert course and {(r["course_key"], r["video_id"], r["segment"]): r["total"] for r in rows} == course
    assert not any(r["empty"] for r in rows)
