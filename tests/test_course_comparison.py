"""The Course Comparison dashboard: its mart against the learners' own statements, its course-level
metrics over runs written by hand, and its Tag filter and access through Superset.

The demo's event sink is filled by platform-plugin-aspects's own sinks (its tags included), so the
tags a course carries come the way a real Studio sends them.
"""

from __future__ import annotations

import collections
import datetime
import json
import statistics
import uuid
from pathlib import Path

import pytest
import yaml

from conftest import DEMO_SPEC, demo_course_keys
from test_marts_learners import learner_states, query, single_as_of
from test_superset_sign_in import sign_in, with_csrf
from tutoraspects.clickhouse_client import connect
from tutoraspects.demo_data.platform import platform_state

DAY = datetime.timedelta(days=1)
ASSETS = Path(__file__).resolve().parent.parent / "superset_assets"
DATASET = yaml.safe_load((ASSETS / "datasets" / "course_comparison.yaml").read_text())
METRICS = {m["metric_name"]: m["expression"] for m in DATASET["metrics"]}


def expected_tags() -> dict[str, list[str]]:
    """course key -> "Taxonomy: tag" of every tag applied in Studio and of its parents."""
    state = platform_state(DEMO_SPEC)
    taxonomies = {t["id"]: t["name"] for t in state["taxonomies"]}
    tags = {t["id"]: t for t in state["tags"]}
    result = {}
    for course in state["courses"]:
        names = set()
        for tag_id in course["tags"]:
            tag = tags[tag_id]
            while tag:
                names.add(f"{taxonomies[tag['taxonomy']]}: {tag['value']}")
                tag = tags.get(tag["parent"])
        result[course["course_key"]] = sorted(names)
    return result


def test_one_row_per_run_matches_the_learners(demo, demo_spec):
    rows = query(demo, "SELECT * FROM reporting.course_comparison")
    as_of = single_as_of(rows)
    by_course = collections.defaultdict(list)
    for state in learner_states(demo_spec).values():
        by_course[state.course_key].append(state)
    assert sorted(r["course_key"] for r in rows) == sorted(by_course)
    tags = expected_tags()
    for row in rows:
        mine = by_course[row["course_key"]]
        enrolled = [st for st in mine if st.is_enrolled]
        number, run = row["course_key"].split(":")[1].rsplit("+", 1)
        assert (row["course"], row["course_run"]) == (number, run)
        assert row["tags"] == tags[row["course_key"]] and len(row["tags"]) >= 2
        assert row["enrollments"] == len(mine)
        assert row["active_enrollments"] == len(enrolled)
        assert row["completed_learners"] == sum(st.has_passed for st in mine)
        assert row["active_last_7_days"] == sum(1 for st in enrolled if st.last_visit and st.last_visit >= as_of - 7 * DAY)
        # the breakdown: four disjoint groups of the enrolled learners
        groups = {
            "passed_learners": [st for st in enrolled if st.has_passed],
            "at_risk_learners": [st for st in enrolled if st.at_risk(as_of)],
            "active_learners": [st for st in enrolled if not st.has_passed and not st.at_risk(as_of) and st.has_engaged],
            "not_started_learners": [st for st in enrolled if not st.has_passed and not st.has_engaged],
        }
        assert {name: row[name] for name in groups} == {name: len(group) for name, group in groups.items()}
        assert sum(row[name] for name in groups) == row["active_enrollments"]
        grades = sorted(st.course_grade for st in enrolled if st.course_grade is not None)  # no grade is not 0
        assert row["graded_learners"] == len(grades)
        assert sorted(row["grades"]) == pytest.approx(grades)
        assert row["median_grade"] == (pytest.approx(statistics.median(grades), abs=1e-4) if grades else None)
        assert row["avg_grade"] == (pytest.approx(sum(grades) / len(grades), abs=1e-4) if grades else None)
    assert all(any(r[name] for r in rows) for name in ("passed_learners", "at_risk_learners", "active_learners"))


def test_problem_and_video_figures_are_the_course_dashboards(demo):
    """First-attempt results and video engagement per run add up the Course dashboard's marts (each
    checked against the statements in test_marts_course.py): one view, the same numbers."""
    rows = {r["course_key"]: r for r in query(demo, "SELECT * FROM reporting.course_comparison")}
    problems = {r["course_key"]: r for r in query(demo, """
        SELECT course_key, sum(learners_attempted) AS tried, sum(learners_first_correct) AS first_correct
        FROM reporting.course_problem_results GROUP BY course_key""")}
    views = {r["course_key"]: r for r in query(demo, """
        SELECT course_key, count() AS videos, countIf(learners_watched_part > 0) AS watched,
               sum(learners_watched_part) AS viewings, sum(watched_seconds) AS seconds
        FROM reporting.course_video_views GROUP BY course_key""")}
    segments = {r["course_key"]: r for r in query(demo, """
        SELECT course_key, count() AS segments, countIf(viewers > 0) AS watched, countIf(views > viewers) AS rewatched
        FROM reporting.course_video_segments GROUP BY course_key""")}
    for key, row in rows.items():
        assert (row["first_attempts"], row["first_attempts_correct"]) == \
            (problems[key]["tried"], problems[key]["first_correct"]), key
        assert row["first_attempt_pct_correct"] == pytest.approx(
            100 * problems[key]["first_correct"] / problems[key]["tried"], abs=0.01)
        assert (row["videos"], row["videos_watched"], row["video_viewings"]) == \
            (views[key]["videos"], views[key]["watched"], views[key]["viewings"]), key
        assert row["watched_seconds"] == pytest.approx(views[key]["seconds"])
        assert (row["video_segments"], row["video_segments_watched"], row["video_segments_rewatched"]) == \
            (segments[key]["segments"], segments[key]["watched"], segments[key]["rewatched"]), key
        assert 0 < row["rewatched_pct"] <= row["watched_pct"] <= 100


def test_course_level_metrics_add_runs_up(demo):
    """Two runs of one course, written by hand: the dataset's metrics (what the course-level charts
    show) are the figures of the course as a whole, not averages of the runs' ratios."""
    client = connect(demo)
    table = f"default.comparison_runs_{uuid.uuid4().hex[:8]}"
    client.command(f"CREATE TABLE {table} AS reporting.course_comparison ENGINE = Memory")
    try:
        runs = [
            dict(course_key="course-v1:OrgX+C1+2025", enrollments=10, completed_learners=5, graded_learners=3,
                 grade_sum=0.3 + 0.5 + 0.7, grades=[0.3, 0.5, 0.7], first_attempts=4, first_attempts_correct=4,
                 videos=2, video_seconds=600.0, video_viewings=3, watched_seconds=900.0, video_segments=20,
                 video_segments_watched=20, video_segments_rewatched=10),
            dict(course_key="course-v1:OrgX+C1+2026", enrollments=30, completed_learners=3, graded_learners=1,
                 grade_sum=0.9, grades=[0.9], first_attempts=6, first_attempts_correct=0,
                 videos=2, video_seconds=600.0, video_viewings=1, watched_seconds=100.0, video_segments=20,
                 video_segments_watched=10, video_segments_rewatched=0),
        ]
        columns = list(runs[0]) + ["org", "course"]
        client.insert(table, [[run[c] for c in columns[:-2]] + ["OrgX", "OrgX+C1"] for run in runs],
                      column_names=columns)
        names = ["completion_rate", "avg_course_grade", "median_course_grade", "first_attempt_correct",
                 "avg_video_length", "avg_watched_length", "watched_percent", "rewatched_percent", "runs"]
        result = client.query(f"SELECT {', '.join(METRICS[n] for n in names)} FROM {table} GROUP BY course")
        got = dict(zip(names, result.result_rows[0]))
    finally:
        client.command(f"DROP TABLE IF EXISTS {table}")
        client.close()
    assert got == pytest.approx({
        "completion_rate": 8 / 40,  # not the mean of 0.5 and 0.1
        "avg_course_grade": 0.6,  # (0.3 + 0.5 + 0.7 + 0.9) / 4
        "median_course_grade": 0.6,  # of the four grades: the mean of the middle two
        "first_attempt_correct": 0.4,
        "avg_video_length": 300.0,
        "avg_watched_length": 250.0,  # 1000 s over 4 viewings
        "watched_percent": 0.75,
        "rewatched_percent": 0.25,
        "runs": 2,
    })


def _run_info(session, url: str, chart_id: int, tags: list[str] | None) -> list[dict]:
    """The Course Run Info table as the dashboard asks for it, with the Tag filter set to `tags`."""
    chart = session.get(f"{url}/api/v1/chart/{chart_id}", timeout=60).json()["result"]
    context = json.loads(chart["query_context"])
    context["datasource"] = {"id": context["datasource"]["id"], "type": "table"}
    if tags:
        context["queries"][0]["filters"] = [{"col": "tag", "op": "IN", "val": tags}]
    answer = with_csrf(session, url).post(f"{url}/api/v1/chart/data", json=context, timeout=120)
    assert answer.status_code == 200, answer.text[:500]
    return answer.json()["result"][0]["data"]


def test_tag_filter_keeps_the_runs_with_the_tag_and_the_course_team_sees_its_own(settings_, client):
    charts = {row["slice_name"]: row["id"] for row in client.list("chart", ("id", "slice_name"))}
    datasets = {row["table_name"]: row["id"] for row in client.list("dataset", ("id", "table_name"))}
    url = settings_.superset_url
    tags = expected_tags()
    keys = demo_course_keys()
    chosen = tags[keys[0]][-1]  # a tag of the first course, not carried by every course
    tagged = {key for key, names in tags.items() if chosen in names}
    assert keys[0] in tagged and tagged != set(keys)

    admin = sign_in(url, "gina")
    assert {r["course_key"] for r in _run_info(admin, url, charts["Course Run Info"], None)} == set(keys)
    assert {r["course_key"] for r in _run_info(admin, url, charts["Course Run Info"], [chosen])} == tagged
    # the Tag filter's choices: every tag on a run
    context = {"datasource": {"id": datasets["course_comparison_tags"], "type": "table"},
               "form_data": {"viz_type": "filter_select"},
               "queries": [{"columns": ["tag"], "metrics": [], "groupby": ["tag"], "row_limit": 1000, "filters": [],
                            "orderby": [["tag", True]]}],
               "result_format": "json", "result_type": "full"}
    answer = with_csrf(admin, url).post(f"{url}/api/v1/chart/data", json=context, timeout=120)
    assert answer.status_code == 200, answer.text[:300]
    assert [r["tag"] for r in answer.json()["result"][0]["data"]] == sorted({t for names in tags.values() for t in names})

    # ada staffs the first course only: the same filter gives her that course alone
    ada = sign_in(url, "ada")
    assert {r["course_key"] for r in _run_info(ada, url, charts["Course Run Info"], [chosen])} == {keys[0]}
