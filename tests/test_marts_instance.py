"""Operator (instance_*) and institutional (institution_*) marts against an
independent computation over the same generated statements and sink rows."""

from __future__ import annotations

import collections
import datetime

import pytest

from tutoraspects.demo_data import generate_sink_rows
from test_marts_learners import VISIT_KINDS, learner_states, parsed_statements, query, single_as_of, utc_naive

DAY = datetime.timedelta(days=1)


def test_events_per_hour_last_30_days(demo, demo_spec):
    rows = query(demo, "SELECT * FROM reporting.instance_events_per_hour")
    as_of = single_as_of(rows)
    start = (as_of - 30 * DAY).replace(minute=0, second=0, microsecond=0)
    expected = collections.Counter(
        (s.org, s.time.replace(minute=0, second=0, microsecond=0), s.family)
        for s in parsed_statements(demo_spec) if s.time >= start)
    assert expected, "the window holds demo events"
    assert {(r["org"], utc_naive(r["hour"]), r["event_family"]): r["events"] for r in rows} == dict(expected)


def test_data_quality_counts_every_statement(demo, demo_spec):
    rows = query(demo, "SELECT * FROM reporting.instance_data_quality")
    expected = collections.Counter((s.time.date(), s.family) for s in parsed_statements(demo_spec))
    assert {(r["day"], r["event_family"]): r["statements"] for r in rows} == dict(expected)
    # the generator only makes complete statements: nothing missing, nothing unsupported
    assert sum(r["missing_course_key"] + r["missing_actor"] + r["missing_object"] for r in rows) == 0


def test_event_sink_health_finds_nothing_missing(demo, demo_spec):
    """The demo's event sink came whole from the plugin: the check's counts and the block numbering agree."""
    rows = {r["table_name"]: r for r in query(demo, "SELECT * FROM reporting.instance_event_sink_health")}
    sink = generate_sink_rows(demo_spec)
    assert set(rows) == {"course_overviews", "course_blocks", "course_enrollment", "user_profile", "external_id"}
    assert rows["course_overviews"]["expected_rows"] == len(sink["course_overviews"])
    for row in rows.values():
        assert row["stored_rows"] == row["expected_rows"] and row["missing_rows"] == 0, row


def test_instance_health(demo, demo_spec):
    (row,) = query(demo, "SELECT * FROM reporting.instance_health")
    statements = parsed_statements(demo_spec)
    as_of = utc_naive(row["as_of"])
    assert utc_naive(row["last_event_time"]) == max(s.time for s in statements)
    assert row["events_last_24h"] == sum(1 for s in statements if s.time >= as_of - DAY)
    assert row["courses_synced"] == len(generate_sink_rows(demo_spec)["course_overviews"])
    # the latest publish the event sink received (the LMS stamps each dump)
    (dumped,) = query(demo, "SELECT max(time_last_dumped) AS t FROM event_sink.course_overviews")
    assert utc_naive(row["last_course_sync_at"]) == utc_naive(dumped["t"]) <= as_of


def test_instance_summary(demo, demo_spec):
    (row,) = query(demo, "SELECT * FROM reporting.instance_summary")
    as_of = utc_naive(row["as_of"])
    states = learner_states(demo_spec).values()
    courses = generate_sink_rows(demo_spec)["course_overviews"]
    assert row["courses"] == len(courses)
    assert row["organizations"] == len({c["org"] for c in courses})
    assert row["enrollments"] == len(states)
    assert row["active_enrollments"] == sum(st.is_enrolled for st in states)
    assert row["enrolled_users"] == len({st.actor for st in states if st.is_enrolled})
    for days in (1, 7, 30):
        active = {st.actor for st in states if st.last_visit and st.last_visit >= as_of - days * DAY}
        assert row[f"active_learners_{days}d"] == len(active)


def test_instance_enrollments_by_mode(demo, demo_spec):
    rows = query(demo, "SELECT * FROM reporting.instance_enrollments")
    expected = collections.defaultdict(lambda: [0, 0])
    for st in learner_states(demo_spec).values():
        expected[(st.course_key, st.enrollment_mode)][0] += 1
        expected[(st.course_key, st.enrollment_mode)][1] += st.is_enrolled
    assert {(r["course_key"], r["enrollment_mode"]): [r["enrollments"], r["active_enrollments"]]
            for r in rows} == dict(expected)


def test_instance_courses(demo, demo_spec):
    rows = query(demo, "SELECT * FROM reporting.instance_courses")
    as_of = single_as_of(rows)
    states = learner_states(demo_spec).values()
    catalog = {c["course_key"]: c for c in generate_sink_rows(demo_spec)["course_overviews"]}
    assert {r["course_key"] for r in rows} == set(catalog)
    for r in rows:
        mine = [st for st in states if st.course_key == r["course_key"]]
        last = max(st.last_visit for st in mine if st.last_visit)
        assert r["course_name"] == catalog[r["course_key"]]["display_name"]
        assert r["enrollments"] == len(mine)
        assert utc_naive(r["last_visit_at"]) == last
        assert bool(r["is_active_7d"]) == (last >= as_of - 7 * DAY)


def active_days(spec):
    return {(s.org, s.course_key, s.actor, s.time.date())
            for s in parsed_statements(spec) if s.kind in VISIT_KINDS}


def period_starts(day: datetime.date):
    return {"day": day, "week": day - datetime.timedelta(days=day.weekday()), "month": day.replace(day=1)}


def test_active_learners_per_period(demo, demo_spec):
    instance, org = collections.defaultdict(set), collections.defaultdict(set)
    for o, _course, actor, day in active_days(demo_spec):
        for period, start in period_starts(day).items():
            instance[(period, start)].add(actor)
            org[(o, period, start)].add(actor)
    rows = query(demo, "SELECT * FROM reporting.instance_active_learners")
    assert {(r["period"], r["period_start"]): r["active_learners"] for r in rows} == {
        k: len(v) for k, v in instance.items()}
    rows = query(demo, "SELECT * FROM reporting.institution_active_learners")
    assert {(r["org"], r["period"], r["period_start"]): r["active_learners"] for r in rows} == {
        k: len(v) for k, v in org.items()}


def test_enrollments_daily(demo, demo_spec):
    expected = collections.defaultdict(lambda: [0, 0])
    for st in learner_states(demo_spec).values():
        key = (st.course_key, st.enrolled_at.date(), st.enrollment_mode)
        expected[key][0] += 1
        expected[key][1] += st.is_enrolled
    rows = query(demo, "SELECT * FROM reporting.institution_enrollments_daily")
    assert {(r["course_key"], r["enrollment_date"], r["enrollment_mode"]): [r["enrollments"], r["still_enrolled"]]
            for r in rows} == dict(expected)


def test_course_performance_and_completion(demo, demo_spec):
    rows = query(demo, "SELECT * FROM reporting.institution_course_performance")
    as_of = single_as_of(rows)
    by_course = collections.defaultdict(list)
    for st in learner_states(demo_spec).values():
        by_course[st.course_key].append(st)
    assert {r["course_key"] for r in rows} == set(by_course)
    for r in rows:
        mine = by_course[r["course_key"]]
        passed = sum(st.has_passed for st in mine)
        assert r["enrollments"] == len(mine)
        assert r["active_enrollments"] == sum(st.is_enrolled for st in mine)
        assert r["passed_learners"] == passed
        assert r["completion_rate"] == pytest.approx(passed / len(mine))
        graded = [st.course_grade for st in mine if st.course_grade is not None]  # no grade yet is not 0
        assert r["avg_course_grade"] == (pytest.approx(sum(graded) / len(graded)) if graded else None)
        assert r["active_learners_7d"] == sum(
            1 for st in mine if st.last_visit and st.last_visit >= as_of - 7 * DAY)
    assert any(r["passed_learners"] for r in rows)


def test_org_summary(demo, demo_spec):
    rows = query(demo, "SELECT * FROM reporting.institution_org_summary")
    by_org = collections.defaultdict(list)
    for st in learner_states(demo_spec).values():
        by_org[st.org].append(st)
    assert {r["org"] for r in rows} == set(by_org)
    for r in rows:
        mine = by_org[r["org"]]
        assert r["enrollments"] == len(mine)
        assert r["learners"] == len({st.actor for st in mine})
        assert r["passing_learners"] == len({st.actor for st in mine if st.has_passed})
        assert r["completion_rate"] == pytest.approx(sum(st.has_passed for st in mine) / len(mine))
        assert r["courses"] == len({st.course_key for st in mine})
