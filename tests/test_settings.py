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


def test_cluster_size_defaults_and_checks(config):
    """Shards and replicas per shard of a Kubernetes cluster: optional (1 and 2), whole numbers of at least 1."""
    bare = {key: value for key, value in config.items()
            if key not in ("CLICKHOUSE_CLUSTER_SHARDS", "CLICKHOUSE_CLUSTER_REPLICAS")}
    settings = Settings.from_config(bare)
    assert (settings.cluster_shards, settings.cluster_replicas) == (1, 2)
    sized = Settings.from_config({**config, "CLICKHOUSE_CLUSTER_SHARDS": "3", "CLICKHOUSE_CLUSTER_REPLICAS": 3})
    assert (sized.cluster_shards, sized.cluster_replicas) == (3, 3)
    for key, value in [("CLICKHOUSE_CLUSTER_SHARDS", 0), ("CLICKHOUSE_CLUSTER_REPLICAS", "two"),
                       ("CLICKHOUSE_CLUSTER_REPLICAS", 1.5), ("CLICKHOUSE_CLUSTER_SHARDS", True)]:
        with pytest.raises(ValueError, match=f"{key}="):
            Settings.from_config({**config, key: value})


def test_the_local_raw_table_is_the_raw_table_on_one_server(config):
    """On a cluster the statements are stored in each shard's `<raw>_local` table, under the Distributed one."""
    assert Settings.from_config(config).raw_xapi_local_table == config["ASPECTS_RAW_XAPI_TABLE"]
    cluster = Settings.from_config({**config, "CLICKHOUSE_CLUSTER_NAME": "analytics"})
    assert cluster.raw_xapi_local_table == f"{config['ASPECTS_RAW_XAPI_TABLE']}_local"
    with pytest.raises(ValueError, match="CLICKHOUSE_CLUSTER_NAME="):
        Settings.from_config({**config, "CLICKHOUSE_CLUSTER_NAME": "1analytics"})  # not an XML element name
