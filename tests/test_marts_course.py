"""Course dashboard marts against an independent computation in Python.

The reference below reads the generator's own output (event-sink rows and
xAPI statements of DEMO_SPEC), never the SQL: it replays each learner's
statements in order and counts what each chart should show.
"""

from __future__ import annotations

import collections
import datetime
import math
import re
from pathlib import Path

import pytest
import yaml
from xapi_pages import BLOCK_KEY, visited_units

from tutoraspects.clickhouse_client import connect
from tutoraspects.demo_data import generate_sink_rows, generate_statements
from tutoraspects.demo_data.statements import (
    EXT_MODE,
    EXT_VIDEO_LENGTH,
    EXT_VIDEO_TIME,
    EXT_VIDEO_TIME_FROM,
    kind_of,
)

ASSETS = Path(__file__).resolve().parent.parent / "superset_assets"
SEGMENTS = 20  # course_video_segments: 5% of the video each
FULL_SHARE = 0.95  # watched in full: completed, or this share of the video covered
KINDS = (("vertical", "page"), ("video", "video"), ("problem", "problem"))  # block type, column name
# course_activity_daily: the statements that make a learner active, by kind (statements.KINDS keys)
ACTIVITIES = {"nav_tab": "page", "nav_next": "page", "nav_previous": "page", "nav_outline": "page",
              "video_played": "video", "video_completed": "video", "problem_check_server": "problem",
              "problem_check_multi": "problem",
              "forum_thread_created": "forum", "forum_response_created": "forum"}


# ------------------------------------------------------------------ reference


def course_of(statement: dict) -> str:
    """The course key a statement belongs to (object first, then its parent course)."""
    ids = [statement["object"]["id"]]
    ids += [p["id"] for p in statement["context"].get("contextActivities", {}).get("parent", [])]
    for activity_id in ids:
        match = re.search(r"course-v1:[^/]+", activity_id)
        if match:
            return match.group(0)
        match = re.search(r"block-v1:([^+]+\+[^+]+\+[^+]+)\+", activity_id)
        if match:
            return "course-v1:" + match.group(1)
    raise ValueError(statement["id"])


def block_of(statement: dict) -> str:
    return re.search(r"block-v1:[^/\"?#]+", statement["object"]["id"]).group(0)


class Reference:
    """Everything the course marts should contain, computed from the demo data."""

    def __init__(self, spec):
        sink = generate_sink_rows(spec)
        self.courses = {row["course_key"]: row for row in sink["course_overviews"]}
        self.blocks = {row["location"]: row for row in sink["course_blocks"]}
        self.statements = collections.defaultdict(list)  # verb -> statements
        for statement in generate_statements(spec):
            self.statements[statement["verb"]["display"]["en"]].append(statement)
        for statements in self.statements.values():
            statements.sort(key=lambda s: s["timestamp"])

    def of_verbs(self, *verbs):
        return sorted((s for verb in verbs for s in self.statements[verb]), key=lambda s: s["timestamp"])

    def blocks_of_type(self, block_type):
        return [b for b in self.blocks.values() if b["block_type"] == block_type]

    # ---------------------------------------------------------- enrollments

    def enrollment_histories(self):
        """(course, actor) -> [(timestamp, active, mode), ...] in time order."""
        histories = collections.defaultdict(list)
        for s in self.of_verbs("registered", "unregistered"):
            mode = s["object"]["definition"]["extensions"][EXT_MODE]
            histories[(course_of(s), s["actor"]["account"]["name"])].append(
                (s["timestamp"], s["verb"]["display"]["en"] == "registered", mode))
        return histories

    def enrollment_summary(self):
        result = collections.defaultdict(lambda: {"total_enrollees": 0, "active_enrollees": 0})
        for (course, _), history in self.enrollment_histories().items():
            result[course]["total_enrollees"] += 1
            result[course]["active_enrollees"] += history[-1][1]
        return result

    def enrollments_by_track(self):
        result = collections.defaultdict(lambda: {"enrollees": 0, "active_enrollees": 0})
        for (course, _), history in self.enrollment_histories().items():
            _, active, mode = history[-1]
            result[(course, mode)]["enrollees"] += 1
            result[(course, mode)]["active_enrollees"] += active
        return result

    def enrollments_daily(self):
        days = collections.defaultdict(lambda: {"new_enrollments": 0, "track_joins": 0, "track_leaves": 0})
        for (course, _), history in self.enrollment_histories().items():
            previous = None  # (active, mode)
            for timestamp, active, mode in history:
                day = timestamp[:10]
                if previous is not None and previous[0]:
                    days[(course, day, previous[1])]["track_leaves"] += 1
                if active:
                    days[(course, day, mode)]["track_joins"] += 1
                    days[(course, day, mode)]["new_enrollments"] += previous is None
                previous = (active, mode)
        running = collections.Counter()
        running_new = collections.Counter()
        for course, day, mode in sorted(days):
            row = days[(course, day, mode)]
            row["net_change"] = row["track_joins"] - row["track_leaves"]
            running[(course, mode)] += row["net_change"]
            running_new[(course, mode)] += row["new_enrollments"]
            row["cumulative_enrollments"] = running[(course, mode)]
            row["cumulative_new_enrollments"] = running_new[(course, mode)]
        return days

    # ---------------------------------------------------------- engagement

    def activity_daily(self):
        """(course, day, activity) -> {learners, interactions}."""
        learners, interactions = collections.defaultdict(set), collections.Counter()
        for statements in self.statements.values():
            for s in statements:
                activity = ACTIVITIES.get(kind_of(s))
                if activity:
                    key = (course_of(s), s["timestamp"][:10], activity)
                    learners[key].add(s["actor"]["account"]["name"])
                    interactions[key] += 1
        return {key: {"learners": len(learners[key]), "interactions": interactions[key]} for key in learners}

    def learner_activity_daily(self):
        """(course, actor, day, activity) -> interactions."""
        interactions = collections.Counter()
        for statements in self.statements.values():
            for s in statements:
                activity = ACTIVITIES.get(kind_of(s))
                if activity:
                    interactions[(course_of(s), s["actor"]["account"]["name"], s["timestamp"][:10], activity)] += 1
        return dict(interactions)

    def pages_visited(self, since: str | None = None):
        """actor, unit pairs per course (tests/xapi_pages.py), on or after the day `since`."""
        units = {course: sorted((b for b in self.blocks_of_type("vertical") if b["course_key"] == course),
                                key=lambda b: b["display_order"])
                 for course in self.courses}
        visited = set()
        for s in self.statements["navigated"]:
            if since and s["timestamp"][:10] < since:
                continue
            course = course_of(s)
            for unit in visited_units(s, units[course]):
                visited.add((course, s["actor"]["account"]["name"], unit))
        return visited

    def video_stretches(self):
        """(course, video, actor) -> [(start, end), ...]: a play until the next pause, stop, completion or seek."""
        events = collections.defaultdict(list)
        for s in self.of_verbs("played", "paused", "terminated", "completed", "seeked", "initialized"):
            if "video" in s["object"]["definition"]["type"]:
                events[(course_of(s), block_of(s), s["actor"]["account"]["name"])].append(s)
        stretches = collections.defaultdict(list)
        for key, statements in events.items():
            for current, following in zip(statements, statements[1:]):
                if current["verb"]["display"]["en"] != "played":
                    continue
                length = current["context"]["extensions"][EXT_VIDEO_LENGTH]
                start = current["result"]["extensions"][EXT_VIDEO_TIME]
                verb = following["verb"]["display"]["en"]
                if verb == "seeked":
                    end = following["result"]["extensions"][EXT_VIDEO_TIME_FROM]
                elif verb in ("paused", "terminated", "completed"):
                    end = following["result"]["extensions"][EXT_VIDEO_TIME]
                else:
                    continue
                end = min(end, length)
                if end > start:
                    stretches[key].append((start, end, length))
        return stretches

    def video_viewers(self):
        """(course, video) -> ({actors who watched part}, {actors who watched all})."""
        stretches = self.video_stretches()
        completed = {(course_of(s), block_of(s), s["actor"]["account"]["name"])
                     for s in self.statements["completed"] if "video" in s["object"]["definition"]["type"]}
        played = {(course_of(s), block_of(s), s["actor"]["account"]["name"])
                  for s in self.statements["played"]}
        viewers = collections.defaultdict(lambda: (set(), set()))
        for key in played | completed:
            course, video, actor = key
            covered, reached = 0.0, 0.0
            length = 0.0
            for start, end, length in sorted(stretches.get(key, [])):
                covered += max(end - max(start, reached), 0)
                reached = max(reached, end)
            viewers[(course, video)][0].add(actor)
            if key in completed or (length and covered >= FULL_SHARE * length):
                viewers[(course, video)][1].add(actor)
        return viewers

    def problem_attempts(self):
        """(course, problem) -> {actor: (submissions, latest submission correct)}."""
        results = collections.defaultdict(dict)
        for s in self.of_verbs("attempted", "evaluated"):
            if kind_of(s) == "problem_check_question":  # one per question: the parent counts the answer
                continue
            actor = s["actor"]["account"]["name"]
            by_actor = results[(course_of(s), block_of(s))]
            submissions, correct = by_actor.get(actor, (0, False))
            if s["verb"]["display"]["en"] == "evaluated":  # one per answer; `attempted` come with it
                score = s["result"]["score"]  # several questions: right when all are
                right = score["raw"] >= score["max"] if s["object"]["objectType"] == "GroupActivity" else s["result"]["success"]
                submissions, correct = submissions + 1, right
            by_actor[actor] = (submissions, correct)
        return results

    def engaged_items(self, since: str | None = None):
        """(course, actor, block) a learner engaged with (on or after the day `since`, YYYY-MM-DD):
        a page visited, a video played or completed, a problem with any statement."""
        items = {(course, actor, unit) for course, actor, unit in self.pages_visited(since)}
        for s in self.of_verbs("played", "completed", "attempted", "evaluated"):
            if since and s["timestamp"][:10] < since:
                continue
            kind = kind_of(s)
            if kind.startswith("video_") or kind.startswith("problem_"):
                # a question's statement: its problem is the context parent
                iri = s["context"]["contextActivities"]["parent"][0]["id"] if kind == "problem_check_question" \
                    else s["object"]["id"]
                items.add((course_of(s), s["actor"]["account"]["name"], BLOCK_KEY.search(iri).group(0)))
        return items

    def engagement(self, level: str, since: str | None = None):
        """Drop-off per section or subsection: (course, container) -> counts."""
        parent = {b["location"]: b["parent_location"] for b in self.blocks.values()}

        def container(location):  # the block's section (chapter) or subsection (sequential)
            wanted = "chapter" if level == "section" else "sequential"
            while location and self.blocks[location]["block_type"] != wanted:
                location = parent[location]
            return location

        totals = collections.defaultdict(collections.Counter)
        for b in self.blocks.values():
            if b["block_type"] in ("vertical", "video", "problem"):
                totals[container(b["location"])][b["block_type"]] += 1
        done = collections.defaultdict(collections.Counter)  # (container, actor) -> kind -> items
        for course, actor, location in self.engaged_items(since):
            done[(container(location), actor)][self.blocks[location]["block_type"]] += 1
        result = {}
        wanted = "chapter" if level == "section" else "sequential"
        for b in self.blocks_of_type(wanted):
            row = {"pages": totals[b["location"]]["vertical"], "videos": totals[b["location"]]["video"],
                   "problems": totals[b["location"]]["problem"], "learners_any_activity": 0}
            for kind, name in KINDS:
                row[f"learners_any_{name}"] = row[f"learners_all_{name}s"] = 0
            for (where, _), counts in done.items():
                if where != b["location"]:
                    continue
                row["learners_any_activity"] += 1
                for kind, name in KINDS:
                    row[f"learners_any_{name}"] += counts[kind] > 0
                    row[f"learners_all_{name}s"] += counts[kind] > 0 and counts[kind] == totals[b["location"]][kind]
            result[(b["course_key"], b["location"])] = row
        return result

    # -------------------------------------------------------------- grades

    def course_grades(self):
        """(course, actor) -> (latest course grade or None, ever passed)."""
        grades = {}
        for s in self.of_verbs("earned", "passed"):
            key = (course_of(s), s["actor"]["account"]["name"])
            grade, passed = grades.get(key, (None, False))
            if s["verb"]["display"]["en"] == "passed":
                passed = True
            elif "block-v1:" not in s["object"]["id"]:  # the course grade (not a subsection's)
                grade = s["result"]["score"]["scaled"]
            grades[key] = (grade, passed)
        return grades

    def is_passing(self, course, grade):
        return grade is not None and grade >= self.courses[course]["lowest_passing_grade"]


@pytest.fixture(scope="module")
def ref(demo_spec):
    return Reference(demo_spec)


@pytest.fixture(scope="module")
def client(demo):
    client = connect(demo)
    yield client
    client.close()


def dataset_metric(dataset: str, name: str) -> str:
    """A Superset dataset metric's SQL expression, as the versioned asset defines it."""
    config = yaml.safe_load((ASSETS / "datasets" / f"{dataset}.yaml").read_text())
    return next(m["expression"] for m in config["metrics"] if m["metric_name"] == name)


def rows(client, table, order_by="1"):
    result = client.query(f"SELECT * FROM reporting.{table} ORDER BY {order_by}")
    return [dict(zip(result.column_names, row)) for row in result.result_rows]


def pct(part, whole):
    return 0 if whole == 0 else 100 * part / whole


# ---------------------------------------------------------------- enrollments


def test_enrollment_summary(client, ref):
    expected = ref.enrollment_summary()
    got = {r["course_key"]: r for r in rows(client, "course_enrollment_summary")}
    assert set(got) == set(expected)
    for course, want in expected.items():
        row = got[course]
        assert row["total_enrollees"] == want["total_enrollees"], course
        assert row["active_enrollees"] == want["active_enrollees"], course
        assert row["unenrolled"] == want["total_enrollees"] - want["active_enrollees"], course
        assert row["active_pct"] == pytest.approx(pct(want["active_enrollees"], want["total_enrollees"]), abs=0.006)
        assert row["course_name"] == ref.courses[course]["display_name"]


def test_enrollments_by_track(client, ref):
    expected = ref.enrollments_by_track()
    got = {(r["course_key"], r["enrollment_mode"]): r for r in rows(client, "course_enrollments_by_track")}
    assert set(got) == set(expected)
    totals = ref.enrollment_summary()
    for key, want in expected.items():
        assert got[key]["enrollees"] == want["enrollees"], key
        assert got[key]["active_enrollees"] == want["active_enrollees"], key
        total = totals[key[0]]
        assert got[key]["pct_of_total_enrollees"] == pytest.approx(
            pct(want["enrollees"], total["total_enrollees"]), abs=0.006)
        assert got[key]["pct_of_active_enrollees"] == pytest.approx(
            pct(want["active_enrollees"], total["active_enrollees"]), abs=0.006)


def test_enrollments_daily(client, ref):
    expected = ref.enrollments_daily()
    got = {(r["course_key"], r["enrollment_date"].isoformat(), r["enrollment_mode"]): r
           for r in rows(client, "course_enrollments_daily")}
    assert set(got) == set(expected)
    for key, want in expected.items():
        assert {name: got[key][name] for name in want} == want, key


# ----------------------------------------------------------------- engagement


def test_activity_daily(client, ref):
    expected = ref.activity_daily()
    got = {(r["course_key"], r["activity_date"].isoformat(), r["activity"]): r
           for r in rows(client, "course_activity_daily")}
    assert {activity for _, _, activity in got} == {"page", "video", "problem", "forum"}
    assert set(got) == set(expected)
    for key, want in expected.items():
        assert {name: got[key][name] for name in want} == want, key


def test_learner_activity_daily(client, ref):
    """Each learner's activity per day and kind, flagged at risk exactly for the at-risk group's learners."""
    table = rows(client, "learner_activity_daily")
    got = {(r["course_key"], r["actor_id"], r["activity_date"].isoformat(), r["activity"]): r["interactions"]
           for r in table}
    assert got == ref.learner_activity_daily()
    at_risk = {(r["course_key"], r["actor_id"]) for r in rows(client, "learner_at_risk")}
    flagged = {(r["course_key"], r["actor_id"]) for r in table if r["is_at_risk"]}
    assert flagged and flagged == at_risk & {(r["course_key"], r["actor_id"]) for r in table}


@pytest.mark.parametrize("level", ["section", "subsection"])
def test_engagement_drop_off(client, ref, level):
    expected = ref.engagement(level)
    got = {(r["course_key"], r[f"{level}_id"]): r for r in rows(client, f"course_{level}_engagement")}
    assert set(got) == set(expected)
    for key, want in expected.items():
        assert {name: got[key][name] for name in want} == want, key
    # the demo data exercises the drop-off: some learners stop before seeing all of a section
    assert any(w["learners_all_pages"] < w["learners_any_page"] for w in expected.values())


@pytest.mark.parametrize("level", ["section", "subsection"])
def test_engagement_over_a_date_range(client, ref, demo_spec, level):
    """The drop-off charts over course_engagement_days, with their dataset's own metric expressions:
    the whole run gives course_<level>_engagement, a date range the items engaged with in it."""
    dataset = yaml.safe_load((ASSETS / "datasets" / "course_engagement_days.yaml").read_text())
    metrics = {m["metric_name"]: m["expression"] for m in dataset["metrics"]}
    names = ["learners_any_page", "learners_all_pages", "learners_any_video", "learners_all_videos",
             "learners_any_problem", "learners_all_problems", "learners_any_activity", "pages", "videos", "problems"]
    metric = {name: f"{name}_in_{level}" if name in ("pages", "videos", "problems") else f"{level}_{name}"
              for name in names}
    select = ", ".join(f"{metrics[metric[name]]} AS {name}" for name in names)
    whole_run = {(r["course_key"], r[f"{level}_id"]): {n: r[n] for n in names}
                 for r in rows(client, f"course_{level}_engagement") if r["learners_any_activity"]}
    since = (demo_spec.end - datetime.timedelta(days=14)).isoformat()
    for day, expected in ((None, whole_run), (since, ref.engagement(level, since))):
        where = f"WHERE day >= '{day}'" if day else ""
        result = client.query(f"SELECT course_key, {level}_id, {select} FROM reporting.course_engagement_days "
                              f"{where} GROUP BY course_key, {level}_id")
        got = {(r[0], r[1]): dict(zip(names, r[2:])) for r in result.result_rows}
        expected = {key: want for key, want in expected.items() if want["learners_any_activity"]}
        assert got == expected, day
    assert any(w["learners_all_pages"] < w["learners_any_page"] for w in expected.values())
    assert sum(w["learners_any_activity"] for w in expected.values()) < sum(
        w["learners_any_activity"] for w in whole_run.values()), "the range leaves learners out"


# --------------------------------------------------------------------- videos


def test_video_views(client, ref):
    viewers = ref.video_viewers()
    got = {r["video_id"]: r for r in rows(client, "course_video_views")}
    assert set(got) == {b["location"] for b in ref.blocks_of_type("video")}
    for video, row in got.items():
        part, full = viewers.get((row["course_key"], video), (set(), set()))
        assert row["learners_watched_part"] == len(part), video
        assert row["learners_watched_full"] == len(full), video
        assert row["learners_watched_part_only"] == len(part - full), video
    assert sum(r["learners_watched_full"] for r in got.values()) > 0
    assert sum(r["learners_watched_part_only"] for r in got.values()) > 0


def test_video_segments(client, ref):
    views = collections.Counter()
    viewers = collections.defaultdict(set)
    for (course, video, actor), stretches in ref.video_stretches().items():
        for start, end, length in stretches:
            for k in range(SEGMENTS):
                if start < (k + 1) * length / SEGMENTS and end > k * length / SEGMENTS:  # overlaps
                    views[(video, k)] += 1
                    viewers[(video, k)].add(actor)
    played = {BLOCK_KEY.search(s["object"]["id"]).group(0)  # any video statement carries the length
              for s in ref.of_verbs("initialized", "played", "paused", "seeked", "terminated", "completed")}
    got = rows(client, "course_video_segments")
    assert len(got) == SEGMENTS * len(ref.blocks_of_type("video"))
    for row in got:
        key = (row["video_id"], row["segment"])
        assert (row["views"], row["viewers"]) == (views[key], len(viewers[key])), key
        # the outline has no length (Studio start/end times unset): the statements' video length, if any
        duration = ref.blocks[row["video_id"]]["duration_seconds"] if row["video_id"] in played else 0
        assert row["segment_start_seconds"] == pytest.approx(row["segment"] * duration / SEGMENTS, abs=0.051)
    assert sum(views.values()) > 0
    # The "Repeat Views across Video Duration" heat map: its dataset metric, per video and segment, is the views
    # beyond each viewer's first.
    metric = dataset_metric("course_video_segments", "sum_repeat_views")
    repeats = {(video, segment): value for video, segment, value in client.query(
        f"SELECT video_id, segment, {metric} FROM reporting.course_video_segments GROUP BY video_id, segment").result_rows}
    assert repeats == {key: views[key] - len(viewers[key]) for key in repeats}
    assert any(repeats.values())


# --------------------------------------------------------------------- grades


def test_grade_summary_and_distribution(client, ref):
    per_course = collections.defaultdict(lambda: {"graded": 0, "passing": 0, "passed": 0, "sum": 0.0})
    buckets = collections.Counter()
    for (course, _), (grade, passed) in ref.course_grades().items():
        per_course[course]["passed"] += passed
        if grade is None:
            continue
        per_course[course]["graded"] += 1
        per_course[course]["sum"] += grade
        per_course[course]["passing"] += ref.is_passing(course, grade)
        buckets[(course, min(math.floor(round(grade * 100) / 10), 9))] += 1
    summary = {r["course_key"]: r for r in rows(client, "course_grade_summary")}
    assert set(summary) == set(per_course)
    for course, want in per_course.items():
        row = summary[course]
        assert (row["learners_with_grade"], row["learners_passing"], row["learners_passed"]) == (
            want["graded"], want["passing"], want["passed"]), course
        assert row["average_grade"] == pytest.approx(want["sum"] / want["graded"], abs=0.00006)
    # bucket 10: currently enrolled learners with no grade yet (not counted as 0)
    grades = ref.course_grades()
    for (course, actor), history in ref.enrollment_histories().items():
        if history[-1][1] and grades.get((course, actor), (None, False))[0] is None:
            buckets[(course, 10)] += 1
    assert any(key[1] == 10 for key in buckets), "the demo has enrolled learners without a grade"
    distribution = rows(client, "course_grade_distribution")
    assert len(distribution) == 11 * len(per_course)
    for row in distribution:
        assert row["learners"] == buckets[(row["course_key"], row["grade_bucket"])], row
        assert (row["grade_range"] == "No grade yet") == (row["grade_bucket"] == 10)
    assert sum(w["passing"] for w in per_course.values()) > 0


# ------------------------------------------------------------------- problems


def test_problem_results(client, ref):
    attempts = ref.problem_attempts()
    got = {r["problem_id"]: r for r in rows(client, "course_problem_results")}
    assert set(got) == {b["location"] for b in ref.blocks_of_type("problem")}
    for problem, row in got.items():
        by_actor = attempts.get((row["course_key"], problem), {})
        correct = sum(ok for _, ok in by_actor.values())
        submissions = sum(n for n, _ in by_actor.values())
        assert row["learners_attempted"] == len(by_actor), problem
        assert row["learners_correct"] == correct, problem
        assert row["learners_incorrect"] == len(by_actor) - correct, problem
        assert row["attempts"] == submissions, problem
        assert row["graded"] == ref.blocks[problem]["graded"]
        if by_actor:
            assert row["pct_correct"] == pytest.approx(pct(correct, len(by_actor)), abs=0.006)
            assert row["avg_attempts"] == pytest.approx(submissions / len(by_actor), abs=0.006)
    assert any(r["graded"] and r["learners_attempted"] for r in got.values())
    assert any(not r["graded"] and r["learners_attempted"] for r in got.values())


def test_assignment_results(client, ref):
    attempts = ref.problem_attempts()
    got = {r["subsection_id"]: r for r in rows(client, "course_assignment_results")}
    graded = [b for b in ref.blocks_of_type("sequential") if b["graded"]]
    assert set(got) == {b["location"] for b in graded}
    for subsection in graded:
        units = {b["location"] for b in ref.blocks.values() if b["parent_location"] == subsection["location"]}
        problems = [b["location"] for b in ref.blocks_of_type("problem") if b["parent_location"] in units]
        learners, results, correct = set(), 0, 0
        for problem in problems:
            for actor, (_, ok) in attempts.get((subsection["course_key"], problem), {}).items():
                learners.add(actor)
                results += 1
                correct += ok
        row = got[subsection["location"]]
        assert (row["problems"], row["learners_attempted"], row["results"], row["correct_results"],
                row["incorrect_results"]) == (len(problems), len(learners), results, correct, results - correct)
        assert row["assignment_type"] == ""  # platform-plugin-aspects 2.1.0 does not send the grading format
        if results:
            assert row["pct_correct"] == pytest.approx(pct(correct, results), abs=0.006)


def test_marts_are_small_and_keyed_for_the_course_filter(client):
    """Dashboards read small tables sorted by (org, course_key, ...)."""
    tables = client.query(
        "SELECT name, sorting_key FROM system.tables WHERE database = 'reporting' AND name LIKE 'course\\_%' "
        "AND engine = 'MergeTree'").result_rows
    assert len(tables) >= 11
    for name, sorting_key in tables:
        assert sorting_key.startswith("org, course_key"), name
