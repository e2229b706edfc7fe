"""`tutor local|k8s do ...` commands that run in the LMS container.

The LMS itself cannot run here; these commands only build the command lines
that Tutor runs in the LMS container (see tests/test_lms_wiring.py).
"""

from __future__ import annotations

import shlex
from pathlib import Path

import click

DEFAULT_SOURCE_CONFIG = '{"key": "/openedx/data", "container": "logs", "prefix": "tracking.log"}'


@click.command(name="transform-tracking-logs", context_settings={"ignore_unknown_options": True})
@click.option("--source-provider", default="LOCAL", show_default=True,
              help="Where the tracking logs are (an Apache libcloud provider: LOCAL, S3, ...).")
@click.option("--source-config", default=DEFAULT_SOURCE_CONFIG, show_default=True,
              help="JSON config of the source provider.")
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(min=1))
@click.option("--sleep-between-batches-secs", default=1.0, show_default=True, type=float)
@click.option("--dry-run", is_flag=True, help="Transform but do not send.")
@click.argument("extra", nargs=-1, type=click.UNPROCESSED)
def transform_tracking_logs(source_provider, source_config, batch_size, sleep_between_batches_secs,
                            dry_run, extra):
    """Backfill xAPI statements from tracking logs, through the LMS's own
    event-routing-backends management command, into Ralph."""
    args = [
        "./manage.py", "lms", "transform_tracking_logs",
        "--transformer_type", "xapi",
        "--source_provider", source_provider,
        "--source_config", source_config,
        "--destination_provider", "LRS",
        "--batch_size", str(batch_size),
        "--sleep_between_batches_secs", str(sleep_between_batches_secs),
        *(["--dry_run"] if dry_run else []),
        *extra,
    ]
    return [("lms", shlex.join(args))]


# Each event-sink object and the service whose management command dumps it
# (course structure comes from Studio's modulestore; the rest from the LMS).
SINK_OBJECTS = {
    "course_overviews": "cms",
    "course_enrollment": "lms",
    "user_profile": "lms",
    "external_id": "lms",
    "tag": "cms",
    "taxonomy": "cms",
    "object_tag": "cms",
}


@click.command(name="aspects-dump-sink")
@click.option("--object", "objects", multiple=True, type=click.Choice(list(SINK_OBJECTS)),
              help="What to dump (repeat the option for several); default: everything.")
@click.option("--force", is_flag=True, help="Dump every object, not only those changed since their last dump.")
@click.option("--batch-size", default=10000, show_default=True, type=click.IntRange(min=1))
def dump_event_sink(objects, force, batch_size):
    """Backfill the event sink from the LMS and Studio, with platform-plugin-aspects's own
    dump_data_to_clickhouse: course structure, enrollments, profiles and external ids, tags.
    Sinks that are off (the PII ones unless ASPECTS_ENABLE_PII) are skipped by the command."""
    return [
        (SINK_OBJECTS[name], shlex.join([
            "./manage.py", SINK_OBJECTS[name], "dump_data_to_clickhouse", "--object", name,
            "--batch_size", str(batch_size), *(["--force"] if force else []),
        ]))
        for name in (objects or SINK_OBJECTS)
    ]


@click.command(name="aspects-check-sink")
def check_event_sink():
    """Count each event-sink table's rows in the LMS database and in ClickHouse, record the counts
    (the operator dashboard's data-quality table shows them) and name any table missing rows:
    ClickHouse skips the plugin's bad rows without an error. Exits 1 when rows are missing."""
    from .event_sink import sink_check

    script = Path(sink_check.__file__).read_text()
    call = f"\nimport sys\nsys.exit(main({list(SINK_OBJECTS)!r}))\n"
    return [("lms", shlex.join(["./manage.py", "lms", "shell", "-c", script + call]))]

