"""The Superset assets: one YAML file per asset in superset_assets/.

Layout (see superset_assets/README.md):

    superset_assets/databases/<name>.yaml   the ClickHouse connection (report user), Superset's metadata
    superset_assets/datasets/<table>.yaml   one per mart (or intermediate model)
    superset_assets/charts/<slug>.yaml      one per chart
    superset_assets/dashboards/<slug>.yaml  one per dashboard

Each file is Superset's own v1 export format for that asset, with a fixed
`uuid`, so the files import as they are once the few `${NAME}` placeholders
are filled in from the install's settings (`render`). The database's URI
carries no password: it is masked (`XXXXXXXXXX`) and the import sends the
report user's password beside the bundle.
"""

from __future__ import annotations

import io
import json
import re
import uuid as uuid_module
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import quote

import yaml

from ..paths import PACKAGE_DIR, data_dir
from ..settings import Settings

Echo = Callable[[str], None]

KINDS = ("databases", "datasets", "charts", "dashboards")
MASKED_PASSWORD = "XXXXXXXXXX"  # what Superset writes in exports instead of a password
PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)\}")

# The fields Superset 6.1's import schemas accept (superset/{databases,datasets,
# charts,dashboards}/schemas.py, ImportV1*Schema); anything else is refused at
# import. tests/test_superset_assets.py compares these with the installed Superset.
ALLOWED_FIELDS = {
    "databases": {
        # allow_file_upload: what exports write; the import schema renames it to allow_csv_upload.
        "allow_csv_upload", "allow_file_upload", "allow_ctas", "allow_cvas", "allow_dml", "allow_run_async", "cache_timeout",
        "configuration_method", "database_name", "encrypted_extra", "expose_in_sqllab", "external_url", "extra",
        "impersonate_user", "is_managed_externally", "masked_encrypted_extra", "password", "sqlalchemy_uri",
        "ssh_tunnel", "uuid", "version",
    },
    "datasets": {
        "always_filter_main_dttm", "cache_timeout", "catalog", "columns", "currency_code_column", "data",
        "data_file", "database_uuid", "default_endpoint", "description", "external_url", "extra",
        "fetch_values_predicate", "filter_select_enabled", "folders", "is_managed_externally", "main_dttm_col",
        "metrics", "normalize_columns", "offset", "params", "schema", "source_db_engine", "sql", "table_name",
        "template_params", "uuid", "version",
    },
    "charts": {
        "cache_timeout", "certification_details", "certified_by", "dataset_uuid", "description", "external_url",
        "is_managed_externally", "params", "query_context", "slice_name", "tags", "uuid", "version", "viz_type",
    },
    "dashboards": {
        "certification_details", "certified_by", "css", "dashboard_title", "description", "external_url",
        "is_managed_externally", "metadata", "position", "published", "slug", "tags", "theme_id", "theme_uuid",
        "uuid", "version",
    },
    "columns": {
        "advanced_data_type", "column_name", "datetime_format", "description", "expression", "extra",
        "filterable", "groupby", "is_active", "is_dttm", "python_date_format", "type", "verbose_name",
    },
    "metrics": {
        "currency", "d3format", "description", "expression", "extra", "metric_name", "metric_type",
        "verbose_name", "warning_text",
    },
}
REQUIRED_FIELDS = {
    "databases": {"database_name", "sqlalchemy_uri", "uuid", "version"},
    "datasets": {"table_name", "schema", "uuid", "database_uuid", "columns", "metrics", "version"},
    "charts": {"slice_name", "viz_type", "params", "query_context", "uuid", "dataset_uuid", "version"},
    "dashboards": {"dashboard_title", "slug", "uuid", "position", "metadata", "version"},
}
# Chart params whose values name dataset columns.
COLUMN_PARAMS = ("groupby", "columns", "all_columns", "x_axis", "granularity_sqla", "series", "entity",
                 "order_by_cols", "temporal_columns_lookup")


class AssetError(RuntimeError):
    """The assets are invalid or the import failed; the message lists why."""


def assets_dir() -> Path:
    return data_dir("superset_assets")


def dbt_models_dir() -> Path:
    return data_dir("dbt") / "models"


@dataclass
class Asset:
    kind: str
    path: Path
    config: dict[str, Any]

    @property
    def uuid(self) -> str:
        return str(self.config.get("uuid", ""))

    @property
    def name(self) -> str:
        for key in ("database_name", "table_name", "slice_name", "dashboard_title"):
            if key in self.config:
                return str(self.config[key])
        return self.path.stem

    def relative(self) -> str:
        return f"{self.kind}/{self.path.name}"


@dataclass
class AssetTree:
    root: Path
    assets: list[Asset] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[Asset]:
        return [asset for asset in self.assets if asset.kind == kind]

    def by_uuid(self, kind: str) -> dict[str, Asset]:
        return {asset.uuid: asset for asset in self.of(kind)}


def load_tree(root: Path | None = None) -> AssetTree:
    """Every YAML file of the tree; files that do not parse are reported, not raised."""
    root = Path(root or assets_dir())
    tree = AssetTree(root)
    for kind in KINDS:
        for path in sorted((root / kind).glob("*")):
            if path.suffix not in (".yaml", ".yml"):
                if path.is_file() and path.name != ".gitkeep":
                    tree.errors.append(f"{kind}/{path.name}: not a .yaml file")
                continue
            try:
                config = yaml.safe_load(path.read_text())
            except yaml.YAMLError as error:
                tree.errors.append(f"{kind}/{path.name}: invalid YAML: {error}")
                continue
            if not isinstance(config, dict):
                tree.errors.append(f"{kind}/{path.name}: not a YAML mapping")
                continue
            tree.assets.append(Asset(kind, path, config))
    return tree


# --- check ------------------------------------------------------------------------


@dataclass(frozen=True)
class Model:
    name: str
    folder: str  # marts/course, intermediate, ...
    columns: frozenset[str] | None  # None: the model has no YAML docs


def dbt_models(models_dir: Path | None = None) -> dict[str, Model]:
    """dbt models by name, with the columns their YAML docs list."""
    models_dir = Path(models_dir or dbt_models_dir())
    documented: dict[str, set[str]] = {}
    for doc in list(models_dir.rglob("*.yml")) + list(models_dir.rglob("*.yaml")):
        try:
            content = yaml.safe_load(doc.read_text()) or {}
        except yaml.YAMLError:
            continue
        for model in content.get("models") or []:
            if isinstance(model, dict) and model.get("name"):
                columns = {str(c["name"]) for c in model.get("columns") or [] if isinstance(c, dict) and "name" in c}
                documented.setdefault(model["name"], set()).update(columns)
    models = {}
    for sql in models_dir.rglob("*.sql"):
        columns = documented.get(sql.stem)
        models[sql.stem] = Model(sql.stem, str(sql.parent.relative_to(models_dir)),
                                 frozenset(columns) if columns is not None else None)
    return models


def _is_uuid(value: Any) -> bool:
    try:
        return str(uuid_module.UUID(str(value))) == str(value)
    except ValueError:
        return False


def dashboard_chart_uuids(config: Mapping[str, Any]) -> list[str]:
    """The uuids of the charts a dashboard's layout places, in layout order."""
    position = config.get("position") or {}
    return [
        str(node.get("meta", {}).get("uuid"))
        for key, node in position.items()
        if isinstance(node, dict) and node.get("type") == "CHART"
    ]


def native_filter_dataset_uuids(config: Mapping[str, Any]) -> list[str]:
    metadata = config.get("metadata") or {}
    uuids = []
    for native_filter in metadata.get("native_filter_configuration") or []:
        for target in native_filter.get("targets") or []:
            if "datasetUuid" in target:
                uuids.append(str(target["datasetUuid"]))
    return uuids


def _param_columns(params: Mapping[str, Any]) -> Iterable[str]:
    for key in COLUMN_PARAMS:
        value = params.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item:
                yield item


def _metric_names(params: Mapping[str, Any]) -> Iterable[Any]:
    for key in ("metric", "metrics", "percent_metrics", "timeseries_limit_metric", "x", "y", "size",
                "secondary_metric"):
        value = params.get(key)
        yield from value if isinstance(value, list) else ([value] if value else [])


def check_assets(root: Path | None = None, models_dir: Path | None = None) -> list[str]:
    """Every problem found in the tree, as 'file: what is wrong' lines (empty: all good)."""
    tree = load_tree(root)
    models = dbt_models(models_dir)
    problems = list(tree.errors)
    seen: dict[str, str] = {}
    table_names: dict[str, str] = {}
    for asset in tree.assets:
        where = asset.relative()
        config = asset.config
        unknown = sorted(set(config) - ALLOWED_FIELDS[asset.kind])
        if unknown:
            problems.append(f"{where}: unknown fields {', '.join(unknown)}")
        missing = sorted(REQUIRED_FIELDS[asset.kind] - set(config))
        if missing:
            problems.append(f"{where}: missing fields {', '.join(missing)}")
        if not _is_uuid(asset.uuid):
            problems.append(f"{where}: uuid {asset.uuid!r} is not a lowercase UUID")
        elif asset.uuid in seen:
            problems.append(f"{where}: uuid {asset.uuid} is also used by {seen[asset.uuid]}")
        else:
            seen[asset.uuid] = where
        if str(config.get("version", "1.0.0")) != "1.0.0":
            problems.append(f"{where}: version must be 1.0.0")
        for name in PLACEHOLDER.findall(json.dumps(config)):
            if name not in PLACEHOLDERS:
                problems.append(f"{where}: unknown placeholder ${{{name}}} (known: {', '.join(PLACEHOLDERS)})")

    databases = tree.by_uuid("databases")
    datasets = tree.by_uuid("datasets")
    charts = tree.by_uuid("charts")
    for asset in tree.of("databases"):
        uri = str(asset.config.get("sqlalchemy_uri", ""))
        if "${CLICKHOUSE_REPORT_URI}" not in uri and re.search(r"://[^/]*:(?!XXXXXXXXXX@)[^/@]+@", uri):
            problems.append(f"{asset.relative()}: sqlalchemy_uri holds a password: use ${{CLICKHOUSE_REPORT_URI}}")
        elif not (PLACEHOLDER.fullmatch(uri) and PLACEHOLDER.fullmatch(uri).group(1) in DATABASE_PASSWORDS):
            problems.append(f"{asset.relative()}: sqlalchemy_uri must be one of "
                            f"{', '.join('${' + name + '}' for name in DATABASE_PASSWORDS)}")
        if "password" in asset.config:
            problems.append(f"{asset.relative()}: a password must not be stored in the repository")
    for asset in tree.of("datasets"):
        where, config = asset.relative(), asset.config
        if str(config.get("database_uuid")) not in databases:
            problems.append(f"{where}: database_uuid {config.get('database_uuid')} matches no database")
        table = str(config.get("table_name", ""))
        if table in table_names:
            problems.append(f"{where}: table_name {table} is also used by {table_names[table]} "
                            "(Superset's SQLite metadata keeps dataset names unique)")
        table_names[table] = where
        columns = [str(c.get("column_name")) for c in config.get("columns") or [] if isinstance(c, dict)]
        for part in ("columns", "metrics"):
            for item in config.get(part) or []:
                unknown = sorted(set(item) - ALLOWED_FIELDS[part]) if isinstance(item, dict) else ["(not a mapping)"]
                if unknown:
                    problems.append(f"{where}: unknown fields in {part}: {', '.join(unknown)}")
        for metric in config.get("metrics") or []:
            if not metric.get("metric_name") or not metric.get("expression"):
                problems.append(f"{where}: every metric needs metric_name and expression")
        if config.get("sql"):
            continue  # a virtual dataset: its SQL names what it reads
        model = models.get(table)
        if model is None:
            problems.append(f"{where}: table {table} is not a dbt model (dbt/models/**/{table}.sql)")
            continue
        if model.columns is None:
            problems.append(f"{where}: the dbt model {model.folder}/{table} has no YAML docs listing its columns")
            continue
        for column in columns:
            if column not in model.columns and not _is_expression_column(config, column):
                problems.append(f"{where}: column {column} is not in the docs of dbt model {model.folder}/{table}")
    for asset in tree.of("charts"):
        where, config = asset.relative(), asset.config
        dataset = datasets.get(str(config.get("dataset_uuid")))
        if dataset is None:
            problems.append(f"{where}: dataset_uuid {config.get('dataset_uuid')} matches no dataset")
            continue
        params = config.get("params") or {}
        if not isinstance(params, dict):
            problems.append(f"{where}: params must be a mapping")
            continue
        columns = {str(c.get("column_name")) for c in dataset.config.get("columns") or []}
        metrics = {str(m.get("metric_name")) for m in dataset.config.get("metrics") or []}
        for column in _param_columns(params):
            if column not in columns:
                problems.append(f"{where}: column {column} is not in dataset {dataset.relative()}")
        for metric in _metric_names(params):
            if isinstance(metric, str) and metric not in metrics:
                problems.append(f"{where}: metric {metric} is not in dataset {dataset.relative()}")
            elif isinstance(metric, dict) and metric.get("expressionType") == "SIMPLE":
                column = (metric.get("column") or {}).get("column_name")
                if column not in columns:
                    problems.append(f"{where}: metric column {column} is not in dataset {dataset.relative()}")
        try:
            query_context = json.loads(config.get("query_context") or "null")
        except (TypeError, ValueError):
            problems.append(f"{where}: query_context is not JSON")
        else:
            if not isinstance(query_context, dict) or not query_context.get("queries"):
                problems.append(f"{where}: query_context has no queries (the chart data API needs them)")
    for asset in tree.of("dashboards"):
        where, config = asset.relative(), asset.config
        for chart_uuid in dashboard_chart_uuids(config):
            if chart_uuid not in charts:
                problems.append(f"{where}: position refers to chart {chart_uuid}, which does not exist")
        for dataset_uuid in native_filter_dataset_uuids(config):
            if dataset_uuid not in datasets:
                problems.append(f"{where}: a native filter targets dataset {dataset_uuid}, which does not exist")
    from .access import check_access
    from .translations import check_translations

    problems += check_translations(tree, root)

    return problems + check_access(tree)


def _is_expression_column(config: Mapping[str, Any], column: str) -> bool:
    """Calculated columns (with an expression) need not exist in the table."""
    for item in config.get("columns") or []:
        if item.get("column_name") == column:
            return bool(item.get("expression"))
    return False


# --- render and import --------------------------------------------------------------


def report_uri(settings: Settings, password: str = MASKED_PASSWORD) -> str:
    """The ClickHouse connection Superset uses: the read-only report user over HTTP(S)."""
    query = "?protocol=https" if settings.clickhouse_secure else ""
    return (
        f"clickhousedb://{quote(settings.report_user, safe='')}:{quote(password, safe='')}"
        f"@{settings.clickhouse_host}:{settings.clickhouse_http_port}/{settings.reporting_database}{query}"
    )


def metadata_read_uri(settings: Settings, password: str = MASKED_PASSWORD) -> str:
    """The connection the Superset-usage charts read Superset's own metadata through, read-only:
    the embedded stack's SQLite file opened read-only; MySQL (or the configured database) as the
    reader account, which may only SELECT a few columns (superset/metadata.py grants them)."""
    uri = settings.superset_sqlalchemy_uri
    if uri.startswith("sqlite:///"):
        return f"sqlite:///file:{uri[len('sqlite:///'):]}?mode=ro&uri=true"
    user = quote(settings.superset_metadata_reader_username, safe="")
    if uri:  # another server: the same one, as the reader
        scheme, rest = uri.split("://", 1)
        return f"{scheme}://{user}:{quote(password, safe='')}@{rest.split('@', 1)[-1]}"
    if not (settings.superset_db_host and settings.superset_db_name and settings.superset_metadata_reader_username):
        raise AssetError("Superset's metadata database is not in the settings (SUPERSET_DB_HOST, SUPERSET_DB_NAME, "
                         "SUPERSET_METADATA_READER_USERNAME): run `tutor config save`")
    return (f"mysql+pymysql://{user}:{quote(password, safe='')}@{settings.superset_db_host}:"
            f"{settings.superset_db_port or 3306}/{settings.superset_db_name}?charset=utf8mb4")


# A database's URI placeholder -> the password its import sends beside the bundle (when the rendered
# URI has one: the embedded SQLite metadata has none).
DATABASE_PASSWORDS: dict[str, Callable[[Settings], str]] = {
    "CLICKHOUSE_REPORT_URI": lambda s: s.report_password,
    "SUPERSET_METADATA_URI": lambda s: s.superset_metadata_reader_password,
}
REPORT_DATABASE = "${CLICKHOUSE_REPORT_URI}"

PLACEHOLDERS: dict[str, Callable[[Settings], str]] = {
    "CLICKHOUSE_REPORT_URI": report_uri,
    "SUPERSET_METADATA_URI": metadata_read_uri,
    "REPORTING_DATABASE": lambda s: s.reporting_database,
    "XAPI_DATABASE": lambda s: s.xapi_database,
    "EVENT_SINK_DATABASE": lambda s: s.event_sink_database,
}


def _fill(value: Any, values: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda match: values[match.group(1)], value)
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, values) for key, item in value.items()}
    return value


def import_tree(settings: Settings, root: Path | None = None) -> AssetTree:
    """What an import brings into Superset: the tree and the operator's extra assets (the
    superset-extra-assets patch), with their copies in each dashboard language."""
    from ..extensions import ExtensionError, extra_assets
    from .translations import with_translations

    tree = load_tree(root)
    ours = {asset.uuid for asset in tree.assets}
    for document in extra_assets(settings):
        relative = PurePosixPath(str(document["_file"]))
        config = {key: value for key, value in document.items() if key != "_file"}
        if relative.parts[0] not in KINDS or not _is_uuid(config.get("uuid")) or config["uuid"] in ours:
            raise ExtensionError(f"superset-extra-assets {relative}: needs a kind folder ({', '.join(KINDS)}) "
                                 "and a uuid of its own")
        tree.assets.append(Asset(relative.parts[0], tree.root / relative, config))
    return with_translations(tree, settings.dashboard_locales, root)


def render_bundle(settings: Settings, root: Path | None = None) -> tuple[bytes, dict[str, str]]:
    """The import bundle (a zip as Superset exports it) and the database passwords to send with it."""
    problems = check_assets(root)
    if problems:
        raise AssetError("the Superset assets are invalid:\n  " + "\n  ".join(problems))
    tree = import_tree(settings, root)
    values = {name: render(settings) for name, render in PLACEHOLDERS.items()}
    buffer = io.BytesIO()
    passwords = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        metadata = {"version": "1.0.0", "type": "assets", "timestamp": datetime.now(timezone.utc).isoformat()}
        bundle.writestr("aspects_assets/metadata.yaml", yaml.safe_dump(metadata))
        for asset in tree.assets:
            name = asset.relative()
            rendered = _fill(asset.config, values)
            bundle.writestr(f"aspects_assets/{name}", yaml.safe_dump(rendered, sort_keys=False))
            if asset.kind == "databases" and f":{MASKED_PASSWORD}@" in rendered["sqlalchemy_uri"]:
                placeholder = PLACEHOLDER.fullmatch(asset.config["sqlalchemy_uri"]).group(1)
                passwords[name] = DATABASE_PASSWORDS[placeholder](settings)
    return buffer.getvalue(), passwords


@dataclass
class ImportResult:
    counts: dict[str, int]

    def __str__(self) -> str:
        return ", ".join(f"{count} {kind}" for kind, count in self.counts.items())


def import_assets(settings: Settings, echo: Echo = print, root: Path | None = None,
                  wait_seconds: float = 300) -> ImportResult:
    """Import (create or overwrite) every asset through Superset's assets API."""
    from .client import SupersetClient

    bundle, passwords = render_bundle(settings, root)
    tree = import_tree(settings, root)
    client = SupersetClient(settings.superset_url, settings.superset_admin_username,
                            settings.superset_admin_password)
    echo(f"Importing the Superset assets into {settings.superset_url} ...")
    client.wait_until_healthy(wait_seconds)
    client.login()
    client.import_bundle(bundle, passwords)
    result = ImportResult({kind: len(tree.of(kind)) for kind in KINDS})
    echo(f"Superset assets imported: {result}.")
    from .access import apply_access

    (database,) = [d for d in tree.of("databases") if d.config["sqlalchemy_uri"] == REPORT_DATABASE]
    apply_access(client, tree, settings, database.config["database_name"], echo)
    return result


# --- serialize ----------------------------------------------------------------------


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "asset"


def _normalize(kind: str, config: dict[str, Any], reporting_database: str) -> dict[str, Any]:
    if kind == "databases":  # ClickHouse, or Superset's own metadata (the usage charts)
        clickhouse = str(config.get("sqlalchemy_uri", "")).startswith("clickhouse")
        config["sqlalchemy_uri"] = REPORT_DATABASE if clickhouse else "${SUPERSET_METADATA_URI}"
        config.pop("password", None)
    elif kind == "datasets":
        if config.get("schema") == reporting_database:
            config["schema"] = "${REPORTING_DATABASE}"
    elif kind == "charts":
        # The datasource id of the exporting install means nothing elsewhere; the import sets it.
        try:
            query_context = json.loads(config.get("query_context") or "null")
        except ValueError:
            query_context = None
        if isinstance(query_context, dict):
            query_context.get("datasource", {}).pop("id", None)
            query_context.get("form_data", {}).pop("datasource", None)
            query_context.get("form_data", {}).pop("slice_id", None)
            config["query_context"] = json.dumps(query_context, sort_keys=True)
        params = config.get("params") or {}
        params.pop("datasource", None)
        params.pop("slice_id", None)
    return config


def asset_file_name(kind: str, config: Mapping[str, Any]) -> str:
    key = {"databases": "database_name", "datasets": "table_name", "charts": "slice_name",
           "dashboards": "slug"}[kind]
    name = config.get(key) or config.get("dashboard_title") or config.get("uuid")
    return f"{slugify(str(name))}.yaml"


def serialize_export(zip_path: Path, root: Path | None = None, reporting_database: str = "reporting",
                     echo: Echo = print) -> list[Path]:
    """Turn a Superset UI export (zip) into files of the tree: new ones added,
    assets with a known uuid overwritten in place (their file keeps its name)."""
    root = Path(root or assets_dir())
    existing = {asset.uuid: asset.path for asset in load_tree(root).assets}
    written = []
    with zipfile.ZipFile(zip_path) as bundle:
        for member in sorted(bundle.namelist()):
            parts = PurePosixPath(member).parts
            if len(parts) < 3 or parts[1] not in KINDS or not member.endswith((".yaml", ".yml")):
                continue
            kind = parts[1]
            config = yaml.safe_load(bundle.read(member))
            if not isinstance(config, dict) or "uuid" not in config:
                continue
            config = _normalize(kind, config, reporting_database)
            target = existing.get(str(config["uuid"])) or root / kind / asset_file_name(kind, config)
            if target.exists() and target not in existing.values():
                target = target.with_name(f"{target.stem}_{str(config['uuid'])[:8]}.yaml")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(dump_yaml(config))
            existing[str(config["uuid"])] = target
            written.append(target)
            echo(f"  {target.relative_to(root)}")
    return written


def dump_yaml(config: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(config), sort_keys=False, allow_unicode=True, width=120)


__all__ = ["AssetError", "check_assets", "import_assets", "render_bundle", "serialize_export", "report_uri",
           "load_tree", "dbt_models", "PACKAGE_DIR"]
