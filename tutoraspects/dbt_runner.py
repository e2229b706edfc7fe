"""Run the dbt project (dbt/) against the install's ClickHouse as the admin user.

The dbt profile is written from the settings for each run, into a private
temporary folder, so the password never lands in the repository or the image.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Sequence

import yaml

from .paths import data_dir
from .settings import Settings

DBT_PROJECT_DIR = data_dir("dbt")


class DbtError(RuntimeError):
    """dbt exited with an error; its own output says which model failed."""


def dbt_executable() -> str:
    """The dbt of the embedded stack's dbt environment, else the one beside this Python, else PATH."""
    from .embedded.venvs import venv_bin

    for candidate in (venv_bin("dbt") / "dbt", Path(sys.executable).with_name("dbt")):
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("dbt")
    if not found:
        raise DbtError("dbt is not installed: pip install 'dbt-core<1.12' dbt-clickhouse")
    return found


def profile(settings: Settings) -> dict:
    output = {
        "type": "clickhouse",
        "driver": "http",
        "host": settings.clickhouse_host,
        "port": settings.clickhouse_http_port,
        "user": settings.admin_user,
        "password": settings.admin_password,
        "schema": settings.reporting_database,
        "secure": settings.clickhouse_secure,
        "threads": 2,
        "connect_timeout": 10,
        "send_receive_timeout": 3600,
    }
    if settings.cluster_name:
        output["cluster"] = settings.cluster_name
    return {"aspects": {"target": "aspects", "outputs": {"aspects": output}}}


def dbt_vars(settings: Settings) -> dict:
    return {
        "xapi_database": settings.xapi_database,
        # The table the staging materialized views read: on a cluster each shard's local table, whose
        # inserts trigger them (an insert into the Distributed table lands there), not the Distributed one.
        "raw_xapi_table": settings.raw_xapi_local_table,
        "event_sink_database": settings.event_sink_database,
        "enable_pii": settings.enable_pii,
        "mart_refresh_seconds": settings.mart_refresh_seconds,
    }


def run_dbt(
    settings: Settings,
    args: Sequence[str],
    echo: Callable[[str], None] = print,
    work_dir: Path | None = None,
) -> None:
    """`dbt ARGS` on the project, streaming dbt's own progress lines to `echo`.

    With packages from the `dbt-packages` patch, the project is copied beside the profile with
    their packages.yml, and `dbt deps` installs them first: their models build with ours."""
    from .extensions import dbt_packages

    packages = dbt_packages(settings)
    with tempfile.TemporaryDirectory(prefix="aspects-dbt-") as tmp:
        profiles_dir = Path(tmp)
        (profiles_dir / "profiles.yml").write_text(yaml.safe_dump(profile(settings)))
        os.chmod(profiles_dir / "profiles.yml", 0o600)
        work = Path(work_dir) if work_dir else profiles_dir
        project_dir = DBT_PROJECT_DIR
        if packages:
            project_dir = profiles_dir / "project"
            shutil.copytree(DBT_PROJECT_DIR, project_dir,
                            ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
            (project_dir / "packages.yml").write_text(yaml.safe_dump({"packages": packages}))
        env = {
            **os.environ,
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_LOG_PATH": str(work / "logs"),
            "DBT_PACKAGES_INSTALL_PATH": str(work / "dbt_packages"),
        }

        def dbt(*dbt_args: str) -> None:
            command = [
                dbt_executable(), *dbt_args,
                "--project-dir", str(project_dir),
                "--profiles-dir", str(profiles_dir),
                *(["--target-path", str(work / "target")] if dbt_args[0] != "deps" else []),
                "--vars", json.dumps(dbt_vars(settings)),
            ]
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                       env=env)
            for line in process.stdout:
                echo(line.rstrip())
            if process.wait() != 0:
                raise DbtError(f"dbt {' '.join(dbt_args)} failed (exit {process.returncode}); see its output above")

        if packages:
            dbt("deps")
        dbt(*args)
