"""The LMS instructor tab: platform-plugin-aspects, configured as the Tutor plugin configures it.

The settings are the rendered `openedx-lms-common-settings` patch, executed; the plugin's
instructor-dashboard filter steps and its guest-token view then run with the real
openedx-filters, Django and DRF (tests/reference/instructor_tab.py, in the plugin's own
environment, edx-platform stood in only for the course-staff permission), and ask the
session's real Superset for guest tokens with the LMS's Superset account. The tokens are
then used as the embedded dashboard uses them.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import demo_course_keys
from test_superset_access import as_guest, assets, chart_request, course_chart, refused, rows_of  # noqa: F401
from tutoraspects.embedded.venvs import venv_bin
from tutoraspects.plugin import PATCHES_DIR
from tutoraspects.superset.assets import load_tree
from conftest_render import load_aspects_plugin

RUNNER = Path(__file__).parent / "reference" / "instructor_tab.py"


def lms_settings(root: Path) -> dict:
    """The LMS settings the Tutor plugin renders, executed as edx-platform would (its own defaults first)."""
    from tutor import config as tutor_config, env as tutor_env

    load_aspects_plugin()
    config = tutor_config.load(str(root))
    namespace: dict = {"OPEN_EDX_FILTERS_CONFIG": {}}  # edx-platform's lms/envs/common.py defines it
    for patch in ("openedx-common-settings", "openedx-lms-common-settings"):  # in the order Tutor renders them
        exec(tutor_env.render_str(config, (PATCHES_DIR / patch).read_text()), namespace)
    return {key: value for key, value in namespace.items() if key.isupper()}


@pytest.fixture(scope="module")
def tab(superset):
    settings = lms_settings(superset.root.path)
    course = demo_course_keys()[0]
    contract = {
        "settings": settings,
        "course_key": course,
        "course_staff": {"ada": [course]},
        "users": [{"username": "ada", "is_staff": False}, {"username": "gina", "is_staff": True},
                  {"username": "carl", "is_staff": False}],
    }
    result = subprocess.run([str(venv_bin("sink") / "python"), str(RUNNER)], input=json.dumps(contract),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    output = json.loads(result.stdout)
    output["log"] = result.stderr[-8000:]
    return settings, course, output


def test_settings_name_our_superset_and_dashboards(superset, tab):
    settings, _, _ = tab
    config = settings["SUPERSET_CONFIG"]
    assert config["internal_service_url"] == superset.settings.superset_url
    assert (config["username"], config["password"]) == (superset.settings.superset_lms_username,
                                                         superset.settings.superset_lms_password)
    by_slug = {d.config["slug"]: d.config for d in load_tree().of("dashboards")}
    assert [(d["slug"], d["uuid"]) for d in settings["ASPECTS_INSTRUCTOR_DASHBOARDS"]] == [
        (slug, by_slug[slug]["uuid"]) for slug in ("course", "learner_groups", "individual_learner")]
    # Studio's in-context dashboards are on, and the LMS's guest tokens cover them (the tab's token requests below
    # name them too: Superset grants a token only for dashboards that exist and may be embedded)
    assert settings["ASPECTS_ENABLE_STUDIO_IN_CONTEXT_METRICS"] is True
    assert {d["slug"] for d in settings["ASPECTS_IN_CONTEXT_DASHBOARDS"].values()} == {
        "in_context_course", "in_context_graded_subsection", "in_context_problem", "in_context_video"}


def test_dashboards_are_embedded_under_the_uuid_the_lms_names(client, tab):
    """The tab embeds /embedded/<uuid> and asks tokens for that uuid: Superset's embedded config."""
    settings, _, _ = tab
    ids = {row["uuid"]: row["id"] for row in client.list("dashboard")}
    for dashboard in settings["ASPECTS_INSTRUCTOR_DASHBOARDS"]:
        embedded = client.request("GET", f"/api/v1/dashboard/{ids[dashboard['uuid']]}/embedded")["result"]
        assert embedded["uuid"] == dashboard["uuid"]
        assert "http://local.openedx.io" in embedded["allowed_domains"]


def test_instructor_dashboard_gets_a_reports_tab(tab):
    settings, course, result = tab
    (section,) = result["sections"]
    assert section["section_key"] == "aspects"
    assert section["superset_guest_token_url"].endswith(f"/aspects/superset_guest_token/{course}")
    for dashboard in settings["ASPECTS_INSTRUCTOR_DASHBOARDS"]:
        assert dashboard["uuid"] in section["html"]
    (mfe_tab,) = result["tabs"]
    assert mfe_tab["tab_id"] == "aspects" and course in mfe_tab["url"]


def test_guest_tokens_only_for_the_course_team_and_staff(tab):
    _, _, result = tab
    tokens = result["tokens"]
    assert tokens["ada"]["status"] == 200 and tokens["ada"]["body"]["guestToken"], (tokens, result["log"])
    assert tokens["gina"]["status"] == 200
    assert tokens["carl"]["status"] == 403


def test_the_course_teams_token_reads_its_course_only(client, settings_, tab, assets):
    """The token the tab hands the embedded dashboard carries the course's row-level rules."""
    _, course, result = tab
    token = result["tokens"]["ada"]["body"]["guestToken"]
    for slug in ("course", "learner_groups"):
        chart, query = course_chart(assets, slug)
        request = chart_request(chart, query, assets["dashboards"][slug]["id"])
        everything = client.request("POST", "/api/v1/chart/data", json=request)["result"][0]["data"]
        assert len({row["course_key"] for row in everything}) > 1
        rows = rows_of(as_guest(settings_, token, "POST", "/api/v1/chart/data", json=request))
        def canonical(table):  # ties in the chart's order may come in any order
            return sorted(json.dumps(row, sort_keys=True) for row in table)

        assert rows and canonical(rows) == canonical([row for row in everything if row["course_key"] == course]), slug
    operator = assets["dashboards"]["operator"]["id"]
    assert refused(as_guest(settings_, token, "GET", f"/api/v1/dashboard/{operator}"))
