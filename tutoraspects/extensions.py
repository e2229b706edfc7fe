"""What operators add through Tutor patches (docs/extending.md): extra ClickHouse SQL run at every
init, extra dbt packages built with the project, extra Superset assets imported with ours.

The patches are rendered into the settings file (settings.EXTENSIONS), so every mode (the Tutor
job, the host, the embedded stack) reads them from the one file it already reads.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import yaml

from .clickhouse_client import connect
from .settings import Settings

Echo = Callable[[str], None]


class ExtensionError(ValueError):
    """An operator's addition cannot be used; the message names the patch and why."""


def sql_statements(text: str) -> list[str]:
    """The statements of a SQL text, each ending with `;` at the end of a line; `--` comment lines dropped."""
    lines = [line for line in text.splitlines() if not line.strip().startswith("--")]
    statements = re.split(r";[ \t]*(?:\n|$)", "\n".join(lines))
    return [statement.strip() for statement in statements if statement.strip()]


def run_extra_sql(settings: Settings, echo: Echo = print) -> int:
    """Run the `clickhouse-extra-sql` patch's statements as the admin user (make them idempotent:
    they run at every init); return how many ran."""
    statements = sql_statements(settings.extra_clickhouse_sql)
    if not statements:
        return 0
    echo(f"Running {len(statements)} statement(s) of the clickhouse-extra-sql patch ...")
    client = connect(settings)
    try:
        for number, statement in enumerate(statements, 1):
            try:
                client.command(statement)
            except Exception as error:
                first_line = statement.splitlines()[0][:80]
                raise ExtensionError(f"clickhouse-extra-sql statement {number} ({first_line}) failed: {error}") \
                    from error
    finally:
        client.close()
    return len(statements)


def dbt_packages(settings: Settings) -> list[dict[str, Any]]:
    """The `dbt-packages` patch: a YAML list of dbt packages (as in a packages.yml), built with the project."""
    if not settings.extra_dbt_packages.strip():
        return []
    try:
        packages = yaml.safe_load(settings.extra_dbt_packages)
    except yaml.YAMLError as error:
        raise ExtensionError(f"the dbt-packages patch is not YAML: {error}") from error
    if not isinstance(packages, list) or not all(isinstance(package, dict) for package in packages):
        raise ExtensionError("the dbt-packages patch must be a YAML list of packages, e.g. "
                             "`- git: https://...` or `- local: /path`")
    return packages


def extra_assets(settings: Settings) -> list[dict[str, Any]]:
    """The `superset-extra-assets` patch: YAML documents, each one asset as in superset_assets/ with a
    `_file` key naming where it would sit there (e.g. `charts/my_chart.yaml`)."""
    if not settings.extra_superset_assets.strip():
        return []
    try:
        documents = [document for document in yaml.safe_load_all(settings.extra_superset_assets) if document]
    except yaml.YAMLError as error:
        raise ExtensionError(f"the superset-extra-assets patch is not YAML: {error}") from error
    for number, document in enumerate(documents, 1):
        if not isinstance(document, dict) or not str(document.get("_file", "")).endswith(".yaml"):
            raise ExtensionError(f"superset-extra-assets document {number} needs a `_file` key such as "
                                 "charts/my_chart.yaml")
    return documents
