"""`tutor local|dev|k8s do aspects-...`: the aspects commands that need the services.

They run in the aspects job container, inside the deployment's network where
`clickhouse` and `superset` resolve and dbt is installed, as the very command
the embedded stack runs: `aspects --settings /etc/aspects/settings.yml
COMMAND ...`. Commands that need no service (check-assets, rendering) stay on
the host (`tutor aspects ...`).
"""

from __future__ import annotations

import shlex

import click

from .cli import RETIRE_PROMPT, learner_options
from .retirement import Learner

# Where the aspects job container mounts the rendered settings (patches/local-docker-compose-jobs-services, k8s-jobs).
JOB_SETTINGS = "/etc/aspects/settings.yml"

# aspects command -> what it does (the do-command's help)
PASSED_THROUGH = {
    "init": "Run every init step: migrations, TTL, dbt build, Superset assets (idempotent).",
    "status": "Schema migrations, applied and pending.",
    "dbt": "Any dbt command on the project, e.g. `tutor local do aspects-dbt run -s marts`.",
    "import-assets": "Import (create or overwrite) the Superset assets and apply who sees what.",
    "load-demo-data": "Load deterministic demo data (event sink and xAPI), e.g. `--learners 2000 --via lrs`.",
    "backfill": "Re-parse stored statements for changed staging models.",
    "backup": "Back up every Aspects database into a folder on ClickHouse's backups disk.",
    "restore": "Restore the Aspects databases from a backup, e.g. `aspects-restore NAME --replace`.",
}


def in_job(*args: str) -> list[tuple[str, str]]:
    """The do-command's task: `aspects --settings JOB_SETTINGS ARGS` in the aspects job container."""
    return [("aspects", shlex.join(["aspects", "--settings", JOB_SETTINGS, *args]))]


def passed_through(name: str, summary: str) -> click.Command:
    @click.command(name=f"aspects-{name}", help=f"{summary} Options as for `aspects {name}`, run in the aspects job.",
                   context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def command(args):
        return in_job(name, *args)

    return command


JOB_COMMANDS = [passed_through(name, summary) for name, summary in PASSED_THROUGH.items()]


@click.command(name="aspects-retire-user")
@learner_options
def retire_user_in_job(user_id, username, actor_ids, yes):
    """Remove one learner's rows from ClickHouse (raw statements, staging, marts, event sink), then refresh
    the marts: `aspects retire-user` in the aspects job container (docs/access.md, "Retirement")."""
    if not (user_id or username or actor_ids):
        raise click.UsageError("name the learner to retire: --user-id, --username or --actor-id")
    if not yes:  # the job container has no terminal to ask in: ask here
        click.confirm(RETIRE_PROMPT.format(learner=Learner.given(user_id, username, actor_ids).describe()),
                      abort=True)
    return in_job("retire-user", *(["--user-id", str(user_id)] if user_id else []),
                  *(["--username", username] if username else []),
                  *(arg for actor in actor_ids for arg in ("--actor-id", actor)), "--yes")
