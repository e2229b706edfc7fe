"""Operators' additions through Tutor patches (docs/extending.md), as an operator's own plugin adds them.

A Tutor plugin of the operator's (a Python file in TUTOR_PLUGINS_ROOT, as Tutor loads them) adds
the patches; the real `tutor` renders them; the init steps run them on a real ClickHouse and dbt.
"""

from __future__ import annotations

import os
import textwrap

import pytest
import yaml

from conftest_render import TUTOR
from tutoraspects.clickhouse_client import connect
from tutoraspects.dbt_runner import run_dbt
from tutoraspects.extensions import ExtensionError, dbt_packages, run_extra_sql, sql_statements
from tutoraspects.settings import Settings

EXTRA_SQL = textwrap.dedent("""\
    -- the operator's own table, kept by every init
    CREATE TABLE IF NOT EXISTS default.operator_notes (note String) ENGINE = MergeTree ORDER BY note;
    INSERT INTO default.operator_notes SELECT 'a; b' WHERE NOT EXISTS (SELECT 1 FROM default.operator_notes);
""")

OPERATOR_PLUGIN = '''
from tutor import hooks
hooks.Filters.ENV_PATCHES.add_items([
    ("clickhouse-extra-sql", {sql!r}),
    ("dbt-packages", "- local: {package}"),
    ("superset-config", "FEATURE_FLAGS = {{**FEATURE_FLAGS, 'OPERATOR_FLAG': True}}"),
    ("superset-extra-assets", "_file: charts/operator_chart.yaml\\nslice_name: Operator chart\\n"),
])
'''


@pytest.fixture(scope="module")
def dbt_package(tmp_path_factory):
    """A dbt package of the operator's with one model over our staging."""
    folder = tmp_path_factory.mktemp("operator_package")
    (folder / "dbt_project.yml").write_text(yaml.safe_dump({
        "name": "operator_models", "version": "1.0.0", "config-version": 2, "model-paths": ["models"],
    }))
    (folder / "models").mkdir()
    (folder / "models" / "operator_videos_per_course.sql").write_text(
        "{{ config(materialized='table', engine='MergeTree', order_by='course_key') }}\n"
        "SELECT course_key, toUInt64(count()) AS plays FROM {{ ref('stg_video_events') }} GROUP BY course_key\n")
    return folder


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, dbt_package):
    plugins = tmp_path_factory.mktemp("plugins")
    (plugins / "operator_additions.py").write_text(OPERATOR_PLUGIN.format(sql=EXTRA_SQL, package=dbt_package))
    root = tmp_path_factory.mktemp("tutor")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}, "TUTOR_PLUGINS_ROOT": str(plugins)}
    import subprocess

    for args in (["plugins", "enable", "aspects", "operator_additions"], ["config", "save"]):
        result = subprocess.run([str(TUTOR), f"--root={root}", *args], capture_output=True, text=True, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
    return root / "env"


def test_patches_reach_the_settings_file_and_superset_config(rendered, dbt_package):
    settings = Settings.load(rendered / "plugins/aspects/apps/aspects/settings.yml")
    assert settings.extra_clickhouse_sql == EXTRA_SQL.strip()
    assert dbt_packages(settings) == [{"local": str(dbt_package)}]
    config = (rendered / "plugins/aspects/apps/superset/superset_config.py").read_text()
    assert "'OPERATOR_FLAG': True" in config
    compile(config, "superset_config.py", "exec")


def test_extra_sql_runs_at_init_and_again_without_harm(settings):
    own = settings.with_overrides(extra_clickhouse_sql=EXTRA_SQL)
    client = connect(settings)
    try:
        for _ in range(2):  # every init runs them
            assert run_extra_sql(own, echo=lambda _: None) == 2
        assert client.query("SELECT note FROM default.operator_notes").result_rows == [("a; b",)]
    finally:
        client.command("DROP TABLE IF EXISTS default.operator_notes")
        client.close()


def test_a_failing_extra_statement_is_named(settings):
    own = settings.with_overrides(extra_clickhouse_sql="SELECT 1;\nSELEC broken;\n")
    with pytest.raises(ExtensionError, match=r"clickhouse-extra-sql statement 2 \(SELEC broken\) failed"):
        run_extra_sql(own, echo=lambda _: None)


def test_statements_split_at_line_ends_only():
    assert sql_statements("-- note\nSELECT 'x;y';\nSELECT 2;  \n\nSELECT\n 3") == ["SELECT 'x;y'", "SELECT 2",
                                                                                "SELECT\n 3"]


def test_dbt_package_models_build_with_ours(settings, dbt_package):
    own = settings.with_overrides(extra_dbt_packages=f"- local: {dbt_package}")
    lines: list[str] = []
    run_dbt(own, ["run", "--select", "operator_videos_per_course"], echo=lines.append)
    client = connect(settings)
    try:
        plays = dict(client.query(f"SELECT course_key, plays FROM `{settings.reporting_database}`."
                                  "operator_videos_per_course").result_rows)
        expected = dict(client.query(
            f"SELECT course_key, count() FROM `{settings.reporting_database}`.stg_video_events GROUP BY course_key"
        ).result_rows)
        assert plays == expected
    finally:
        client.command(f"DROP TABLE IF EXISTS `{settings.reporting_database}`.operator_videos_per_course")
        client.close()


def test_bad_package_list_is_a_clear_error(settings):
    with pytest.raises(ExtensionError, match="YAML list"):
        dbt_packages(settings.with_overrides(extra_dbt_packages="git: https://example.invalid/x"))


def extra_chart() -> str:
    """An operator's chart: a copy of one of ours under its own name and uuid, as a patch would hold it."""
    from tutoraspects.superset.assets import load_tree

    chart = dict(load_tree().of("charts")[0].config)
    chart.update(slice_name="Operator chart", uuid="0b7d3c55-8c3f-4d36-9d7c-3a6f0f4d2e11")
    return yaml.safe_dump({"_file": "charts/operator_chart.yaml", **chart}, sort_keys=False)


def test_extra_assets_are_imported_with_ours(client, settings_):
    from tutoraspects.superset.assets import import_assets

    own = settings_.with_overrides(extra_superset_assets=extra_chart())
    import_assets(own, echo=lambda _: None)
    charts = {row["uuid"]: row for row in client.list("chart", ("id", "uuid", "slice_name"))}
    try:
        chart = charts["0b7d3c55-8c3f-4d36-9d7c-3a6f0f4d2e11"]
        assert chart["slice_name"] == "Operator chart"
        assert client.chart_data(chart["id"])[0]["data"]
    finally:
        if "0b7d3c55-8c3f-4d36-9d7c-3a6f0f4d2e11" in charts:
            client.request("DELETE", f"/api/v1/chart/{charts['0b7d3c55-8c3f-4d36-9d7c-3a6f0f4d2e11']['id']}")


def test_an_extra_asset_without_its_own_uuid_is_refused(settings):
    from tutoraspects.superset.assets import import_tree, load_tree

    ours = load_tree().of("charts")[0].config
    document = yaml.safe_dump({"_file": "charts/copy.yaml", **ours})
    with pytest.raises(ExtensionError, match="a uuid of its own"):
        import_tree(settings.with_overrides(extra_superset_assets=document))
