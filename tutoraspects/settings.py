"""The settings that init steps and the embedded stack read.

They are a subset of the Tutor configuration, under the same names. Tutor
renders them into `env/plugins/aspects/apps/aspects/settings.yml` (see
plugin.py), which the init jobs mount; the embedded stack reads the same file
from its own Tutor root. So every mode reads one rendering of one config.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any, Mapping

import yaml

# Tutor config key -> Settings field
KEYS = {
    "CLICKHOUSE_HOST": "clickhouse_host",
    "CLICKHOUSE_HTTP_PORT": "clickhouse_http_port",
    "CLICKHOUSE_TCP_PORT": "clickhouse_tcp_port",
    "CLICKHOUSE_SECURE": "clickhouse_secure",
    "CLICKHOUSE_CLUSTER_NAME": "cluster_name",
    "CLICKHOUSE_ADMIN_USER": "admin_user",
    "CLICKHOUSE_ADMIN_PASSWORD": "admin_password",
    "CLICKHOUSE_LRS_USER": "lrs_user",
    "CLICKHOUSE_LRS_PASSWORD": "lrs_password",
    "CLICKHOUSE_REPORT_USER": "report_user",
    "CLICKHOUSE_REPORT_PASSWORD": "report_password",
    "CLICKHOUSE_SINK_USER": "sink_user",
    "CLICKHOUSE_SINK_PASSWORD": "sink_password",
    "RALPH_HOST": "ralph_host",
    "RALPH_PORT": "ralph_port",
    "RALPH_LMS_USERNAME": "ralph_lms_username",
    "RALPH_LMS_PASSWORD": "ralph_lms_password",
    "RALPH_LOADER_USERNAME": "ralph_loader_username",
    "RALPH_LOADER_PASSWORD": "ralph_loader_password",
    "ASPECTS_META_DATABASE": "meta_database",
    "ASPECTS_XAPI_DATABASE": "xapi_database",
    "ASPECTS_RAW_XAPI_TABLE": "raw_xapi_table",
    "ASPECTS_EVENT_SINK_DATABASE": "event_sink_database",
    "ASPECTS_REPORTING_DATABASE": "reporting_database",
    "ASPECTS_DATA_TTL_DAYS": "data_ttl_days",
    "ASPECTS_ENABLE_PII": "enable_pii",
    "ASPECTS_MART_REFRESH_SECONDS": "mart_refresh_seconds",
    # Superset: where init steps import the assets (tutoraspects/superset/).
    "RUN_SUPERSET": "run_superset",
    "SUPERSET_URL": "superset_url",
    "SUPERSET_ADMIN_USERNAME": "superset_admin_username",
    "SUPERSET_ADMIN_PASSWORD": "superset_admin_password",
    "SUPERSET_COURSE_TEAM_ROLE": "superset_course_team_role",
    "SUPERSET_LMS_USERNAME": "superset_lms_username",
    "SUPERSET_LMS_PASSWORD": "superset_lms_password",
    "SUPERSET_LMS_ROLE": "superset_lms_role",
    # Languages of the dashboards (superset/translations.py).
    "ASPECTS_DASHBOARD_LOCALES": "dashboard_locales",
}


# Superset's metadata database, which the Operator dashboard's usage charts read (superset/assets.py,
# metadata_read_uri):
# optional in a settings file (read as empty: no usage charts' database then).
SUPERSET_METADATA = {
    "SUPERSET_SQLALCHEMY_URI": "superset_sqlalchemy_uri",
    "SUPERSET_DB_HOST": "superset_db_host",
    "SUPERSET_DB_PORT": "superset_db_port",
    "SUPERSET_DB_NAME": "superset_db_name",
    "SUPERSET_METADATA_READER_USERNAME": "superset_metadata_reader_username",
    "SUPERSET_METADATA_READER_PASSWORD": "superset_metadata_reader_password",
}


# The size of a cluster Kubernetes runs (CLICKHOUSE_CLUSTER_NAME with RUN_CLICKHOUSE; docs/scaling.md):
# Tutor config key -> (Settings field, default, lowest allowed). Optional in a settings file.
CLUSTER_SIZE = {
    "CLICKHOUSE_CLUSTER_SHARDS": ("cluster_shards", 1, 1),
    "CLICKHOUSE_CLUSTER_REPLICAS": ("cluster_replicas", 2, 1),
}


# Operators' additions, each from a Tutor patch of that name (docs/extending.md): Tutor config key ->
# (Settings field, patch). Optional in a settings file: an install without them reads them as empty.
EXTENSIONS = {
    "ASPECTS_EXTRA_CLICKHOUSE_SQL": ("extra_clickhouse_sql", "clickhouse-extra-sql"),
    "ASPECTS_EXTRA_DBT_PACKAGES": ("extra_dbt_packages", "dbt-packages"),
    "ASPECTS_EXTRA_SUPERSET_ASSETS": ("extra_superset_assets", "superset-extra-assets"),
}


# Settings that become ClickHouse database, table, user or cluster names in SQL and XML: checked when
# the settings load, so a typo is an error here rather than broken SQL (or an injection) later.
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
IDENTIFIERS = {
    **{key: NAME for key in ("ASPECTS_META_DATABASE", "ASPECTS_XAPI_DATABASE", "ASPECTS_RAW_XAPI_TABLE",
                             "ASPECTS_EVENT_SINK_DATABASE", "ASPECTS_REPORTING_DATABASE", "CLICKHOUSE_ADMIN_USER",
                             "CLICKHOUSE_LRS_USER", "CLICKHOUSE_REPORT_USER", "CLICKHOUSE_SINK_USER")},
    # empty: no cluster; else an XML element name too (cluster.xml's remote_servers)
    "CLICKHOUSE_CLUSTER_NAME": re.compile(r"^([A-Za-z_][A-Za-z0-9_.-]*)?$"),
}


def cluster_size(config: Mapping[str, Any]) -> dict[str, int]:
    """Shards and replicas per shard (Settings fields), checked: whole numbers, at least 1."""
    values, bad = {}, []
    for key, (field, default, lowest) in CLUSTER_SIZE.items():
        value = config.get(key)
        value = default if value is None or value == "" else value
        try:
            number = int(str(value).strip())
        except ValueError:
            number = None
        if number is None or number < lowest or isinstance(value, bool) or isinstance(value, float):
            bad.append(f"{key}={value!r}")
        else:
            values[field] = number
    if bad:
        raise ValueError(f"not a whole number of servers (at least 1): {', '.join(bad)}")
    return values


@dataclasses.dataclass(frozen=True)
class Settings:
    clickhouse_host: str
    clickhouse_http_port: int
    clickhouse_tcp_port: int
    clickhouse_secure: bool
    cluster_name: str
    admin_user: str
    admin_password: str
    lrs_user: str
    lrs_password: str
    report_user: str
    report_password: str
    sink_user: str
    sink_password: str
    ralph_host: str
    ralph_port: int
    ralph_lms_username: str
    ralph_lms_password: str
    ralph_loader_username: str
    ralph_loader_password: str
    meta_database: str
    xapi_database: str
    raw_xapi_table: str
    event_sink_database: str
    reporting_database: str
    data_ttl_days: int
    enable_pii: bool
    mart_refresh_seconds: int
    run_superset: bool
    superset_url: str
    superset_admin_username: str
    superset_admin_password: str
    superset_course_team_role: str
    superset_lms_username: str
    superset_lms_password: str
    superset_lms_role: str
    dashboard_locales: tuple[str, ...] = ("en",)
    cluster_shards: int = 1
    cluster_replicas: int = 2
    superset_sqlalchemy_uri: str = ""
    superset_db_host: str = ""
    superset_db_port: str = ""
    superset_db_name: str = ""
    superset_metadata_reader_username: str = ""
    superset_metadata_reader_password: str = ""
    extra_clickhouse_sql: str = ""
    extra_dbt_packages: str = ""
    extra_superset_assets: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Settings":
        missing = sorted(key for key in KEYS if key not in config)
        if missing:
            raise ValueError(f"missing settings: {', '.join(missing)}")
        values = {field: config[key] for key, field in KEYS.items()}
        values.update({field: config.get(key) or "" for key, (field, _) in EXTENSIONS.items()})
        values.update({field: config.get(key) or "" for key, field in SUPERSET_METADATA.items()})
        values.update(cluster_size(config))
        for field in dataclasses.fields(cls):
            if field.type == "int":
                values[field.name] = int(values[field.name])
            elif field.type == "bool":
                values[field.name] = _as_bool(values[field.name])
            elif field.type == "tuple[str, ...]":
                value = values[field.name] or ()
                items = value.split(",") if isinstance(value, str) else value
                values[field.name] = tuple(str(item).strip() for item in items if str(item).strip())
            else:
                values[field.name] = "" if values[field.name] is None else str(values[field.name])
        bad = [f"{key}={values[KEYS[key]]!r}" for key, pattern in IDENTIFIERS.items()
               if not pattern.match(values[KEYS[key]])]
        if bad:
            raise ValueError(f"not a ClickHouse name (letters, digits and _; a cluster also - and ., or empty): "
                             f"{', '.join(bad)}")
        return cls(**values)

    @classmethod
    def load(cls, path: str | Path) -> "Settings":
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(
                f"no settings file at {path}: run `tutor config save` with the aspects plugin enabled"
            )
        return cls.from_config(yaml.safe_load(path.read_text()) or {})

    @property
    def ralph_url(self) -> str:
        return f"http://{self.ralph_host}:{self.ralph_port}"

    @property
    def raw_xapi_local_table(self) -> str:
        """The table that stores the statements: the raw table itself on one server; on a cluster each
        shard's Replicated `<raw>_local` table, under the Distributed raw table Ralph writes (migration
        0010). Staging materialized views, TTLs and deletions act on this one."""
        return f"{self.raw_xapi_table}_local" if self.cluster_name else self.raw_xapi_table

    def with_overrides(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **changes)


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def render_settings_yaml(config: Mapping[str, Any]) -> str:
    """The settings file's content, from a Tutor config (or template context, whose `patch` fills the
    operators' additions)."""
    values = {key: config[key] for key in KEYS}
    values.update({key: config.get(key) or "" for key in SUPERSET_METADATA})
    # `tutor config save` stops here on a cluster size that is not one (nothing is rendered with it)
    values.update({key: cluster_size(config)[field] for key, (field, _, _) in CLUSTER_SIZE.items()})
    patch = config.get("patch")
    if patch:
        values.update({key: patch(name).strip() for key, (_, name) in EXTENSIONS.items()})
    return yaml.safe_dump(values, sort_keys=True)
