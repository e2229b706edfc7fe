"""The asset check (no server): the repository's tree is valid, and each kind of mistake is caught."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml

from tutoraspects.embedded.venvs import venv_bin
from tutoraspects.settings import Settings
from tutoraspects.superset.assets import (
    ALLOWED_FIELDS,
    KINDS,
    check_assets,
    load_tree,
    render_bundle,
    report_uri,
)
from tutoraspects.superset import scaffold

REPO = Path(__file__).resolve().parent.parent
ASSETS = REPO / "superset_assets"


@pytest.fixture()
def tree(tmp_path) -> Path:
    copy = tmp_path / "assets"
    shutil.copytree(ASSETS, copy)
    return copy


def edit(path: Path, change) -> None:
    config = yaml.safe_load(path.read_text())
    change(config)
    path.write_text(yaml.safe_dump(config, sort_keys=False))


def first(tree: Path, kind: str) -> Path:
    return sorted((tree / kind).glob("*.yaml"))[0]


def test_repository_assets_are_valid():
    assert check_assets() == []
    loaded = load_tree()
    assert all(loaded.of(kind) for kind in KINDS)


def test_cli_check_assets():
    result = subprocess.run([str(REPO / ".venv/bin/aspects"), "check-assets"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Superset assets OK." in result.stdout


def test_course_team_dashboards_read_only_course_datasets(tree):
    """Row-level security needs course_key (and the instructor tab's guest tokens org) on every
    dataset a course-team dashboard draws from, its native filters' included."""
    edit(tree / "datasets/learner_summary.yaml",
         lambda c: c.update(columns=[col for col in c["columns"] if col["column_name"] != "org"]))
    (problem,) = [p for p in check_assets(tree) if "row-level security" in p]
    assert problem.startswith("datasets/learner_summary.yaml: a course-team dashboard draws from it")
    assert "no org column" in problem
    (tree / "dashboards/learner_groups.yaml").unlink()
    assert any("course-team dashboard 'learner_groups'" in p for p in check_assets(tree))


def test_unknown_field(tree):
    edit(first(tree, "charts"), lambda c: c.update(colour="red"))
    assert any("unknown fields colour" in p for p in check_assets(tree))


def test_unknown_column_field(tree):
    edit(first(tree, "datasets"), lambda c: c["columns"][0].update(width=3))
    assert any("unknown fields in columns: width" in p for p in check_assets(tree))


def test_bad_and_duplicate_uuids(tree):
    charts = sorted((tree / "charts").glob("*.yaml"))
    uuid = yaml.safe_load(charts[0].read_text())["uuid"]
    edit(charts[1], lambda c: c.update(uuid=uuid))
    edit(first(tree, "dashboards"), lambda c: c.update(uuid="not-a-uuid"))
    problems = check_assets(tree)
    assert any(f"uuid {uuid} is also used by" in p for p in problems)
    assert any("'not-a-uuid' is not a lowercase UUID" in p for p in problems)


def test_dangling_references(tree):
    edit(first(tree, "charts"), lambda c: c.update(dataset_uuid="00000000-0000-0000-0000-000000000001"))

    def break_position(config):
        chart = next(node for node in config["position"].values() if isinstance(node, dict) and node.get("type") == "CHART")
        chart["meta"]["uuid"] = "00000000-0000-0000-0000-000000000002"

    edit(first(tree, "dashboards"), break_position)
    edit(first(tree, "datasets"), lambda c: c.update(database_uuid="00000000-0000-0000-0000-000000000003"))
    problems = check_assets(tree)
    assert any("dataset_uuid 00000000-0000-0000-0000-000000000001 matches no dataset" in p for p in problems)
    assert any("chart 00000000-0000-0000-0000-000000000002, which does not exist" in p for p in problems)
    assert any("database_uuid 00000000-0000-0000-0000-000000000003 matches no database" in p for p in problems)


def test_dataset_over_a_missing_mart_or_column(tree):
    edit(first(tree, "datasets"), lambda c: c["columns"].append({"column_name": "no_such_column"}))
    assert any("column no_such_column is not in the docs of dbt model" in p for p in check_assets(tree))
    edit(first(tree, "datasets"), lambda c: c.update(table_name="no_such_mart"))
    assert any("table no_such_mart is not a dbt model" in p for p in check_assets(tree))


def test_chart_params_must_name_dataset_columns_and_metrics(tree):
    edit(tree / "charts" / "enrollees_per_enrollment_track.yaml",
         lambda c: c["params"].update(groupby=["no_such_column"], metric="no_such_metric"))
    problems = check_assets(tree)
    assert any("column no_such_column is not in dataset" in p for p in problems)
    assert any("metric no_such_metric is not in dataset" in p for p in problems)


def test_password_in_database_uri_refused(tree):
    edit(first(tree, "databases"), lambda c: c.update(sqlalchemy_uri="clickhousedb://ch_report:secret@ch:8123/reporting"))
    assert any("sqlalchemy_uri holds a password" in p for p in check_assets(tree))


def test_rendered_bundle_fills_placeholders_and_sends_the_password_apart(tree):
    settings = Settings(
        clickhouse_host="clickhouse", clickhouse_http_port=8123, clickhouse_tcp_port=9000, clickhouse_secure=False,
        cluster_name="", admin_user="a", admin_password="apw", lrs_user="l", lrs_password="lpw",
        report_user="ch_report", report_password="s3cret/pw", sink_user="s", sink_password="spw",
        ralph_host="ralph", ralph_port=8100,
        ralph_lms_username="lms", ralph_lms_password="x", ralph_loader_username="loader",
        ralph_loader_password="y", meta_database="aspects", xapi_database="xapi", raw_xapi_table="xapi_events_all",
        event_sink_database="event_sink", reporting_database="analytics", data_ttl_days=0, enable_pii=False,
        mart_refresh_seconds=60, run_superset=True, superset_url="http://superset:8088",
        superset_admin_username="admin", superset_admin_password="z",
        superset_course_team_role="Aspects Course Team", superset_lms_username="aspects_lms",
        superset_lms_password="lpw", superset_lms_role="Aspects LMS",
        superset_db_host="mysql", superset_db_port="3306", superset_db_name="superset",
        superset_metadata_reader_username="reader", superset_metadata_reader_password="r3ader/pw",
    )
    bundle, passwords = render_bundle(settings, tree)
    assert passwords == {"databases/clickhouse_reporting.yaml": "s3cret/pw",
                         "databases/superset_metadata.yaml": "r3ader/pw"}
    with zipfile.ZipFile(__import__("io").BytesIO(bundle)) as archive:
        names = archive.namelist()
        assert "aspects_assets/metadata.yaml" in names
        text = "\n".join(archive.read(name).decode() for name in names)
    assert "${" not in text and "s3cret" not in text and "r3ader" not in text
    assert "clickhousedb://ch_report:XXXXXXXXXX@clickhouse:8123/analytics" in text
    # Superset's own metadata, for the usage charts: MySQL as the reader account (Tutor) ...
    assert "mysql+pymysql://reader:XXXXXXXXXX@mysql:3306/superset?charset=utf8mb4" in text
    # ... or the embedded stack's SQLite file, read-only and without a password
    embedded = settings.with_overrides(superset_sqlalchemy_uri="sqlite:////srv/aspects/superset.db")
    bundle, passwords = render_bundle(embedded, tree)
    assert "databases/superset_metadata.yaml" not in passwords
    with zipfile.ZipFile(__import__("io").BytesIO(bundle)) as archive:
        database = archive.read("aspects_assets/databases/superset_metadata.yaml").decode()
    assert "sqlite:///file:/srv/aspects/superset.db?mode=ro&uri=true" in database
    assert "schema: analytics" in text
    assert report_uri(settings.with_overrides(clickhouse_secure=True)).endswith("?protocol=https")


def test_scaffold_is_deterministic(tmp_path):
    """The helper gives fixed uuids: writing the same asset twice changes nothing."""
    config = scaffold.chart("Current Enrollees", "int_learner_course_state", "big_number_total",
                            metric="enrolled_learners")
    assert config["uuid"] == yaml.safe_load((ASSETS / "charts" / "current_enrollees.yaml").read_text())["uuid"]
    assert json.loads(config["query_context"])["queries"][0]["metrics"] == ["enrolled_learners"]
    dataset = scaffold.dataset("int_learner_course_state")
    assert {c["column_name"] for c in dataset["columns"]} >= {"org", "course_key", "enrollment_mode"}


@pytest.mark.skipif(not (venv_bin("superset") / "python").exists(), reason="no Superset venv")
def test_allowed_fields_match_the_installed_superset(tmp_path):
    """The check's field lists are Superset 6.1's import schemas."""
    config = tmp_path / "superset_config.py"
    config.write_text(f"SECRET_KEY = 'x' * 32\nSQLALCHEMY_DATABASE_URI = 'sqlite:///{tmp_path}/s.db'\n")
    script = """
import json
from superset.app import create_app
with create_app().app_context():
    from superset.databases.schemas import ImportV1DatabaseSchema as db
    from superset.datasets.schemas import ImportV1DatasetSchema as ds, ImportV1ColumnSchema as col, ImportV1MetricSchema as m
    from superset.charts.schemas import ImportV1ChartSchema as ch
    from superset.dashboards.schemas import ImportV1DashboardSchema as da
    print(json.dumps({k: sorted(s().fields) for k, s in dict(databases=db, datasets=ds, charts=ch, dashboards=da, columns=col, metrics=m).items()}))
"""
    result = subprocess.run([str(venv_bin("superset") / "python"), "-c", script], capture_output=True, text=True,
                            env={"SUPERSET_CONFIG_PATH": str(config), "PATH": "/usr/bin:/bin"}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    fields = json.loads(result.stdout.strip().splitlines()[-1])
    fields["databases"].append("allow_file_upload")  # renamed to allow_csv_upload by the schema's pre_load
    assert {kind: set(names) for kind, names in fields.items()} == ALLOWED_FIELDS
