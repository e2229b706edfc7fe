"""Signing in to Superset through the LMS, and what each kind of user then reads.

Real Superset (the session's `superset`, assets imported, access applied by the
import) over the demo ClickHouse; the LMS is the stand-in of tests/standin_lms.py
(ada staffs the first demo course, bob the next two, carl is a learner, gina
global staff, sam a superuser). Every figure is checked against ClickHouse.
"""

from __future__ import annotations

import time

import pytest
import requests

from conftest import COURSES_CACHE_SECONDS, demo_course_keys
from tutoraspects.clickhouse_client import connect
from tutoraspects.superset.access import COURSE_TEAM_DASHBOARDS
from tutoraspects.superset.assets import dashboard_chart_uuids, load_tree

TOTAL_ENROLLED = "Total Learners Enrolled"  # a course chart, no course filter of its own
OPERATOR_CHART = "Data Quality: Statements Lacking Fields"


def sign_in(superset_url: str, username: str) -> requests.Session:
    """Signed in to the LMS as `username`, follow Superset's sign-in through it."""
    session = requests.Session()
    session.cookies.set("standin_lms_user", username)
    session.get(f"{superset_url}/login/openedx", timeout=120).raise_for_status()
    return session


@pytest.fixture()
def ids(client):
    """Superset ids of the charts and datasets, by name."""
    charts = {row["slice_name"]: row["id"] for row in client.list("chart", ("id", "slice_name"))}
    datasets = {row["table_name"]: row["id"] for row in client.list("dataset", ("id", "table_name"))}
    return charts, datasets


@pytest.fixture(scope="module")
def enrolled(demo) -> dict[str, int]:
    """What the Total Learners Enrolled chart sums, per course, read straight from ClickHouse."""
    client = connect(demo)
    try:
        rows = client.query("SELECT course_key, sum(total_enrollees) FROM reporting.course_enrollment_summary "
                            "GROUP BY course_key").result_rows
    finally:
        client.close()
    return {key: int(total) for key, total in rows}


def me(session: requests.Session, url: str) -> requests.Response:
    return session.get(f"{url}/api/v1/me/roles/", timeout=60)


def big_number(session, url: str, chart_id: int) -> float:
    answer = session.get(f"{url}/api/v1/chart/{chart_id}/data/", params={"format": "json"}, timeout=120)
    assert answer.status_code == 200, answer.text[:500]
    (result,) = answer.json()["result"]
    (row,) = result["data"]
    return next(iter(row.values()))


@pytest.mark.parametrize("username, roles", [
    ("ada", {"Aspects Course Team"}), ("bob", {"Aspects Course Team"}), ("gina", {"Admin"}), ("sam", {"Admin"}),
])
def test_roles_come_from_the_lms(settings_, username, roles):
    session = sign_in(settings_.superset_url, username)
    answer = me(session, settings_.superset_url)
    assert answer.status_code == 200, answer.text[:300]
    result = answer.json()["result"]
    assert result["username"] == username
    assert set(result["roles"]) == roles


def test_a_learner_is_refused(settings_, client):
    session = sign_in(settings_.superset_url, "carl")
    assert me(session, settings_.superset_url).status_code == 401
    # and no account was made for them
    assert "carl" not in {row["username"] for row in client.list("security/users", ("id", "username"))}


@pytest.mark.parametrize("username, courses", [("ada", slice(0, 1)), ("bob", slice(1, 3)), ("gina", slice(0, None))])
def test_charts_and_csv_hold_only_the_users_courses(settings_, ids, enrolled, username, courses):
    charts, _ = ids
    url = settings_.superset_url
    expected = sum(enrolled[key] for key in demo_course_keys()[courses])
    assert 0 < expected < sum(enrolled.values()) or username == "gina"
    session = sign_in(url, username)
    assert big_number(session, url, charts[TOTAL_ENROLLED]) == expected
    csv = session.get(f"{url}/api/v1/chart/{charts[TOTAL_ENROLLED]}/data/", params={"format": "csv"}, timeout=120)
    assert csv.status_code == 200, csv.text[:300]
    assert csv.text.strip().splitlines()[-1].split(",")[-1] in (str(expected), f"{expected:.1f}")


def with_csrf(session: requests.Session, url: str) -> requests.Session:
    """The session's CSRF token on its headers, as the web app sends it with every POST."""
    answer = session.get(f"{url}/api/v1/security/csrf_token/", timeout=60)
    assert answer.status_code == 200, answer.text[:300]
    session.headers.update({"X-CSRFToken": answer.json()["result"], "Referer": url})
    return session


def test_native_filter_values_are_the_users_courses(settings_, ids):
    """The course filter's choices: the query a native select filter runs (chart data, filter_select)."""
    _, datasets = ids
    url = settings_.superset_url
    session = with_csrf(sign_in(url, "bob"), url)
    query = {
        "datasource": {"id": datasets["int_learner_course_state"], "type": "table"},
        "form_data": {"viz_type": "filter_select"},
        "queries": [{"columns": ["course_key"], "metrics": [], "groupby": ["course_key"], "row_limit": 1000,
                     "filters": [], "orderby": [["course_key", True]]}],
        "result_format": "json", "result_type": "full",
    }
    answer = session.post(f"{url}/api/v1/chart/data", json=query, timeout=120)
    assert answer.status_code == 200, answer.text[:300]
    (result,) = answer.json()["result"]
    assert [row["course_key"] for row in result["data"]] == sorted(demo_course_keys()[1:3])


def test_every_course_team_chart_draws_for_a_course_team_user(settings_, ids):
    """The row-level rule is valid SQL on every dataset of the course-team dashboards."""
    charts, _ = ids
    url = settings_.superset_url
    session = sign_in(url, "ada")
    tree = load_tree()
    by_uuid = tree.by_uuid("charts")

    names = {by_uuid[uuid].config["slice_name"] for dashboard in tree.of("dashboards")
             if dashboard.config["slug"] in COURSE_TEAM_DASHBOARDS for uuid in dashboard_chart_uuids(dashboard.config)}
    for name in sorted(names):
        answer = session.get(f"{url}/api/v1/chart/{charts[name]}/data/", params={"format": "json"}, timeout=120)
        assert answer.status_code == 200, (name, answer.text[:300])


def test_course_team_sees_course_dashboards_only_and_no_sql_lab(settings_, ids):
    charts, _ = ids
    url = settings_.superset_url
    session = sign_in(url, "ada")
    listed = session.get(f"{url}/api/v1/dashboard/", params={"q": "(columns:!(slug),page_size:100)"}, timeout=60)
    assert listed.status_code == 200, listed.text[:300]
    assert {row["slug"] for row in listed.json()["result"]} == set(COURSE_TEAM_DASHBOARDS)
    assert session.get(f"{url}/api/v1/dashboard/operator", timeout=60).status_code in (403, 404)
    assert session.get(f"{url}/api/v1/chart/{charts[OPERATOR_CHART]}/data/", timeout=60).status_code in (403, 404)
    # SQL Lab: neither the page nor the API
    assert session.get(f"{url}/sqllab/", timeout=60, allow_redirects=False).status_code in (302, 403)
    executed = with_csrf(session, url).post(f"{url}/api/v1/sqllab/execute/",
                                            json={"database_id": 1, "sql": "SELECT 1"}, timeout=60)
    assert executed.status_code in (401, 403), executed.text[:300]
    admin = sign_in(url, "gina")
    listed = admin.get(f"{url}/api/v1/dashboard/", params={"q": "(columns:!(slug),page_size:100)"}, timeout=60)
    assert {row["slug"] for row in listed.json()["result"]} == {d.config["slug"] for d in load_tree().of("dashboards")}


def test_courses_are_cached_then_asked_again_with_a_refreshed_token(settings_, ids, lms, enrolled):
    """The LMS is asked at sign-in, not at every chart; once the cache runs out it is asked again,
    with the user's token refreshed if it has expired meanwhile."""
    charts, _ = ids
    url = settings_.superset_url
    lms.token_seconds = 1
    try:
        session = sign_in(url, "ada")
    finally:
        lms.token_seconds = 3600
    asked = lms.calls.count("/api/courses/v1/courses/")
    expected = enrolled[demo_course_keys()[0]]
    assert big_number(session, url, charts[TOTAL_ENROLLED]) == expected
    assert lms.calls.count("/api/courses/v1/courses/") == asked, "served from the cache"
    time.sleep(COURSES_CACHE_SECONDS + 1)
    refreshed = lms.calls.count("/oauth2/access_token")
    # a chart the cache has not seen for this user (the chart data cache would answer otherwise)
    answer = session.get(f"{url}/api/v1/chart/{charts[TOTAL_ENROLLED]}/data/",
                         params={"format": "json", "force": "true"}, timeout=120)
    assert answer.status_code == 200
    assert lms.calls.count("/api/courses/v1/courses/") == asked + 1
    assert lms.calls.count("/oauth2/access_token") == refreshed + 1, "the expired token was refreshed"

