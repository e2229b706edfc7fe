"""Who reads what through Superset (BRIEF.md, Access): guest tokens of embedded dashboards.

Real Superset (the session's `superset` fixture) over the demo ClickHouse. A
guest token is what the LMS instructor tab hands the embedded dashboard: the
admin account asks Superset for one (POST /api/v1/security/guest_token/) with
the dashboard and a row-level rule; the browser then sends it as X-GuestToken.
Superset's built-in signing secret is public, so a token signed with it, or
tampered with, must open nothing.
"""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
import requests

from tutoraspects.superset.assets import dashboard_chart_uuids, load_tree

# Superset 6.1's defaults (superset/config.py): anyone can read them.
PUBLIC_DEFAULT_SECRET = "test-guest-secret-change-me"
DEFAULT_AUDIENCE = "http://0.0.0.0:8080/"


@pytest.fixture()
def assets(client):
    """Ids in this Superset of the versioned dashboards and charts, and the charts of each dashboard."""
    tree = load_tree()
    dashboards = {row["uuid"]: row["id"] for row in client.list("dashboard")}
    charts = {row["uuid"]: row for row in client.list("chart", ("id", "uuid", "datasource_id"))}
    by_slug = {}
    for dashboard in tree.of("dashboards"):
        by_slug[dashboard.config["slug"]] = {
            "id": dashboards[dashboard.uuid],
            "charts": [charts[uuid] for uuid in dashboard_chart_uuids(dashboard.config)],
        }
    return {"dashboards": by_slug, "chart_configs": {chart.uuid: chart.config for chart in tree.of("charts")}}


def course_chart(assets, slug="course"):
    """A chart of the dashboard whose dataset has a course_key column, and its saved query."""
    datasets = {d.uuid: d.config for d in load_tree().of("datasets")}
    for row in assets["dashboards"][slug]["charts"]:
        config = assets["chart_configs"][row["uuid"]]
        columns = {c["column_name"] for c in datasets[config["dataset_uuid"]]["columns"]}
        query = json.loads(config["query_context"])
        if "course_key" in columns and config["viz_type"] == "table" and "course_key" in json.dumps(query):
            return row, query
    raise AssertionError(f"no table chart with course_key on the {slug} dashboard")


def chart_request(chart: dict, query: dict, dashboard_id: int) -> dict:
    """The chart data request an embedded dashboard sends for one of its charts."""
    request = json.loads(json.dumps(query))
    request.update(force=True, datasource={"id": chart["datasource_id"], "type": "table"})
    request["form_data"].update(slice_id=chart["id"], dashboardId=dashboard_id)
    return request


def as_guest(settings, token: str, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{settings.superset_url}{path}", headers={"X-GuestToken": token},
                            timeout=120, **kwargs)


def issue_guest_token(client, dashboard_id: int, rls: list[dict]) -> str:
    """What platform-plugin-aspects does for the instructor tab, as the admin account."""
    return client.request("POST", "/api/v1/security/guest_token/", json={
        "user": {"username": "course_staff", "first_name": "Course", "last_name": "Staff"},
        "resources": [{"type": "dashboard", "id": str(dashboard_id)}],
        "rls": rls,
    })["token"]


def rows_of(response: requests.Response) -> list[dict]:
    assert response.status_code == 200, response.text[:500]
    return [row for result in response.json()["result"] for row in result["data"]]


def forge(secret: str, audience: str, dashboard_ids: list[int]) -> str:
    now = int(time.time())
    return jwt.encode({
        "user": {"username": "intruder"},
        "resources": [{"type": "dashboard", "id": str(i)} for i in dashboard_ids],
        "rls_rules": [],
        "iat": now,
        "exp": now + 300,
        "aud": audience,
        "type": "guest",
    }, secret, algorithm="HS256")


def refused(response: requests.Response) -> bool:
    """401/403, or 404: Superset answers so for a dashboard the user may not see."""
    return response.status_code in (401, 403, 404) and '"data"' not in response.text


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # the public default is short
def test_guest_token_signed_with_the_public_default_secret_is_refused(settings_, assets):
    """The hole: with Superset's defaults anyone could sign a token for every dashboard."""
    host = settings_.superset_url.split("://", 1)[1]
    chart, query = course_chart(assets, "learner_groups")  # the at-risk table, with usernames
    at_risk = assets["dashboards"]["learner_groups"]["id"]
    every_dashboard = [d["id"] for d in assets["dashboards"].values()]
    for audience in (DEFAULT_AUDIENCE, host, f"http://{host}/", "aspects-superset"):
        token = forge(PUBLIC_DEFAULT_SECRET, audience, every_dashboard)
        response = as_guest(settings_, token, "POST", "/api/v1/chart/data",
                            json=chart_request(chart, query, at_risk))
        assert refused(response), (audience, response.status_code, response.text[:300])
        assert refused(as_guest(settings_, token, "GET", f"/api/v1/dashboard/{at_risk}/charts"))


def test_guest_token_reads_only_its_course(client, settings_, assets):
    """A token Superset issued, with the course's row-level rule, draws the course's rows and no other."""
    chart, query = course_chart(assets)
    course_dashboard = assets["dashboards"]["course"]["id"]
    request = chart_request(chart, query, course_dashboard)
    everything = client.request("POST", "/api/v1/chart/data", json=request)["result"][0]["data"]
    courses = sorted({row["course_key"] for row in everything})
    assert len(courses) >= 2, "the demo has several courses"

    token = issue_guest_token(client, course_dashboard, [{"clause": f"course_key = '{courses[0]}'"}])
    rows = rows_of(as_guest(settings_, token, "POST", "/api/v1/chart/data", json=request))
    assert rows and {row["course_key"] for row in rows} == {courses[0]}
    assert rows == [row for row in everything if row["course_key"] == courses[0]]


def test_tampered_guest_token_is_refused(client, settings_, assets):
    """Widening a real token's rule (course B's token made to read every course) breaks its signature."""
    chart, query = course_chart(assets)
    course_dashboard = assets["dashboards"]["course"]["id"]
    token = issue_guest_token(client, course_dashboard, [{"clause": "course_key = 'course-v1:none+none+none'"}])
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["rls_rules"] = []
    widened = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    request = chart_request(chart, query, course_dashboard)
    assert rows_of(as_guest(settings_, token, "POST", "/api/v1/chart/data", json=request)) == []
    assert refused(as_guest(settings_, f"{header}.{widened}.{signature}", "POST", "/api/v1/chart/data",
                            json=request))


def test_guest_token_opens_only_its_dashboard_and_no_sql(client, settings_, assets):
    """The guest role draws the token's dashboard: not another dashboard's charts, no SQL Lab, no listing."""
    course_dashboard = assets["dashboards"]["course"]["id"]
    token = issue_guest_token(client, course_dashboard, [])
    chart, query = course_chart(assets, "learner_groups")
    at_risk = assets["dashboards"]["learner_groups"]["id"]
    # the at-risk table, claimed as part of either dashboard
    for dashboard_id in (at_risk, course_dashboard):
        response = as_guest(settings_, token, "POST", "/api/v1/chart/data",
                            json=chart_request(chart, query, dashboard_id))
        assert refused(response), (dashboard_id, response.status_code, response.text[:300])
    assert refused(as_guest(settings_, token, "GET", f"/api/v1/dashboard/{at_risk}"))
    assert as_guest(settings_, token, "GET", f"/api/v1/dashboard/{course_dashboard}").status_code == 200
    # SQL Lab, with the CSRF token a guest session can get (if any)
    session = requests.Session()
    session.headers.update({"X-GuestToken": token, "Referer": settings_.superset_url})
    csrf = session.get(f"{settings_.superset_url}/api/v1/security/csrf_token/", timeout=60)
    if csrf.status_code == 200:
        session.headers["X-CSRFToken"] = csrf.json()["result"]
    sql = session.post(f"{settings_.superset_url}/api/v1/sqllab/execute/", timeout=60,
                       json={"database_id": 1, "sql": "SELECT * FROM reporting.learner_at_risk", "runAsync": False})
    assert refused(sql) or (csrf.status_code != 200 and "CSRF" in sql.text), (sql.status_code, sql.text[:300])
    for listing in ("/api/v1/dataset/", "/api/v1/database/", "/api/v1/chart/"):
        response = as_guest(settings_, token, "GET", listing)
        assert response.status_code in (401, 403) or response.json()["count"] == 0, (listing, response.text[:300])
