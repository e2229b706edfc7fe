"""platform-plugin-aspects' own sinks (its code, its CSV) against our event_sink tables.

tutoraspects.event_sink.publish_with_plugin runs the plugin's sinks in the
`sink` environment with stand-in Django models; here a small hand-written
state is published and read back, FINAL, column by column.
"""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest
import requests

from tutoraspects.clickhouse_client import connect
from tutoraspects.event_sink import PluginPublishError, clickhouse_contract, publish_with_plugin

ROLE = "sink"  # the ClickHouse user the LMS and Studio write as (publish_with_plugin's default)

A = "course-v1:OrgA+Intro+2026"
B = "course-v1:OrgB+Stats+2026_T1"


def block(course_key: str, block_type: str, block_id: str, name: str, children=(), graded=False, **extra) -> dict:
    return {
        "location": f"block-v1:{course_key.split(':', 1)[1]}+type@{block_type}+block@{block_id}",
        "block_type": block_type,
        "display_name": name,
        "graded": graded,
        "edited_on": "2026-02-01T10:00:00+00:00",
        "start_time": extra.get("start_time"),
        "end_time": extra.get("end_time"),
        "children": list(children),
    }


def course_a_blocks(moved: bool = False, renamed: bool = False) -> list[dict]:
    """Two sections; `moved`: unit u2 goes from subsection s1 to s2; `renamed`: section 2's new name."""
    u1 = block(A, "vertical", "u1", "Unit 1", [
        block(A, "html", "h1", "Welcome"),
        block(A, "video", "v1", "Intro video", start_time=12.5, end_time=90.0),
    ])
    u2 = block(A, "vertical", "u2", "Unit 2", [block(A, "problem", "p1", "Check 1")])
    u3 = block(A, "vertical", "u3", "Unit 3", [block(A, "problem", "p2", "Exam question")])
    s1 = block(A, "sequential", "s1", "Lesson 1", [u1] if moved else [u1, u2])
    s2 = block(A, "sequential", "s2", "Lesson 2", [u2] if moved else [])
    s3 = block(A, "sequential", "s3", "Final exam", [u3], graded=True)
    return [
        block(A, "chapter", "c1", "Getting started", [s1, s2]),
        block(A, "chapter", "c2", "Assessment (new name)" if renamed else "Assessment", [s3]),
    ]


def course_b_blocks() -> list[dict]:
    return [block(B, "chapter", "c1", "Descriptive statistics", [
        block(B, "sequential", "s1", "Means", [
            block(B, "vertical", "u1", "Mean", [block(B, "problem", "p1", "Compute a mean")]),
        ], graded=True),
    ])]


def course(course_key: str, org: str, name: str, self_paced: bool, blocks: list, grade: float,
           modified: str = "2026-02-01T10:00:00+00:00") -> dict:
    return {
        "course_key": course_key, "org": org, "display_name": name,
        "start": "2026-01-05T00:00:00+00:00", "end": None if self_paced else "2026-06-30T00:00:00+00:00",
        "enrollment_start": "2025-12-01T00:00:00+00:00", "enrollment_end": None,
        "self_paced": self_paced, "lowest_passing_grade": grade,
        "created": "2025-11-20T08:30:00+00:00", "modified": modified, "blocks": blocks,
    }


USERS = [
    {"id": 11, "username": "ada", "email": "ada@example.com", "name": "Ada Lovelace", "year_of_birth": 1990,
     "gender": "f", "level_of_education": "m", "country": "GB",
     "external_user_id": "6f1d2a3b-0000-4000-8000-000000000011"},
    {"id": 12, "username": "bob", "email": "bob@example.com", "name": "Bob O'Brien, Jr.", "year_of_birth": None,
     "gender": "", "level_of_education": "", "country": "",
     "external_user_id": "6f1d2a3b-0000-4000-8000-000000000012"},
    {"id": 13, "username": "chloe", "email": "chloe@example.com", "name": 'Chloé "Cece" Martin', "year_of_birth": 2001,
     "gender": "o", "level_of_education": "b", "country": "FR",
     "external_user_id": "6f1d2a3b-0000-4000-8000-000000000013"},
]

ENROLLMENTS = [
    {"id": 101, "user_id": 11, "course_key": A, "created": "2026-01-06T09:00:00+00:00", "is_active": True,
     "mode": "verified"},
    {"id": 102, "user_id": 12, "course_key": A, "created": "2026-01-07T09:00:00+00:00", "is_active": False,
     "mode": "audit"},
    {"id": 103, "user_id": 13, "course_key": B, "created": "2026-01-08T09:00:00+00:00", "is_active": True,
     "mode": "audit"},
]


def small_state() -> dict:
    return {
        # Studio's content tags: course B is tagged with a child tag (its parent is listed with it). Ids
        # apart from the demo platform's, which other tests publish into the same stack.
        "taxonomies": [{"id": 901, "name": "Subject"}, {"id": 902, "name": "Level"}],
        "tags": [{"id": 901, "taxonomy": 901, "parent": None, "value": "Mathematics", "external_id": ""},
                 {"id": 902, "taxonomy": 901, "parent": 901, "value": "Statistics, applied", "external_id": "st-1"},
                 {"id": 903, "taxonomy": 902, "parent": None, "value": "Introductory", "external_id": ""}],
        "courses": [
            course(A, "OrgA", "Introduction, with a comma", False, course_a_blocks(), 0.5),
            {**course(B, "OrgB", "Statistics", True, course_b_blocks(), 0.65), "tags": [902, 903]},
        ],
        "users": copy.deepcopy(USERS),
        "enrollments": copy.deepcopy(ENROLLMENTS),
    }


def query(settings, sql: str) -> list[dict]:
    client = connect(settings)
    try:
        result = client.query(sql.format(db=settings.event_sink_database))
        return [dict(zip(result.column_names, row)) for row in result.result_rows]
    finally:
        client.close()


def blocks_of_newest_dump(settings, course_key: str) -> list[dict]:
    """The course's blocks of its newest dump (one dump_id per publish), in `order`."""
    rows = query(settings, f"""
        SELECT * FROM {{db}}.course_blocks FINAL
        WHERE course_key = '{course_key}'
          AND dump_id = (SELECT argMax(dump_id, time_last_dumped) FROM {{db}}.course_blocks
                         WHERE course_key = '{course_key}')
        ORDER BY `order`""")
    for row in rows:
        row["data"] = json.loads(row["xblock_data_json"])
    return rows


@pytest.fixture(scope="module")
def published(stack):
    counts = publish_with_plugin(stack.settings, small_state(), echo=lambda _: None, role=ROLE)
    return stack.settings, counts


def test_counts(published):
    _, counts = published
    assert counts == {"course_overviews": 2, "course_blocks": 13 + 5, "user_profile": 3, "external_id": 3,
                      "course_enrollment": 3, "taxonomy": 2, "tag": 3, "object_tag": 2}


def test_course_overviews(published):
    settings, _ = published
    rows = {r["course_key"]: r for r in query(settings, "SELECT * FROM {db}.course_overviews FINAL")}
    assert set(rows) >= {A, B}
    a, b = rows[A], rows[B]
    assert (a["org"], a["display_name"], a["self_paced"]) == ("OrgA", "Introduction, with a comma", False)
    assert (b["org"], b["display_name"], b["self_paced"]) == ("OrgB", "Statistics", True)
    # start/end: str(datetime); enrollment dates: DRF's ISO form; None: ""
    assert a["course_start"] == "2026-01-05 00:00:00+00:00"
    assert a["course_end"] == "2026-06-30 00:00:00+00:00"
    assert b["course_end"] == ""
    assert a["enrollment_start"] == "2025-12-01T00:00:00Z"
    assert a["enrollment_end"] == ""
    assert json.loads(a["course_data_json"])["lowest_passing_grade"] == 0.5
    assert json.loads(b["course_data_json"])["lowest_passing_grade"] == 0.65
    assert str(a["created"]).startswith("2025-11-20 08:30:00")
    assert str(a["modified"]).startswith("2026-02-01 10:00:00")
    assert a["dump_id"] != b["dump_id"]
    # the tags applied to the course and their parents, by id
    assert sorted(json.loads(b["course_data_json"])["tags"]) == [901, 902, 903]
    assert json.loads(a["course_data_json"])["tags"] == []


def test_course_tags_by_name(published):
    """stg_sink_course_tags (what the Course Comparison's Tag filter offers) names each tag of a course,
    its parents included, from the tag and taxonomy tables the plugin fills."""
    settings, _ = published  # the stack's init built the models: a staging view reads the tables as they are
    rows = query(settings, f"SELECT course_key, taxonomy, tag FROM {settings.reporting_database}.stg_sink_course_tags "
                           f"WHERE course_key IN ('{A}', '{B}') ORDER BY course_key, tag")
    assert [(r["course_key"], r["taxonomy"], r["tag"]) for r in rows] == [
        (B, "Level", "Introductory"), (B, "Subject", "Mathematics"), (B, "Subject", "Statistics, applied")]
    tag = query(settings, "SELECT * FROM {db}.tag FINAL WHERE id = 902")[0]
    assert (tag["taxonomy"], tag["parent"], tag["external_id"]) == (901, 901, "st-1")
    assert json.loads(tag["lineage"]) == ["Mathematics", "Statistics, applied"]


def test_course_blocks(published):
    settings, _ = published
    rows = blocks_of_newest_dump(settings, A)
    outline = [(r["order"], r["data"]["block_type"], r["location"].rsplit("@", 1)[1], r["data"]["section"],
                r["data"]["subsection"], r["data"]["unit"], r["data"]["graded"]) for r in rows]
    assert outline == [
        (1, "course", "course", 0, 0, 0, 0),
        (2, "chapter", "c1", 1, 0, 0, 0),
        (3, "sequential", "s1", 1, 1, 0, 0),
        (4, "vertical", "u1", 1, 1, 1, 0),
        (5, "html", "h1", 1, 1, 1, 0),
        (6, "video", "v1", 1, 1, 1, 0),
        (7, "vertical", "u2", 1, 1, 2, 0),
        (8, "problem", "p1", 1, 1, 2, 0),
        (9, "sequential", "s2", 1, 2, 0, 0),
        (10, "chapter", "c2", 2, 0, 0, 0),
        (11, "sequential", "s3", 2, 1, 0, 1),
        (12, "vertical", "u3", 2, 1, 1, 0),
        (13, "problem", "p2", 2, 1, 1, 0),
    ]
    by_id = {r["location"].rsplit("@", 1)[1]: r for r in rows}
    assert by_id["course"]["location"] == "block-v1:OrgA+Intro+2026+type@course+block@course"
    assert by_id["course"]["display_name"] == "Introduction, with a comma"
    assert {r["org"] for r in rows} == {"OrgA"} and {r["course_key"] for r in rows} == {A}
    assert len({r["dump_id"] for r in rows}) == 1
    video = by_id["v1"]
    assert video["display_name"] == "Intro video"
    assert (video["data"]["video_start_time"], video["data"]["video_end_time"]) == (12.5, 90.0)
    assert "video_start_time" not in by_id["p1"]["data"]
    assert by_id["h1"]["edited_on"] == "2026-02-01 10:00:00+00:00"
    assert by_id["h1"]["data"]["detached"] == 0
    assert by_id["h1"]["data"]["completion_mode"] == "completable"
    b_rows = blocks_of_newest_dump(settings, B)
    assert [(r["data"]["block_type"], r["data"]["graded"]) for r in b_rows] == [
        ("course", 0), ("chapter", 0), ("sequential", 1), ("vertical", 0), ("problem", 0)]


def test_users(published):
    settings, _ = published
    profiles = {r["user_id"]: r for r in query(settings, "SELECT * FROM {db}.user_profile FINAL")}
    assert {k: (profiles[k]["username"], profiles[k]["name"], profiles[k]["email"]) for k in (11, 12, 13)} == {
        11: ("ada", "Ada Lovelace", "ada@example.com"),
        12: ("bob", "Bob O'Brien, Jr.", "bob@example.com"),
        13: ("chloe", 'Chloé "Cece" Martin', "chloe@example.com"),
    }
    assert profiles[11]["id"] == 11
    assert (profiles[11]["year_of_birth"], profiles[11]["gender"], profiles[11]["level_of_education"],
            profiles[11]["country"]) == (1990, "f", "m", "GB")
    # The plugin's CSV writes None as "" (quoted): ClickHouse stores 0 in Nullable(Int16), not NULL
    # (only an unquoted empty field or \\N becomes NULL). Unknown year of birth reads as 0.
    assert profiles[12]["year_of_birth"] == 0
    assert profiles[11]["courseware"] == "course.xml"
    assert profiles[11]["profile_image_uploaded_at"] == ""
    ids = {r["user_id"]: r for r in query(settings, "SELECT * FROM {db}.external_id FINAL")}
    assert {k: (ids[k]["external_user_id"], ids[k]["external_id_type"], ids[k]["username"]) for k in (11, 12, 13)} == {
        u["id"]: (u["external_user_id"], "xapi", u["username"]) for u in USERS}


def test_enrollments(published):
    settings, _ = published
    rows = {r["id"]: r for r in query(settings, "SELECT * FROM {db}.course_enrollment FINAL")}
    got = {k: (rows[k]["course_key"], rows[k]["user_id"], rows[k]["username"], rows[k]["mode"], rows[k]["is_active"],
               str(rows[k]["created"])[:19]) for k in (101, 102, 103)}
    assert got == {
        101: (A, 11, "ada", "verified", True, "2026-01-06 09:00:00"),
        102: (A, 12, "bob", "audit", False, "2026-01-07 09:00:00"),
        103: (B, 13, "chloe", "audit", True, "2026-01-08 09:00:00"),
    }


def test_republish_moved_unit_and_renamed_section(published):
    settings, _ = published
    first_dump = blocks_of_newest_dump(settings, A)[0]["dump_id"]
    state = small_state()
    state["courses"] = [course(A, "OrgA", "Introduction, with a comma", False,
                               course_a_blocks(moved=True, renamed=True), 0.5, modified="2026-03-01T10:00:00+00:00")]
    state["users"], state["enrollments"] = [], []
    counts = publish_with_plugin(settings, state, echo=lambda _: None, role=ROLE)
    assert counts["course_overviews"] == 1 and counts["course_blocks"] == 13
    rows = blocks_of_newest_dump(settings, A)
    assert rows[0]["dump_id"] != first_dump
    outline = [(r["location"].rsplit("@", 1)[1], r["display_name"], r["data"]["section"], r["data"]["subsection"],
                r["data"]["unit"]) for r in rows]
    assert outline == [
        ("course", "Introduction, with a comma", 0, 0, 0),
        ("c1", "Getting started", 1, 0, 0),
        ("s1", "Lesson 1", 1, 1, 0),
        ("u1", "Unit 1", 1, 1, 1),
        ("h1", "Welcome", 1, 1, 1),
        ("v1", "Intro video", 1, 1, 1),
        ("s2", "Lesson 2", 1, 2, 0),
        ("u2", "Unit 2", 1, 2, 1),
        ("p1", "Check 1", 1, 2, 1),
        ("c2", "Assessment (new name)", 2, 0, 0),
        ("s3", "Final exam", 2, 1, 0),
        ("u3", "Unit 3", 2, 1, 1),
        ("p2", "Exam question", 2, 1, 1),
    ]
    # FINAL on (org, course_key, location): one row per block, all of the newest dump
    final = query(settings, f"SELECT dump_id, count() AS n FROM {{db}}.course_blocks FINAL "
                            f"WHERE course_key = '{A}' GROUP BY dump_id")
    assert [(r["dump_id"], r["n"]) for r in final] == [(rows[0]["dump_id"], 13)]
    overview = query(settings, f"SELECT dump_id, modified FROM {{db}}.course_overviews FINAL WHERE course_key = '{A}'")
    assert len(overview) == 1 and str(overview[0]["modified"]).startswith("2026-03-01 10:00:00")


def test_refused_insert_names_table_and_answer(published):
    settings, _ = published
    state = small_state()
    state["courses"], state["enrollments"] = [], []
    bad = settings.with_overrides(event_sink_database="no_such_database")
    with pytest.raises(PluginPublishError) as error:
        publish_with_plugin(bad, state, echo=lambda _: None, role=ROLE)
    message = str(error.value)
    assert "ClickHouse refused the insert into no_such_database.user_profile (HTTP 404)" in message
    assert "UNKNOWN_DATABASE" in message


# --- Bad rows: what ClickHouse does with them under the plugin's insert settings ----------------------

def post_like_the_plugin(settings, table: str, rows: list[list], **extra_params) -> requests.Response:
    """The request BaseSink.send_item makes (URL, auth, settings, CSV dialect), with our own rows."""
    contract = clickhouse_contract(settings, ROLE)
    body = io.StringIO()
    writer = csv.writer(body, quoting=csv.QUOTE_NONNUMERIC)
    for row in rows:
        writer.writerow(row)
    params = {"input_format_allow_errors_num": 1, "input_format_allow_errors_ratio": 0.1,
              "query": f"INSERT INTO {contract['database']}.{table} FORMAT CSV", **extra_params}
    return requests.post(contract["url"], params=params, data=body.getvalue().encode(),
                         auth=(contract["username"], contract["password"]), timeout=30)


def good(i: int) -> list:
    return [f"ext-{i}", "xapi", f"user{i}", i, "0f0e0d0c-0000-4000-8000-%012d" % i, "2026-12-01 10:00:00.123456+00:00"]


BAD_DATE = ["ext-bad", "xapi", "userbad", 999, "0f0e0d0c-0000-4000-8000-000000000999", "not a date"]
TOO_FEW = ["ext-short", "xapi", "usershort", 998, "0f0e0d0c-0000-4000-8000-000000000998"]


@pytest.mark.parametrize("rows, status, stored", [
    pytest.param([good(i) for i in range(10)] + [TOO_FEW], 200, 10, id="1-of-11-wrong-column-count"),
    pytest.param([good(i) for i in range(10)] + [BAD_DATE], 200, 10, id="1-of-11-unparsable-date"),
    pytest.param([BAD_DATE], 200, 0, id="single-bad-row"),
    pytest.param([good(i) for i in range(30)] + [BAD_DATE, TOO_FEW], 200, 30, id="2-of-32"),
    pytest.param([good(i) for i in range(8)] + [BAD_DATE, TOO_FEW], 400, 0, id="2-of-10"),
])
def test_bad_rows_are_dropped_silently(stack, rows, status, stored):
    """A batch fails only when errors exceed BOTH 1 row and 10 %; otherwise the bad rows are dropped
    with HTTP 200 and an empty body: only X-ClickHouse-Summary's written_rows tells."""
    settings = stack.settings
    client = connect(settings)
    db = settings.event_sink_database
    try:
        client.command(f"DROP TABLE IF EXISTS {db}.bad_row_probe")
        client.command(f"CREATE TABLE {db}.bad_row_probe AS {db}.external_id")
        answer = post_like_the_plugin(settings, "bad_row_probe", rows)
        assert answer.status_code == status, answer.text
        assert client.command(f"SELECT count() FROM {db}.bad_row_probe") == stored
        if status == 200:
            assert answer.text == ""
            assert json.loads(answer.headers["X-ClickHouse-Summary"])["written_rows"] == str(stored)
        else:
            assert "Already have 2 errors out of 10 rows" in answer.text
    finally:
        client.command(f"DROP TABLE IF EXISTS {db}.bad_row_probe")
        client.close()


def test_basic_date_parsing_drops_every_single_row_dump(stack):
    """The plugin sends str(datetime) ("...+00:00") and DRF's "...Z": with date_time_input_format=basic
    (stock clickhouse-server's default) no row parses, and a one-row dump (the LMS's per-event path)
    is dropped with HTTP 200. The sink user's profile sets best_effort for this reason."""
    settings = stack.settings
    client = connect(settings)
    db = settings.event_sink_database
    try:
        client.command(f"DROP TABLE IF EXISTS {db}.bad_row_probe")
        client.command(f"CREATE TABLE {db}.bad_row_probe AS {db}.external_id")
        answer = post_like_the_plugin(settings, "bad_row_probe", [good(1)], date_time_input_format="basic")
        assert (answer.status_code, answer.text) == (200, "")
        assert client.command(f"SELECT count() FROM {db}.bad_row_probe") == 0
        answer = post_like_the_plugin(settings, "bad_row_probe", [good(1)], date_time_input_format="best_effort")
        assert client.command(f"SELECT count() FROM {db}.bad_row_probe") == 1
    finally:
        client.command(f"DROP TABLE IF EXISTS {db}.bad_row_probe")
        client.close()


def test_bulk_rows_hold_what_the_plugin_sends(published):
    """Benchmarks insert tutoraspects.event_sink.bulk_rows directly: every value the models read
    (the staging views' columns) is the plugin's, for the same platform state."""
    from tutoraspects.event_sink.bulk_rows import plugin_layout_rows

    settings, _ = published
    bulk = plugin_layout_rows(small_state())
    for table in ("course_overviews", "course_blocks"):  # course A is re-published by another test
        bulk[table] = [row for row in bulk[table] if row["course_key"] == B]
    keys = {"course_overviews": ("course_key",), "course_blocks": ("location",), "user_profile": ("user_id",),
            "external_id": ("external_user_id",), "course_enrollment": ("course_key", "user_id"),
            "taxonomy": ("id",), "tag": ("id",), "object_tag": ("object_id", "tag")}
    block_fields = ("block_type", "section", "subsection", "unit", "graded", "detached", "video_start_time",
                    "video_end_time")
    for table, key in keys.items():
        mine = {tuple(row[k] for k in key): row for row in bulk[table]}
        theirs = {tuple(row[k] for k in key): row
                  for row in query(settings, f"SELECT * FROM {{db}}.{table} FINAL") if tuple(row[k] for k in key) in mine}
        assert set(theirs) == set(mine), table
        for k, row in mine.items():
            plugin = theirs[k]
            for column, value in row.items():
                if column in ("dump_id", "time_last_dumped", "course_data_json", "xblock_data_json", "edited_on"):
                    continue
                got = plugin[column]
                if column == "year_of_birth" and value is None:
                    value = 0  # the plugin's None arrives as 0 (stg_sink_user_profile reads it as NULL)
                if hasattr(got, "isoformat") and isinstance(value, type(got)):
                    got, value = got.replace(tzinfo=None), value.replace(tzinfo=None)
                if column.startswith(("course_start", "course_end", "enrollment_")):
                    got, value = _parsed(got), _parsed(value)
                assert got == value, (table, k, column)
            if table == "course_overviews":
                ours, its = json.loads(row["course_data_json"]), json.loads(plugin["course_data_json"])
                assert ours["lowest_passing_grade"] == its["lowest_passing_grade"]
                assert sorted(ours["tags"]) == sorted(its["tags"])  # the plugin's come from a set
            if table == "course_blocks":
                ours, its = json.loads(row["xblock_data_json"]), json.loads(plugin["xblock_data_json"])
                assert {f: ours.get(f) for f in block_fields} == {f: its.get(f) for f in block_fields}, k


def _parsed(text: str):
    import datetime

    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
