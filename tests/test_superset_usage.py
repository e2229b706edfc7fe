"""The Operator dashboard's Superset usage charts, over the session's real Superset.

They read Superset's own metadata (here the embedded stack's SQLite file, opened read-only) through
a second Superset database. A course-team member opens a dashboard and loads a chart as the web app
does; every figure is then checked against the metadata file itself, read before and after the
chart's own query (which Superset logs too).
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from pathlib import Path

import pytest

from test_superset_sign_in import sign_in, with_csrf

LOADS = 25  # loads of one chart by the course-team member: more than any other test makes


def metadata_file(settings) -> Path:
    uri = settings.superset_sqlalchemy_uri
    assert uri.startswith("sqlite:///"), uri
    return Path(uri[len("sqlite:///"):])


def usage(settings) -> dict:
    """What the charts should show, counted straight from Superset's logs and users tables."""
    # the charts' period: 30 days before today, and today
    since = (datetime.datetime.utcnow().date() - datetime.timedelta(days=30)).isoformat()
    with sqlite3.connect(f"file:{metadata_file(settings)}?mode=ro", uri=True) as connection:
        def counts(action: str, key: str, names: str, name: str) -> dict[str, int]:
            return dict(connection.execute(
                f"SELECT {names}.{name}, COUNT(*) FROM logs JOIN {names} ON {names}.id = logs.{key} "
                f"WHERE action = ? AND user_id IS NOT NULL AND dttm >= ? GROUP BY {names}.{name}", (action, since)))

        return {
            "active_users": connection.execute("SELECT COUNT(DISTINCT user_id) FROM logs WHERE dttm >= ?",
                                               (since,)).fetchone()[0],
            "accounts": connection.execute("SELECT COUNT(*) FROM ab_user").fetchone()[0],
            "dashboards": counts("DashboardRestApi.get", "dashboard_id", "dashboards", "dashboard_title"),
            "charts": counts("ChartDataRestApi.data", "slice_id", "slices", "slice_name"),
        }


def load_chart(session, url: str, chart_id: int) -> None:
    """Load a chart's data as the web app does: its query, with the chart named in the URL's form_data
    (what Superset's action log records the chart by)."""
    chart = session.get(f"{url}/api/v1/chart/{chart_id}", timeout=60).json()["result"]
    context = json.loads(chart["query_context"])
    context["datasource"] = {"id": context["datasource"]["id"], "type": "table"}
    answer = session.post(f"{url}/api/v1/chart/data", params={"form_data": json.dumps({"slice_id": chart_id})},
                          json=context, timeout=60)
    assert answer.status_code == 200, answer.text[:300]


@pytest.fixture()
def used(settings_, client):
    """ada (course team) opens the course dashboard and loads one of its charts LOADS times, as the web app
    does."""
    charts = {row["slice_name"]: row["id"] for row in client.list("chart", ("id", "slice_name"))}
    url = settings_.superset_url
    session = with_csrf(sign_in(url, "ada"), url)
    assert session.get(f"{url}/api/v1/dashboard/course", timeout=60).status_code == 200
    for _ in range(LOADS):
        load_chart(session, url, charts["Total Learners Enrolled"])
    return charts, session


def rows_of(client, chart_id: int) -> list[dict]:
    (result,) = client.chart_data(chart_id)
    return result["data"]


def test_usage_charts_count_what_superset_logged(settings_, client, used):
    charts, _ = used
    before = usage(settings_)
    got = {name: rows_of(client, charts[name]) for name in (
        "Superset Active Users", "Superset Active Users Over Time", "Superset Registered Users Over Time",
        "Most-used Dashboards", "Most-used Charts")}
    after = usage(settings_)

    (active,) = got["Superset Active Users"]
    assert before["active_users"] <= active["active_users"] <= after["active_users"]
    assert active["active_users"] >= 2  # the admin client and ada at least
    assert max(r["active_users"] for r in got["Superset Active Users Over Time"]) >= 2
    # registered users: a running total ending at every account
    totals = [r["registered_users"] for r in got["Superset Registered Users Over Time"]]
    assert totals == sorted(totals) and totals[-1] == before["accounts"] == after["accounts"]

    dashboards = {r["dashboard_title"]: r for r in got["Most-used Dashboards"]}
    assert "Course Dashboard" in dashboards and dashboards["Course Dashboard"]["active_users"] >= 1
    for title, row in dashboards.items():
        assert before["dashboards"][title] <= row["dashboard_opens"] <= after["dashboards"][title], title
    charts_used = got["Most-used Charts"]
    assert charts_used[0]["slice_name"] == "Total Learners Enrolled" and charts_used[0]["chart_loads"] >= LOADS
    for row in charts_used:
        assert before["charts"][row["slice_name"]] <= row["chart_loads"] <= after["charts"][row["slice_name"]]
    # the ten most loaded, most first
    loads = [row["chart_loads"] for row in charts_used]
    assert loads == sorted(loads, reverse=True) and len(loads) == min(10, len(before["charts"]))


def test_course_teams_cannot_read_usage(settings_, used):
    charts, session = used
    url = settings_.superset_url
    for name in ("Superset Active Users", "Most-used Charts"):
        answer = session.get(f"{url}/api/v1/chart/{charts[name]}/data/", timeout=60)
        assert answer.status_code in (403, 404), (name, answer.status_code)
