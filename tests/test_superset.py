"""The embedded Superset, for real: init, asset import, chart data, dashboards in a browser.

One Superset for the session (the `superset` fixture in conftest.py).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

from tutoraspects.superset.assets import (MASKED_PASSWORD, KINDS, check_assets, dashboard_chart_uuids, import_assets,
                                          load_tree, serialize_export)
from tutoraspects.superset.client import SupersetClient

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RESOURCES = {"databases": "database", "datasets": "dataset", "charts": "chart", "dashboards": "dashboard"}


def ids_by_uuid(client: SupersetClient, resource: str) -> dict[str, int]:
    return {row["uuid"]: row["id"] for row in client.list(resource)}


def counts(client: SupersetClient) -> dict[str, int]:
    return {kind: len(client.list(RESOURCES[kind])) for kind in KINDS}


def test_embedded_superset_uses_sqlite_and_listens_on_localhost(superset):
    config = (superset.root.apps_dir / "superset" / "superset_config.py").read_text()
    assert f'"sqlite:///{superset.root.data_dir("superset")}/superset.db"' in config
    assert (superset.root.data_dir("superset") / "superset.db").is_file()
    assert superset.settings.superset_url.startswith("http://127.0.0.1:")
    assert "--bind=127.0.0.1:" in " ".join(superset.superset.argv)
    assert superset.superset_worker is None  # no Redis configured: no worker


def test_superset_init_is_skipped_when_nothing_changed(superset, tmp_path):
    """A restart does not rerun the four init commands; a new admin password does."""
    from tutoraspects.embedded.venvs import ensure_venv
    from tutoraspects.superset.metadata import init_fingerprint, init_superset
    from tutoraspects.superset.service import superset_env

    stamp = superset.root.data_dir("superset") / "init.stamp"
    env = superset_env(superset.root.apps_dir, ensure_venv("superset", lambda _: None))
    own = superset.root.settings()
    assert stamp.read_text() == init_fingerprint(env, own.superset_admin_username, own.superset_admin_password)
    lines: list[str] = []
    init_superset(Path("/nonexistent"), env, own.superset_admin_username, own.superset_admin_password,
                  "admin@aspects.invalid", tmp_path / "superset.log", lines.append, stamp_file=stamp)
    assert lines == ["  Superset: metadata, admin account and roles up to date."]
    assert init_fingerprint(env, own.superset_admin_username, "another password") != stamp.read_text()


def test_every_asset_is_imported(client):
    tree = load_tree()
    for kind in KINDS:
        assert set(ids_by_uuid(client, RESOURCES[kind])) == {asset.uuid for asset in tree.of(kind)}, kind


def test_database_reads_as_report_user_without_a_stored_password(client, settings_):
    databases = {d.config["database_name"]: ids_by_uuid(client, "database")[d.uuid] for d in load_tree().of("databases")}

    def uri_of(name: str) -> str:
        return client.request("GET", f"/api/v1/database/{databases[name]}/connection")["result"]["sqlalchemy_uri"]

    assert uri_of("ClickHouse (Aspects)") == (
        f"clickhousedb://{settings_.report_user}:{MASKED_PASSWORD}@{settings_.clickhouse_host}:"
        f"{settings_.clickhouse_http_port}/{settings_.reporting_database}")
    # the usage charts' second database: the embedded stack's own metadata file, read-only
    metadata = settings_.superset_sqlalchemy_uri[len("sqlite:///"):]
    assert uri_of("Superset metadata") == f"sqlite:///file:{metadata}?mode=ro&uri=true"
    for path in (REPO / "superset_assets").rglob("*.yaml"):
        assert settings_.report_password not in path.read_text()


def test_import_is_idempotent_and_overwrites(client, settings_, tmp_path):
    before = counts(client)
    import_assets(settings_, echo=lambda _: None)
    assert counts(client) == before

    changed = tmp_path / "assets"
    shutil.copytree(REPO / "superset_assets", changed)
    chart = sorted((changed / "charts").glob("*.yaml"))[0]
    config = yaml.safe_load(chart.read_text())
    config["slice_name"] = "Renamed by the test"
    config["params"]["row_limit"] = 123
    chart.write_text(yaml.safe_dump(config, sort_keys=False))
    chart_id = ids_by_uuid(client, "chart")[config["uuid"]]

    import_assets(settings_, echo=lambda _: None, root=changed)
    assert counts(client) == before
    saved = client.request("GET", f"/api/v1/chart/{chart_id}")["result"]
    assert saved["slice_name"] == "Renamed by the test"
    assert json.loads(saved["params"])["row_limit"] == 123

    import_assets(settings_, echo=lambda _: None)
    assert client.request("GET", f"/api/v1/chart/{chart_id}")["result"]["slice_name"] != "Renamed by the test"
    assert counts(client) == before


def test_every_chart_returns_rows(client):
    from test_superset_usage import load_chart

    ids = ids_by_uuid(client, "chart")
    # the Superset usage charts count what people did: open a dashboard, load a chart
    assert client.session.get(f"{client.url}/api/v1/dashboard/course", timeout=60).status_code == 200
    load_chart(client.session, client.url, ids[load_tree().of("charts")[0].uuid])
    for asset in load_tree().of("charts"):
        results = client.chart_data(ids[asset.uuid])
        assert results, asset.name
        for result in results:
            assert result.get("error") is None, (asset.name, result.get("error"))
            assert result["rowcount"] > 0 and result["data"], asset.name


def test_ui_export_serializes_back_to_the_same_tree(client, tmp_path):
    """Export every dashboard from Superset, serialize the zip: same uuids, valid tree, no password."""
    ids = list(ids_by_uuid(client, "dashboard").values())
    response = client.session.get(f"{client.url}/api/v1/dashboard/export/",
                                  params={"q": f"!({','.join(map(str, ids))})"}, timeout=60)
    assert response.status_code == 200, response.text[:500]
    export = tmp_path / "export.zip"
    export.write_bytes(response.content)
    with zipfile.ZipFile(io.BytesIO(response.content)) as bundle:
        assert any("/datasets/" in name for name in bundle.namelist())

    into = tmp_path / "tree"
    shutil.copytree(REPO / "superset_assets", into)
    serialize_export(export, into, echo=lambda _: None)
    assert check_assets(into) == []
    assert {a.uuid for a in load_tree(into).assets} == {a.uuid for a in load_tree().assets}
    uris = {d.config["database_name"]: d.config["sqlalchemy_uri"] for d in load_tree(into).of("databases")}
    assert uris == {"ClickHouse (Aspects)": "${CLICKHOUSE_REPORT_URI}", "Superset metadata": "${SUPERSET_METADATA_URI}"}

    fresh = tmp_path / "fresh"
    serialize_export(export, fresh, echo=lambda _: None)
    assert check_assets(fresh) == []
    assert {a.uuid for a in load_tree(fresh).assets} == {a.uuid for a in load_tree().assets}


def screenshot_dir(tmp_path: Path) -> Path:
    """docs/screenshots when asked for (`make screenshots`), else a temporary folder: tests leave the repo alone."""
    folder = Path(os.environ["ASPECTS_SCREENSHOTS"]) if os.environ.get("ASPECTS_SCREENSHOTS") else tmp_path / "shots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# Charts still loading, charts in error, and charts that drew something (Superset 6.1 markup).
LOADING = "[data-test='chart-grid-component'] .loading, [data-test='chart-grid-component'] [aria-label='Loading']"
ERRORS = ("[data-test='chart-grid-component'] .ant-alert-error, [data-test='chart-grid-component'] [role='alert'],"
          " [data-test='chart-grid-component'] .alert-danger")
DRAWN = "canvas, svg, table, .header-line, .big-number-total, .superset-legacy-chart-big-number"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install -y chromium")
def test_dashboards_render_in_a_browser(superset, settings_, lms, tmp_path):
    """Sign in through the LMS, open every dashboard, scroll every chart into view and wait for it: each one draws, none
    shows an error. Screenshots go to $ASPECTS_SCREENSHOTS (docs/screenshots with `make screenshots`)."""
    from playwright.sync_api import sync_playwright

    shots = screenshot_dir(tmp_path)
    url = settings_.superset_url
    dashboards = load_tree().of("dashboards")
    with sync_playwright() as playwright:
        # A new, empty profile (RECIPES.md); playwright passes it as --user-data-dir.
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1600, "height": 1200},
        )
        try:
            page = browser.new_page()
            # signed in to the (stand-in) LMS as a superuser, then through it to Superset
            browser.add_cookies([{"name": "standin_lms_user", "value": "sam", "url": lms.url}])
            page.goto(f"{url}/login/")
            page.click(f"a[href*='/login/openedx'], a:has-text('openedx')")
            page.wait_for_url(lambda current: current.startswith(url) and "/login" not in current, timeout=60_000)
            for dashboard in dashboards:
                expected = len(dashboard_chart_uuids(dashboard.config))
                page.goto(f"{url}/superset/dashboard/{dashboard.config['slug']}/")
                page.wait_for_selector("[data-test='dashboard-content-wrapper'], .dashboard", timeout=60_000)
                charts = page.locator("[data-test='chart-grid-component']")
                charts.first.wait_for(timeout=60_000)
                assert charts.count() == expected, dashboard.name
                # Superset renders a chart once it is scrolled into view: visit each one, top to bottom.
                for index in range(expected):
                    chart = charts.nth(index)
                    chart.scroll_into_view_if_needed()
                    page.wait_for_function(f"() => document.querySelectorAll({LOADING!r}).length === 0",
                                           timeout=90_000)
                    chart.locator(DRAWN).first.wait_for(state="attached", timeout=30_000)
                page.evaluate("window.scrollTo(0, 0)")  # the sticky header back at the top of the picture
                page.wait_for_timeout(500)
                page.screenshot(path=str(shots / f"{dashboard.config['slug']}.png"), full_page=True)
                errors = page.locator(ERRORS)
                assert errors.count() == 0, (dashboard.name, errors.all_inner_texts())
                text = page.locator("[data-test='dashboard-content-wrapper'], .dashboard").first.inner_text()
                assert "Unexpected error" not in text and "No results" not in text, dashboard.name
        finally:
            browser.close()


def test_clickhouse_health_reports_the_servers_figures(client, settings_):
    """The operator's ClickHouse Health: read as the report user, the figures the server reports itself."""
    from tutoraspects.clickhouse_client import connect

    chart = next(c for c in load_tree().of("charts") if c.config["slice_name"] == "ClickHouse Health")
    (result,) = client.chart_data(ids_by_uuid(client, "chart")[chart.uuid])
    figures = {row["figure"]: row["value"] for row in result["data"]}
    admin = connect(settings_)
    try:
        disks = admin.query("SELECT name, free_space FROM system.disks").result_rows
    finally:
        admin.close()
    for name, free in disks:
        assert figures[f"Disk free on {name} (GB)"] == pytest.approx(free / 1e9, abs=0.5)
        assert 0 <= figures[f"Disk used on {name} (%)"] <= 100
    assert figures["Replication queue entries"] == 0  # a single server
    assert figures["Inserts rejected since start (too many parts)"] == 0
    assert figures["Most active parts in one partition"] >= 1
