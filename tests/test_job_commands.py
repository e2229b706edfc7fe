"""`tutor local|k8s do aspects-...`: the aspects commands that need the services, run in the aspects job.

Docker is not here: these tests check the command line each do-command hands Tutor (the aspects-job
service, the settings file it mounts) and run that very line against the session's stack.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tutoraspects.job_commands import JOB_COMMANDS, JOB_SETTINGS
from conftest_render import load_aspects_plugin

BIN = Path(sys.executable).parent
BY_NAME = {command.name: command for command in JOB_COMMANDS}


def task(name: str, *args: str) -> list[str]:
    result = CliRunner().invoke(BY_NAME[name], list(args), standalone_mode=False)
    assert result.exception is None, result.output
    [(service, command)] = result.return_value
    assert service == "aspects"  # Tutor runs it in the aspects-job service
    return shlex.split(command)


def test_every_service_command_has_a_job():
    from tutor import hooks

    load_aspects_plugin()
    registered = {command.name for command in hooks.Filters.CLI_DO_COMMANDS.iterate()}
    assert {"aspects-init", "aspects-status", "aspects-dbt", "aspects-import-assets", "aspects-load-demo-data",
            "aspects-backfill", "aspects-retire-user"} <= registered


@pytest.mark.parametrize("name, args", [
    ("aspects-dbt", ["run", "-s", "marts", "--full-refresh"]),
    ("aspects-load-demo-data", ["--learners", "2000", "--via", "lrs"]),
    ("aspects-init", []),
])
def test_options_pass_through(name, args):
    assert task(name, *args) == ["aspects", "--settings", JOB_SETTINGS, name.removeprefix("aspects-"), *args]


def test_the_job_line_runs_against_the_services(stack):
    """The job mounts the rendered settings at JOB_SETTINGS; with this stack's, the line works."""
    jobs = (stack.root.path / "env/local/docker-compose.jobs.yml").read_text()
    assert f"aspects/apps/aspects/settings.yml:{JOB_SETTINGS}:ro" in jobs
    args = task("aspects-status")
    args[2] = str(stack.root.settings_file)
    ran = subprocess.run([str(BIN / args[0]), *args[1:]], capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert "applied, 0 pending" in ran.stdout
