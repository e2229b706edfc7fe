"""The synthetic Open edX data: deterministic, consistent, and shaped like real ERB output.

The shape test runs the real event-routing-backends transformers in their own
virtual environment (.venvs/erb, created by `make install`; the commands are
at the top of tests/reference/erb_reference.py) and compares, kind by kind,
the generator's statements with what the transformers emit.
"""

from __future__ import annotations

import collections
import datetime
import json
import re
import subprocess
import uuid
from pathlib import Path

import pytest

from tutoraspects.demo_data import (
    LMS_URL,
    DemoSpec,
    estimate_statement_count,
    generate_sink_rows,
    generate_statements,
)
from tutoraspects.demo_data import parallel
from tutoraspects.demo_data import statements as xs
from tutoraspects.demo_data.course_structure import interaction_type
from tutoraspects.demo_data.platform import platform_state
from tutoraspects.demo_data.spec import default_end
from tutoraspects.event_sink.bulk_rows import SINK_TABLES
from tutoraspects.event_sink.bulk_rows import plugin_layout_rows
from tutoraspects.loading import render_tsv_row

REPO = Path(__file__).resolve().parent.parent
ERB_PYTHON = REPO / ".venvs" / "erb" / "bin" / "python"
ERB_SCRIPT = REPO / "tests" / "reference" / "erb_reference.py"
SINK_SQL = REPO / "clickhouse" / "migrations" / "0007_event_sink_plugin_tables.sql"

SPEC = DemoSpec(seed=3, learners=80)


@pytest.fixture(scope="module")
def statements():
    return list(generate_statements(SPEC))


@pytest.fixture(scope="module")
def sink():
    return generate_sink_rows(SPEC)


def _course_of(statement: dict) -> str:
    """The course key of a statement: its course object or its context parent."""
    activities = statement["context"].get("contextActivities", {})
    # a question's statement: the problem is its parent, the course its grouping
    courses = [a["id"] for a in activities.get("parent", []) + activities.get("grouping", []) if "/course/" in a["id"]]
    return (courses[0] if courses else statement["object"]["id"]).rsplit("/course/", 1)[1]


def _block_key(iri: str) -> str | None:
    match = re.search(r"(block-v1:[^/]+)$", iri)
    return match.group(1) if match else None


# ------------------------------------------------------------------ determinism


def test_same_seed_same_output_and_different_seed_differs(statements, sink):
    assert json.dumps(list(generate_statements(SPEC))) == json.dumps(statements)
    assert repr(generate_sink_rows(SPEC)) == repr(sink)
    other = DemoSpec(seed=4, learners=80)
    assert json.dumps(list(generate_statements(other))) != json.dumps(statements)
    assert repr(generate_sink_rows(other)) != repr(sink)


def test_parallel_rows_are_the_same_bytes_in_the_same_order(statements, monkeypatch):
    """Bulk loads render the statements in worker processes: what they insert is what one process renders."""
    monkeypatch.setattr(parallel, "LEARNERS_PER_TASK", 7)  # many tasks, so their order matters
    serial = [render_tsv_row(statement, 0) for statement in statements]
    assert list(parallel.rendered_rows(SPEC, workers=2)) == serial


def test_statements_stream(statements):
    stream = generate_statements(SPEC)
    assert iter(stream) is stream  # a generator, not a list
    assert next(stream) == statements[0]


def test_every_statement_has_a_unique_uuid_and_an_aware_timestamp(statements):
    ids = [s["id"] for s in statements]
    assert len(set(ids)) == len(ids)
    for s in statements:
        assert str(uuid.UUID(s["id"])) == s["id"]
        ts = datetime.datetime.fromisoformat(s["timestamp"])
        assert ts.tzinfo is not None
        assert SPEC.start_datetime() <= ts <= SPEC.end_datetime()


def test_each_learner_is_chronological(statements):
    last = {}
    for s in statements:
        actor = s["actor"]["account"]["name"]
        assert s["timestamp"] >= last.get(actor, ""), actor
        last[actor] = s["timestamp"]


def test_every_kind_of_statement_is_generated(statements):
    assert {xs.kind_of(s) for s in statements} == set(xs.KINDS)


def test_estimate_is_close(statements):
    estimate = estimate_statement_count(SPEC)
    assert abs(estimate - len(statements)) / len(statements) < 0.15, (estimate, len(statements))


def test_spec_defaults():
    spec = DemoSpec()
    assert spec.end == default_end() < datetime.datetime.now(datetime.timezone.utc).date()
    # anchored to the day of generation: yesterday in UTC, whatever the local time zone
    now = datetime.datetime(2026, 11, 21, 0, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    assert default_end(now) == datetime.date(2026, 11, 19)
    assert default_end(datetime.datetime(2026, 11, 21, 23, 59, tzinfo=datetime.timezone.utc)) == datetime.date(2026, 11, 20)
    assert spec.start == spec.end - datetime.timedelta(days=60)
    assert DemoSpec(end=datetime.date(2025, 3, 1)).start == datetime.date(2024, 12, 31)
    with pytest.raises(ValueError):
        DemoSpec(start=datetime.date(2026, 1, 2), end=datetime.date(2026, 1, 1))


# -------------------------------------------------------------------- sink rows


def _sink_columns() -> dict[str, list[str]]:
    sql = SINK_SQL.read_text()
    tables = {}
    for match in re.finditer(r"CREATE TABLE IF NOT EXISTS \$\{EVENT_SINK_DATABASE\}\.(\w+).*?\n\((.*?)\n\)\nENGINE", sql, re.S):
        tables[match.group(1)] = [line.split()[0].strip("`") for line in match.group(2).strip().splitlines()]
    return tables


def test_bulk_sink_rows_have_exactly_the_table_columns_in_order():
    """The plugin writes by position: the bulk rows name every column, in the table's order."""
    columns = _sink_columns()
    rows = plugin_layout_rows(platform_state(SPEC))
    assert set(SINK_TABLES) <= set(columns)
    for table, table_rows in rows.items():
        assert table_rows, table
        for row in table_rows:
            assert list(row) == columns[table], table
            assert isinstance(row["dump_id"], uuid.UUID)
            assert row["time_last_dumped"].tzinfo is not None


def test_course_blocks_are_a_consistent_outline(sink):
    blocks = sink["course_blocks"]
    by_location = {b["location"]: b for b in blocks}
    assert len(by_location) == len(blocks)
    overviews = {c["course_key"]: c for c in sink["course_overviews"]}
    assert len(overviews) == SPEC.orgs * SPEC.courses_per_org
    for course in overviews.values():
        assert 0.5 <= course["lowest_passing_grade"] <= 0.7
        assert re.fullmatch(r"course-v1:Org\d+\+\w+\+\d{4}_T[123]", course["course_key"])
    parent_type = {"chapter": "course", "sequential": "chapter", "vertical": "sequential",
                   "html": "vertical", "video": "vertical", "problem": "vertical"}
    for course_key in overviews:
        course_blocks = sorted((b for b in blocks if b["course_key"] == course_key), key=lambda b: b["display_order"])
        assert [b["display_order"] for b in course_blocks] == list(range(len(course_blocks)))
        assert course_blocks[0]["block_type"] == "course" and course_blocks[0]["parent_location"] == ""
        assert {b["block_type"] for b in course_blocks} >= {"chapter", "sequential", "vertical", "problem", "html"}
        assert any(b["graded"] and b["block_type"] == "sequential" for b in course_blocks)
        for b in course_blocks[1:]:
            parent = by_location[b["parent_location"]]
            key = course_key.split(":", 1)[1]
            assert b["location"] == f"block-v1:{key}+type@{b['block_type']}+block@" + b["location"].rsplit("@", 1)[1]
            assert parent["course_key"] == course_key and parent["block_type"] == parent_type[b["block_type"]]
            assert parent["display_order"] < b["display_order"]
            assert b["section_number"] >= 1
            if b["block_type"] == "chapter":
                assert (b["subsection_number"], b["unit_number"], b["graded"]) == (0, 0, False)
            elif b["block_type"] == "sequential":
                assert b["section_number"] == parent["section_number"] and b["subsection_number"] >= 1
                assert b["unit_number"] == 0
                assert bool(b["assignment_type"]) == b["graded"]
            else:  # units and components inherit position and grading from their subsection
                assert b["unit_number"] >= 1
                assert (b["section_number"], b["subsection_number"]) == (parent["section_number"], parent["subsection_number"])
                assert (b["graded"], b["assignment_type"]) == (parent["graded"], parent["assignment_type"])
            assert (b["duration_seconds"] > 0) == (b["block_type"] == "video")


def test_sink_rows_match_the_statements(statements, sink):
    external = {r["external_user_id"]: r for r in sink["external_ids"]}
    profiles = {r["user_id"]: r for r in sink["user_profiles"]}
    blocks = {b["location"]: b for b in sink["course_blocks"]}
    assert all(r["external_id_type"] == "xapi" for r in external.values())

    registrations = collections.defaultdict(list)  # (user_id, course) -> [(timestamp, verb, mode)]
    for s in statements:
        assert s["actor"] == {"objectType": "Agent", "account": {"homePage": LMS_URL, "name": s["actor"]["account"]["name"]}}
        user = external[s["actor"]["account"]["name"]]  # every actor is a known learner
        assert user["user_id"] in profiles and profiles[user["user_id"]]["username"] == user["username"]
        course = _course_of(s)
        for iri in (s["object"]["id"], *(a["id"] for a in s["context"].get("contextActivities", {}).get("grouping", []))):
            key = _block_key(iri)
            if xs.kind_of(s) == "problem_check_question" and iri == s["object"]["id"]:
                key = _block_key(s["context"]["contextActivities"]["parent"][0]["id"])  # the question's problem
            if key:  # every block a statement mentions is in course_blocks, in the statement's course
                assert blocks[key]["course_key"] == course, iri
        if s["verb"]["display"]["en"] in ("registered", "unregistered"):
            mode = s["object"]["definition"]["extensions"][xs.EXT_MODE]
            registrations[(user["user_id"], course)].append((s["timestamp"], s["verb"]["display"]["en"], mode))

    enrollments = {(r["user_id"], r["course_key"]): r for r in sink["course_enrollments"]}
    assert set(enrollments) == set(registrations)
    assert len({r["id"] for r in enrollments.values()}) == len(enrollments)
    for key, row in enrollments.items():
        events = sorted(registrations[key])
        assert events[0][1] == "registered"
        assert row["created"] == datetime.datetime.fromisoformat(events[0][0]).replace(microsecond=0)
        assert row["is_active"] == (events[-1][1] == "registered")
        assert row["mode"] == events[-1][2]
    modes = collections.Counter(r["mode"] for r in enrollments.values())
    assert {"audit", "verified"} <= set(modes)
    assert any(not r["is_active"] for r in enrollments.values())
    assert any(len(v) > 1 and v[0][2] != v[1][2] for v in registrations.values())  # upgrades


def test_at_risk_learners_exist(statements, sink):
    """Enrolled, no visit in 7+ days before `end`, not passed, some earlier activity."""
    last_visit, passed, active, engaged = {}, set(), {}, set()
    for s in statements:
        key = (s["actor"]["account"]["name"], _course_of(s))
        verb = s["verb"]["display"]["en"]
        if verb in ("registered", "unregistered"):
            active[key] = verb == "registered"
        elif verb == "passed":
            passed.add(key)
        elif verb == "navigated":
            last_visit[key] = max(last_visit.get(key, ""), s["timestamp"])
        if verb in ("navigated", "played", "evaluated", "posted"):
            engaged.add(key)
    cutoff = (SPEC.end_datetime() - datetime.timedelta(days=7)).isoformat()
    at_risk = [k for k in engaged if active.get(k) and k not in passed and last_visit.get(k, "") < cutoff]
    assert len(at_risk) >= 3
    assert passed, "some learners pass"
    assert any(s["verb"]["display"]["en"] == "failed" for s in statements)
    assert any(k not in engaged for k in active), "some enrolled learners never do anything"


def test_video_positions_within_duration(statements, sink):
    durations = {b["location"]: b["duration_seconds"] for b in sink["course_blocks"] if b["block_type"] == "video"}
    times = (xs.EXT_VIDEO_TIME, xs.EXT_VIDEO_TIME_FROM, xs.EXT_VIDEO_TIME_TO)
    seen = collections.Counter()
    for s in statements:
        if s["object"].get("definition", {}).get("type") != xs.VIDEO_TYPE:
            continue
        length = s["context"]["extensions"][xs.EXT_VIDEO_LENGTH]
        assert length == durations[_block_key(s["object"]["id"])]
        for key, value in s.get("result", {}).get("extensions", {}).items():
            if key in times:
                assert 0 <= value <= length
                seen[key] += 1
    assert all(seen[k] for k in times)


def test_grades_follow_the_outline(statements, sink):
    blocks = {b["location"]: b for b in sink["course_blocks"]}
    passing = {c["course_key"]: c["lowest_passing_grade"] for c in sink["course_overviews"]}
    for s in statements:
        kind = xs.kind_of(s)
        if kind == "subsection_grade":
            block = blocks[_block_key(s["object"]["id"])]
            assert block["block_type"] == "sequential" and block["graded"]
            score = s["result"]["score"]
            assert 0 <= score["raw"] <= score["max"] and s["result"]["success"] == (score["raw"] >= score["max"])
        elif kind == "course_grade":
            score = s["result"]["score"]
            assert 0 <= score["scaled"] <= 1
            letter = s["result"]["extensions"][xs.EXT_GRADE_CLASSIFICATION]
            assert letter == ("Pass" if score["scaled"] >= round(passing[_course_of(s)], 2) else "Fail")
        elif kind in ("problem_check_server", "problem_check_browser"):
            block = blocks[_block_key(s["object"]["id"])]
            assert block["block_type"] == "problem"
            response_type = json.loads(block["xblock_data_json"])["response_type"]
            expected = interaction_type(response_type) if kind == "problem_check_server" else "other"
            assert s["object"]["definition"]["interactionType"] == expected
        elif kind == "problem_check_multi":
            block = blocks[_block_key(s["object"]["id"])]
            assert block["block_type"] == "problem" and s["object"]["definition"]["interactionType"] == "other"
        elif kind == "problem_check_question":
            parent = s["context"]["contextActivities"]["parent"][0]["id"]
            assert s["object"]["id"].startswith(parent + "_") and blocks[_block_key(parent)]["block_type"] == "problem"
        if kind in ("problem_check_server", "problem_check_multi"):
            score = s["result"]["score"]
            assert score["max"] == json.loads(block["xblock_data_json"])["max_score"]
            if kind == "problem_check_server":
                assert s["result"]["success"] == (score["raw"] == score["max"])
        elif kind in ("course_passed", "course_failed"):
            assert "result" not in s


# ----------------------------------------------------------------- ERB shapes


def _reference_input(sink, external_id: str) -> dict:
    """Values for the reference tracking-log events: a real course, blocks and learner of the demo data."""
    course = sink["course_overviews"][0]
    blocks = [b for b in sink["course_blocks"] if b["course_key"] == course["course_key"]]

    def first(block_type, **where):
        return next(b for b in blocks if b["block_type"] == block_type and all(b[k] == v for k, v in where.items()))

    video = first("video")
    vertical = next(b for b in blocks if b["block_type"] == "vertical" and b["location"] == video["parent_location"])
    sequential = next(b for b in blocks if b["location"] == vertical["parent_location"])
    profile = next(r for r in sink["external_ids"] if r["external_user_id"] == external_id)
    return {
        "lms_url": LMS_URL,
        "course_key": course["course_key"],
        "course_name": course["display_name"],
        "org": course["org"],
        "user_id": profile["user_id"],
        "username": profile["username"],
        "external_user_id": external_id,
        "session": "0123456789abcdef0123456789abcdef",
        "timestamp": "2026-10-01T10:00:00.123456+00:00",
        "mode": "verified",
        "chapter": sequential["parent_location"],
        "sequential": sequential["location"],
        "sequential_name": sequential["display_name"],
        "vertical": vertical["location"],
        "html": first("html")["location"],
        "video": video["location"],
        "video_duration": video["duration_seconds"],
        "problem": first("problem")["location"],
        "problem_name": first("problem")["display_name"],
        "tab_count": sum(1 for b in blocks if b["parent_location"] == sequential["location"]),
    }


# Values that legitimately differ between two statements of the same kind: only their type is compared.
VARIABLE = {
    ("id",), ("timestamp",), ("actor", "account", "name"),
    ("context", "statement", "id"),  # a question statement points at its problem statement
    ("context", "extensions", xs.EXT_SESSION),
    ("context", "extensions", xs.EXT_MODE),  # forum thread type
    ("object", "definition", "extensions", xs.EXT_MODE),  # enrollment track
    ("result", "response"), ("result", "duration"),
    ("result", "extensions", xs.EXT_GRADE_CLASSIFICATION),
    ("object", "definition", "interactionType"),  # follows the problem's response type (checked below)
}
LANGUAGE_MAPS = {"name", "description"}  # display names: compare languages, not text


def skeleton(value, path=()):
    """The structure of a statement: keys, fixed values, and the type of variable values."""
    if isinstance(value, dict):
        if path and path[-1] in LANGUAGE_MAPS:
            return {lang: type(text).__name__ for lang, text in value.items()}
        return {k: skeleton(v, path + (k,)) for k, v in value.items()}
    if isinstance(value, list):
        return [skeleton(v, path) for v in value]
    if isinstance(value, str) and path not in VARIABLE:
        # ids: same shape, any block / thread / course: keep the block type, drop hex ids
        value = re.sub(r"[0-9a-f]{8,}", "<hex>", value)
        value = re.sub(r"<hex>_\d+_1\b", "<hex>_<question>_1", value)  # a problem's question inputs
        return re.sub(r"(course|block)-v1:[^+/]+\+[^+/]+\+[^+/]+", r"\1-v1:<course>", value)
    return type(value).__name__


@pytest.fixture(scope="module")
def erb_statements(sink, statements):
    if not ERB_PYTHON.exists():
        pytest.skip(f"{ERB_PYTHON} is missing: create it with `make install` to compare with the real ERB transformers")
    values = _reference_input(sink, statements[0]["actor"]["account"]["name"])
    out = subprocess.run([str(ERB_PYTHON), str(ERB_SCRIPT)], input=json.dumps(values), capture_output=True,
                         text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    reference = json.loads(out.stdout)
    # a problem_check on a problem with several questions: the parent, then one statement per question
    parent, question, *_ = reference.pop("problem_check_multi")
    return {**reference, "problem_check_multi": parent, "problem_check_question": question}


def test_reference_covers_every_kind(erb_statements):
    assert set(erb_statements) == set(xs.KINDS)


@pytest.mark.parametrize("kind", sorted(xs.KINDS))
def test_statement_shape_matches_event_routing_backends(kind, statements, erb_statements):
    generated = [s for s in statements if xs.kind_of(s) == kind]
    assert generated, f"the demo data has no {kind} statement"
    expected = erb_statements[kind]
    assert xs.kind_of(expected) == kind
    reference = skeleton(expected)
    for statement in generated[:200]:
        actual = skeleton(statement)
        if kind == "block_completion":  # any leaf block completes: html, video or problem
            actual["object"]["id"] = re.sub(r"type@(video|problem)", "type@html", actual["object"]["id"])
        assert actual == reference, json.dumps(statement, indent=1)
