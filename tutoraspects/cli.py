"""Command line: `aspects ...` (containers, embedded stack) and `tutor aspects ...`.

Both run the same commands; only where the settings come from differs: the
rendered settings file (`--settings`), an embedded root (`--root`), or the
Tutor root of `tutor aspects`.
"""

from __future__ import annotations

import logging
import signal
import sys
import time
from pathlib import Path
from typing import Callable

import click
import requests
from clickhouse_connect.driver.exceptions import Error as ClickHouseError

from . import migrations
from .backup import BackupError, backup, restore
from .dbt_runner import DbtError, run_dbt
from .event_sink import PluginPublishError
from .extensions import ExtensionError
from .loading import BadStatementError, LRSError
from .init_steps import run_init
from .retirement import RetirementError, retire_user
from .settings import Settings


class SettingsSource:
    """Loads the settings lazily, so `--help` works without an install."""

    def __init__(self, load: Callable[[], Settings]) -> None:
        self._load = load

    def settings(self) -> Settings:
        try:
            return self._load()
        except (FileNotFoundError, ValueError) as error:
            raise click.ClickException(str(error)) from error


def _settings(ctx: click.Context) -> Settings:
    return ctx.find_object(SettingsSource).settings()


def _fail_on(errors: tuple[type[Exception], ...]):
    """Turn expected failures into a one-line error and exit code 1."""

    def decorate(func):
        def wrapper(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except errors as error:
                message = " ".join(str(error).split())
                raise click.ClickException(message) from error

        wrapper.__name__ = func.__name__
        wrapper.__doc__ = func.__doc__
        return wrapper

    return decorate


# requests' errors (an LRS or Superset out of reach, after retries) say which URL failed and why.
EXPECTED_ERRORS = (DbtError, migrations.MigrationError, TimeoutError, ConnectionError, ClickHouseError, LRSError,
                   PluginPublishError, requests.RequestException, BadStatementError, ExtensionError)


@click.command(name="init")
@click.pass_context
@_fail_on(EXPECTED_ERRORS)
def init_command(ctx: click.Context) -> None:
    """Run every init step: schema migrations, TTL, dbt build (idempotent)."""
    run_init(_settings(ctx), echo=click.echo)


@click.command(name="migrate")
@click.pass_context
@_fail_on(EXPECTED_ERRORS)
def migrate_command(ctx: click.Context) -> None:
    """Apply pending ClickHouse schema migrations."""
    migrations.migrate(_settings(ctx), echo=click.echo)


@click.command(name="status")
@click.pass_context
@_fail_on(EXPECTED_ERRORS)
def status_command(ctx: click.Context) -> None:
    """List ClickHouse schema migrations: applied and pending."""
    settings = _settings(ctx)
    click.echo(f"ClickHouse {settings.clickhouse_host}:{settings.clickhouse_http_port}")
    rows = migrations.status(settings)
    for row in rows:
        click.echo(f"  {row.state:<12} {row.name:<40} {row.applied_at}")
    pending = sum(row.state == "pending" for row in rows)
    click.echo(f"{len(rows) - pending} applied, {pending} pending")


@click.command(name="load-demo-data")
@click.option("--seed", default=1, show_default=True, help="Same seed, same data.")
@click.option("--orgs", default=2, show_default=True, type=click.IntRange(min=1))
@click.option("--courses-per-org", default=2, show_default=True, type=click.IntRange(min=1))
@click.option("--learners", default=200, show_default=True, type=click.IntRange(min=1))
@click.option("--events-per-learner-course", default=40, show_default=True, type=click.IntRange(min=1),
              help="Average activity per enrollment: scales the volume.")
@click.option("--end", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Last activity day, YYYY-MM-DD (default: yesterday, UTC); the data covers the 60 days before it.")
@click.option("--via", type=click.Choice(["lrs", "bulk"]), default="lrs", show_default=True,
              help="lrs: POST to Ralph in batches, as the LMS does; bulk: insert straight into ClickHouse.")
@click.option("--batch-size", type=click.IntRange(min=1), help="Statements per request/insert.")
@click.pass_context
@_fail_on(EXPECTED_ERRORS)
def load_demo_data_command(ctx: click.Context, seed, orgs, courses_per_org, learners,
                           events_per_learner_course, end, via, batch_size) -> None:
    """Generate deterministic Open edX activity and load it (event sink + xAPI)."""
    from .demo_data import DemoSpec
    from .loading import load_demo_data

    spec = DemoSpec(seed=seed, orgs=orgs, courses_per_org=courses_per_org, learners=learners,
                    events_per_learner_course=events_per_learner_course, end=end.date() if end else None)
    load_demo_data(_settings(ctx), spec, via=via, batch_size=batch_size, echo=click.echo,
                   progressbar=click.progressbar)


@click.command(name="dbt", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("args", nargs=-1, type=click.UNPROCESSED, required=True)
@click.pass_context
@_fail_on(EXPECTED_ERRORS)
def dbt_command(ctx: click.Context, args: tuple[str, ...]) -> None:
    """Run dbt on the Aspects project, e.g. `dbt build`, `dbt run -s marts`, `dbt docs generate`."""
    run_dbt(_settings(ctx), args, echo=click.echo)


@click.command(name="backfill")
@click.argument("models", nargs=-1)
@click.pass_context
@_fail_on(EXPECTED_ERRORS)
def backfill_command(ctx: click.Context, models: tuple[str, ...]) -> None:
    """Re-parse all raw events for changed staging models (default: those init reported)."""
    from . import backfill

    backfill.backfill(_settings(ctx), list(models) or None, echo=click.echo)


@click.command(name="import-assets")
@click.pass_context
@_fail_on(EXPECTED_ERRORS)
def import_assets_command(ctx: click.Context) -> None:
    """Import (create or overwrite) every Superset asset of superset_assets/."""
    from .superset import AssetError, import_assets

    try:
        import_assets(_settings(ctx), echo=click.echo)
    except AssetError as error:
        raise click.ClickException(str(error)) from error


@click.command(name="check-assets")
def check_assets_command() -> None:
    """Validate superset_assets/: fields, UUIDs, references, marts and their columns."""
    from .superset import check_assets

    problems = check_assets()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in the Superset assets")
    click.echo("Superset assets OK.")


@click.command(name="serialize-assets")
@click.argument("export_zip", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--into", type=click.Path(file_okay=False, path_type=Path), help="Asset tree (default: superset_assets/).")
def serialize_assets_command(export_zip: Path, into: Path | None) -> None:
    """Turn a Superset UI export (zip) into YAML files of superset_assets/, then check them."""
    from .superset import check_assets, serialize_export

    written = serialize_export(export_zip, into, echo=click.echo)
    click.echo(f"{len(written)} file(s) written.")
    problems = check_assets(into)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in the Superset assets")


def learner_options(func):
    """The options naming the learner to retire (`aspects retire-user`, `tutor ... do aspects-retire-user`)."""
    options = [
        click.option("--user-id", type=click.IntRange(min=1), help="The learner's LMS user id."),
        click.option("--username", help="The learner's LMS username."),
        click.option("--actor-id", "actor_ids", multiple=True,
                     help="An anonymous xAPI actor id of the learner (LMS external id of type xapi); repeat for "
                          "several. Needed once the LMS's retirement has deleted event_sink.external_id's rows."),
        click.option("--yes", is_flag=True, help="Do not ask for confirmation."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


RETIRE_PROMPT = "Remove every row of {learner} from ClickHouse (statements, staging, marts, event sink)? " \
                "This cannot be undone."


@click.command(name="retire-user")
@learner_options
@click.pass_context
@_fail_on(EXPECTED_ERRORS + (RetirementError,))
def retire_user_command(ctx: click.Context, user_id, username, actor_ids, yes) -> None:
    """Remove one learner's rows from the raw statements, staging, marts and event sink, then refresh
    the marts. Run it before the LMS's retirement of the learner when only the event sink knows their
    actor ids (docs/access.md, "Retirement")."""

    def confirm(learner) -> bool:
        return click.confirm(RETIRE_PROMPT.format(learner=learner.describe()), abort=True)

    retire_user(_settings(ctx), user_id=user_id, username=username, actor_ids=actor_ids, echo=click.echo,
                confirm=None if yes else confirm)


@click.command(name="backup")
@click.option("--name", help="Folder name on ClickHouse's backups disk (default: aspects-UTC-TIMESTAMP).")
@click.pass_context
@_fail_on(EXPECTED_ERRORS + (BackupError,))
def backup_command(ctx: click.Context, name: str | None) -> None:
    """Back up every Aspects database (schema, raw statements, event sink, marts) into one folder on
    ClickHouse's backups disk (CLICKHOUSE_BACKUP_PATH)."""
    backup(_settings(ctx), name, echo=click.echo)


@click.command(name="restore")
@click.argument("name")
@click.option("--replace", is_flag=True, help="Drop the Aspects databases that exist before restoring.")
@click.pass_context
@_fail_on(EXPECTED_ERRORS + (BackupError,))
def restore_command(ctx: click.Context, name: str, replace: bool) -> None:
    """Restore every Aspects database from backup NAME on ClickHouse's backups disk."""
    restore(_settings(ctx), name, replace=replace, echo=click.echo)


SHARED_COMMANDS = (init_command, migrate_command, status_command, load_demo_data_command, dbt_command,
                   backfill_command, import_assets_command, check_assets_command, serialize_assets_command,
                   retire_user_command, backup_command, restore_command)


# `aspects` ---------------------------------------------------------------

@click.group(name="aspects")
@click.option("--settings", "settings_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Rendered settings file (env/plugins/aspects/apps/aspects/settings.yml).")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path(".demo"),
              show_default=True, help="Embedded stack root, used when --settings is not given.")
@click.pass_context
def main_group(ctx: click.Context, settings_file: Path | None, root: Path) -> None:
    """Aspects learning analytics: init steps and the embedded stack."""
    # The driver logs a traceback for every failed connection; our errors say it in one line.
    logging.getLogger("clickhouse_connect").setLevel(logging.CRITICAL)
    from .embedded.root import EmbeddedRoot

    ctx.obj = SettingsSource(
        (lambda: Settings.load(settings_file)) if settings_file else EmbeddedRoot(root).settings
    )
    ctx.meta["root"] = root


for _command in SHARED_COMMANDS:
    main_group.add_command(_command)


@main_group.command(name="clickhouse")
@click.option("--http-port", type=int, help="Port for HTTP (saved in the root's config).")
@click.option("--tcp-port", type=int, help="Port for the native protocol (saved in the root's config).")
@click.pass_context
def clickhouse_command(ctx: click.Context, http_port: int | None, tcp_port: int | None) -> None:
    """Run only the embedded ClickHouse server of --root, until Ctrl-C."""
    from .embedded.stack import EmbeddedStack

    stack = EmbeddedStack(ctx.meta["root"])
    stack.prepare(echo=click.echo, with_ralph=False, clickhouse_http=http_port, clickhouse_tcp=tcp_port)
    _serve(stack, lambda: stack.start_clickhouse(click.echo))


@main_group.command(name="demo")
@click.option("--http-port", type=int, help="ClickHouse HTTP port (saved in the root's config).")
@click.option("--tcp-port", type=int, help="ClickHouse native port (saved in the root's config).")
@click.option("--ralph-port", type=int, help="Ralph LRS port (saved in the root's config).")
@click.option("--superset-port", type=int, help="Superset port (saved in the root's config; default 8088).")
@click.option("--learners", default=200, show_default=True, type=click.IntRange(min=1),
              help="Learners in the demo data loaded on the first run.")
@click.option("--no-wait", is_flag=True, help="Stop once everything is up (for scripts).")
@click.pass_context
def demo_command(ctx: click.Context, http_port: int | None, tcp_port: int | None,
                 ralph_port: int | None, superset_port: int | None, learners: int, no_wait: bool) -> None:
    """Bring up the embedded stack with demo data, until Ctrl-C."""
    from .embedded.stack import EmbeddedStack

    stack = EmbeddedStack(ctx.meta["root"])
    # The demo's learners are made up: show them with names, usernames and emails unless the root's
    # config.yml says otherwise (ASPECTS_ENABLE_PII: false).
    pii = stack.root.user_config().get("ASPECTS_ENABLE_PII", True)
    stack.prepare(echo=click.echo, with_superset=True, clickhouse_http=http_port, clickhouse_tcp=tcp_port,
                  ralph=ralph_port, superset=superset_port, config={"ASPECTS_ENABLE_PII": pii})

    def start() -> None:
        from .demo_data import DemoSpec

        stack.up(click.echo, with_superset=True)
        ensure_demo_data(stack, DemoSpec(learners=learners), click.echo, progressbar=click.progressbar)

    _serve(stack, start, wait=not no_wait)


def ensure_demo_data(stack, spec, echo: Callable[[str], None] = click.echo, progressbar=None) -> None:
    """Load the demo data once. Completion is recorded in the root only when the load and the mart refresh
    have finished, so a first load that was interrupted (Ctrl-C, kill -9) is completed by the next start:
    the load sends every statement again and the LRS stores each id once."""
    import json

    from .loading import load_demo_data
    from .marts import refresh_now

    marker = stack.root.data_dir("demo") / "loaded.json"
    if marker.is_file():
        loaded = json.loads(marker.read_text())
        echo(f"Demo data already loaded ({loaded['learners']} learners): {stack.raw_event_count():,} xAPI statements.")
        return
    stored = stack.raw_event_count()
    if stored:
        echo(f"Completing the demo data load that was interrupted ({stored:,} statements stored) ...")
    else:
        echo("Loading demo data through Ralph (first run only) ...")
    load_demo_data(stack.settings, spec, via="lrs", echo=echo, progressbar=progressbar)
    echo(f"Marts refreshed in {refresh_now(stack.settings):.1f} s.")
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"learners": spec.learners, "seed": spec.seed,
                                  "statements": stack.raw_event_count()}))


def _serve(stack, start: Callable[[], None], wait: bool = True) -> None:
    from .embedded.service import ServiceError

    # SIGTERM stops the services too (they run in their own sessions).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        start()
        click.echo(stack.describe())
        if wait:
            click.echo("Running. Press Ctrl-C to stop.")
            while True:
                time.sleep(3600)
    except (ServiceError, RuntimeError, *EXPECTED_ERRORS) as error:
        raise click.ClickException(" ".join(str(error).split()) if "\n" not in str(error) else str(error)) from error
    except KeyboardInterrupt:
        click.echo("\nStopping ...")
    finally:
        stack.stop()
        click.echo("Stopped.")


def main() -> None:
    main_group()


# `tutor aspects` -----------------------------------------------------------

@click.group(name="aspects")
@click.pass_context
def tutor_group(ctx: click.Context) -> None:
    """Aspects learning analytics (runs the init steps from this host)."""
    logging.getLogger("clickhouse_connect").setLevel(logging.CRITICAL)
    from tutor import config as tutor_config

    root = ctx.obj.root
    ctx.obj = SettingsSource(lambda: Settings.from_config(tutor_config.load(root)))


for _command in SHARED_COMMANDS:
    tutor_group.add_command(_command)
