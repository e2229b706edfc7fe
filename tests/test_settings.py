"""The settings every mode reads (settings.yml): names that end up in SQL are checked when they load."""

from __future__ import annotations

import pytest
import yaml

from tutoraspects.settings import KEYS, Settings


@pytest.fixture()
def config(stack) -> dict:
    return yaml.safe_load(stack.root.settings_file.read_text())


def test_rendered_settings_load(config):
    assert Settings.from_config(config).reporting_database == config["ASPECTS_REPORTING_DATABASE"]


@pytest.mark.parametrize("key, value", [
    ("ASPECTS_REPORTING_DATABASE", "reporting; DROP TABLE x"),
    ("ASPECTS_RAW_XAPI_TABLE", "xapi-events"),
    ("ASPECTS_XAPI_DATABASE", "1xapi"),
    ("CLICKHOUSE_REPORT_USER", "report user"),
    ("CLICKHOUSE_CLUSTER_NAME", "analytics'--"),
])
def test_a_bad_name_is_refused_with_its_setting(config, key, value):
    with pytest.raises(ValueError, match=f"{key}="):
        Settings.from_config({**config, key: value})


def test_a_cluster_name_may_be_empty_or_have_dashes(config):
    assert Settings.from_config({**config, "CLICKHOUSE_CLUSTER_NAME": ""}).cluster_name == ""
    assert Settings.from_config({**config, "CLICKHOUSE_CLUSTER_NAME": "analytics-1"}).cluster_name == "analytics-1"


def test_a_missing_setting_is_named(config):
    with pytest.raises(ValueError, match="missing settings: ASPECTS_REPORTING_DATABASE"):
        Settings.from_config({key: value for key, value in config.items() if key != "ASPECTS_REPORTING_DATABASE"})
    assert "ASPECTS_REPORTING_DATABASE" in KEYS
