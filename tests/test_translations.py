"""Dashboards in the operator's languages: one copy per language, named as the instructor tab asks for it."""

from __future__ import annotations

import subprocess

import pytest

from conftest_render import render_root
from tutoraspects.embedded.venvs import venv_bin
from tutoraspects.superset.access import INSTRUCTOR_DASHBOARDS as COURSE_TEAM_DASHBOARDS
from tutoraspects.superset.assets import dashboard_chart_uuids, import_assets, load_tree
from tutoraspects.superset.translations import (
    check_translations, load_translations, localized_assets, localized_uuid, translatable_strings,
)

LOCALES = ("en", "fr")


def test_copies_are_named_as_platform_plugin_aspects_asks_for_them():
    """Its own get_localized_uuid, run in the LMS plugin's environment, gives the copies' uuids."""
    dashboard = load_tree().of("dashboards")[0]
    code = ("from django.conf import settings; settings.configure()\n"
            "from platform_plugin_aspects.utils import get_localized_uuid\n"
            f"print(get_localized_uuid({dashboard.uuid!r}, 'pt-BR'), get_localized_uuid({dashboard.uuid!r}, 'fr'))")
    result = subprocess.run([str(venv_bin("sink") / "python"), "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == [localized_uuid(dashboard.uuid, "pt-BR"), localized_uuid(dashboard.uuid, "fr")]


def test_translation_files_name_real_strings_and_cover_the_course_team_dashboards():
    tree = load_tree()
    assert check_translations(tree) == []
    charts = tree.by_uuid("charts")
    for locale in ("fr", "es"):
        words = load_translations(locale)
        for dashboard in tree.of("dashboards"):
            if dashboard.config["slug"] not in COURSE_TEAM_DASHBOARDS:
                continue
            strings = {dashboard.config["dashboard_title"],
                       *(charts[uuid].config["slice_name"] for uuid in dashboard_chart_uuids(dashboard.config)),
                       *(f["name"] for f in dashboard.config["metadata"]["native_filter_configuration"])}
            assert strings - set(words) == set(), (locale, dashboard.name)
    assert set(load_translations("fr")) <= translatable_strings(tree)


def test_no_copies_for_english_alone():
    assert localized_assets(load_tree(), ["en"]) == []


@pytest.mark.parametrize("locales, allowed", [("[en]", False), ("[en, fr]", True)])
def test_lms_settings_turn_translations_on(tmp_path, locales, allowed):
    """The instructor tab's settings: the languages, and translated dashboards once there are several."""
    root = render_root(tmp_path, f"ASPECTS_DASHBOARD_LOCALES={locales}")
    settings = root.text("apps/openedx/settings/lms/production.py")
    namespace: dict = {}
    for name in ("ASPECTS_INSTRUCTOR_DASHBOARDS", "SUPERSET_DASHBOARD_LOCALES"):
        line = next(line for line in settings.splitlines() if line.startswith(f"{name} = "))
        exec(line, namespace)
    assert namespace["SUPERSET_DASHBOARD_LOCALES"] == [part.strip() for part in locales.strip("[]").split(",")]
    assert {d["allow_translations"] for d in namespace["ASPECTS_INSTRUCTOR_DASHBOARDS"]} == {allowed}


@pytest.fixture
def french(client, settings_):
    """The assets imported with French beside English; the copies removed afterwards."""
    own = settings_.with_overrides(dashboard_locales=LOCALES)
    import_assets(own, echo=lambda _: None)
    copies = localized_assets(load_tree(), LOCALES)
    yield copies
    ids = {kind: {row["uuid"]: row["id"] for row in client.list(kind)} for kind in ("dashboard", "chart")}
    for asset in copies:
        kind = asset.kind[:-1]
        if asset.uuid in ids[kind]:
            client.request("DELETE", f"/api/v1/{kind}/{ids[kind][asset.uuid]}")
    import_assets(settings_, echo=lambda _: None)  # access back to the English-only install


def test_each_dashboard_comes_in_each_language(client, french):
    tree = load_tree()
    dashboards = {row["uuid"]: row for row in client.list("dashboard", ("id", "uuid", "slug", "dashboard_title"))}
    charts = {row["uuid"]: row for row in client.list("chart", ("id", "uuid", "slice_name"))}
    fr = load_translations("fr")
    course = next(d for d in tree.of("dashboards") if d.config["slug"] == "course")
    for locale in LOCALES:
        copy = dashboards[localized_uuid(course.uuid, locale)]
        assert copy["slug"] == f"course-{locale}"
        assert copy["dashboard_title"] == (fr["Course Dashboard"] if locale == "fr" else "Course Dashboard")
    chart_uuid = dashboard_chart_uuids(course.config)[0]
    original = tree.by_uuid("charts")[chart_uuid].config["slice_name"]
    translated = charts[localized_uuid(chart_uuid, "fr")]
    assert translated["slice_name"] == fr[original]
    # the same query, the same rows
    assert client.chart_data(translated["id"])[0]["data"] == client.chart_data(charts[chart_uuid]["id"])[0]["data"]
    # course teams get the copy, and the LMS may embed it under the uuid it asks for
    copy_id = dashboards[localized_uuid(course.uuid, "fr")]["id"]
    roles = {role["name"] for role in client.request("GET", f"/api/v1/dashboard/{copy_id}")["result"]["roles"]}
    assert roles == {"Aspects Course Team"}
    embedded = client.request("GET", f"/api/v1/dashboard/{copy_id}/embedded")["result"]
    assert embedded["uuid"] == localized_uuid(course.uuid, "fr")
