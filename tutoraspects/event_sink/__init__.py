"""The event sink as the LMS and Studio write it: platform-plugin-aspects' own code.

In a deployment, Open edX's `platform-plugin-aspects` (installed in the LMS and
Studio) writes the `event_sink.*` tables: `INSERT INTO <db>.<table> FORMAT CSV`
over ClickHouse's HTTP interface, columns by position, CSV from its own
serializers. To know that our tables accept exactly what it sends, the demo
data and the tests run the plugin itself rather than a re-implementation of
its CSV.

Why its own environment (`.venvs/sink`, tutoraspects.embedded.venvs): the
plugin is a Django app pulling Django, Django REST framework, Celery, XBlock,
edx-toggles, ... and declares Python 3.12 (installed with
`--ignore-requires-python`, Django kept below 6, which really needs 3.12).
None of that belongs in tutoraspects' own environment, and its pins would
clash with the other services'. So `plugin_runner.py` runs with that
environment's python as a separate process (it does not import tutoraspects),
configures Django with stand-in models in SQLite in memory, and dumps through
the plugin's sinks; this module feeds it the JSON contract documented there.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Callable

from .sink_check import describe

RUNNER = Path(__file__).with_name("plugin_runner.py")


class PluginPublishError(RuntimeError):
    """The plugin's dump failed (message: the runner's explanation)."""


def clickhouse_contract(settings, role: str = "sink", timeout_secs: int = 60) -> dict:
    """The `clickhouse` part of the runner's contract, as the plugin's EVENT_SINK_CLICKHOUSE_BACKEND_CONFIG."""
    from ..clickhouse_client import credentials

    username, password = credentials(settings, role)
    scheme = "https" if settings.clickhouse_secure else "http"
    return {
        "url": f"{scheme}://{settings.clickhouse_host}:{settings.clickhouse_http_port}",
        "username": username,
        "password": password,
        "database": settings.event_sink_database,
        "timeout_secs": timeout_secs,
    }


def publish_with_plugin(settings, state: dict, echo: Callable[[str], None] = print,
                        role: str = "sink", check: bool = False) -> dict[str, int]:
    """Dump `state` (courses with their block trees, users, enrollments) with the plugin's sinks.

    With `check`, then run the LMS-side event-sink check (sink_check.py) over the same data.
    Returns the rows sent per table; raises PluginPublishError with what went wrong (e.g. which
    table ClickHouse refused and its answer).
    """
    started = time.monotonic()
    counts, _ = _run_plugin(settings, state, echo, role, dump=True, check=check)
    echo(f"platform-plugin-aspects dumped {', '.join(f'{n:,} {t}' for t, n in counts.items())} "
         f"in {time.monotonic() - started:.1f} s.")
    return counts


def check_with_plugin(settings, state: dict, echo: Callable[[str], None] = print,
                      role: str = "sink") -> list[dict]:
    """Run the LMS-side event-sink check (sink_check.py) with `state` as the LMS database, dumping
    nothing: it records its counts in ClickHouse, echoes a line per table and returns its rows."""
    return _run_plugin(settings, state, echo, role, dump=False, check=True)[1]


def _run_plugin(settings, state: dict, echo, role: str, dump: bool, check: bool) -> tuple[dict, list]:
    from ..embedded.venvs import ensure_venv

    bin_dir = ensure_venv("sink", echo)
    contract = {key: value for key, value in state.items() if key != "clickhouse"}
    contract.update(clickhouse=clickhouse_contract(settings, role), dump=dump, check=check)
    result = subprocess.run(
        [str(bin_dir / "python"), str(RUNNER)],
        input=json.dumps(contract),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise PluginPublishError(
            f"platform-plugin-aspects could not {'dump' if dump else 'check'} the event sink:\n"
            f"{result.stderr.strip()[-4000:]}"
        )
    try:
        output = json.loads(result.stdout)
        counts, checks = output["sent"], output["checks"]
    except (json.JSONDecodeError, KeyError, TypeError):
        raise PluginPublishError(f"unexpected output of {RUNNER.name}: {result.stdout[-2000:]!r}") from None
    for row in checks:
        echo(f"Event-sink check: {describe(row)}")
    return counts, checks
