"""The command lines operators use: `aspects ...` and `tutor aspects ...`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tutoraspects.paths import MIGRATIONS_DIR

BIN = Path(sys.executable).parent
APPLIED = f"{len(list(MIGRATIONS_DIR.glob('*.sql')))} applied, 0 pending"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=120)


def test_aspects_status_with_settings_file(stack):
    result = run(BIN / "aspects", "--settings", stack.root.settings_file, "status")
    assert result.returncode == 0, result.stderr
    assert "0003_event_sink.sql" in result.stdout
    assert APPLIED in result.stdout


def test_tutor_aspects_init_and_status_use_the_tutor_root(stack):
    init = run(BIN / "tutor", f"--root={stack.root.path}", "aspects", "init")
    assert init.returncode == 0, init.stderr
    assert "ClickHouse schema is up to date." in init.stdout
    status = run(BIN / "tutor", f"--root={stack.root.path}", "aspects", "status")
    assert status.returncode == 0, status.stderr
    assert APPLIED in status.stdout


def test_missing_settings_file_is_a_clear_error(tmp_path):
    result = run(BIN / "aspects", "--settings", tmp_path / "nope.yml", "status")
    assert result.returncode == 1
    assert "no settings file at" in result.stderr and "Traceback" not in result.stderr


def test_unreachable_server_is_a_clear_error(stack, tmp_path):
    from tutoraspects.embedded.clickhouse_server import free_port

    text = stack.root.settings_file.read_text()
    port = stack.settings.clickhouse_http_port
    settings_file = tmp_path / "settings.yml"
    settings_file.write_text(text.replace(f"CLICKHOUSE_HTTP_PORT: {port}", f"CLICKHOUSE_HTTP_PORT: {free_port()}"))
    result = run(BIN / "aspects", "--settings", settings_file, "status")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Error:" in result.stderr


def test_unreachable_lrs_is_a_clear_error_after_retries(stack, tmp_path):
    from tutoraspects.embedded.clickhouse_server import free_port

    port = free_port()
    settings_file = tmp_path / "settings.yml"
    settings_file.write_text(stack.root.settings_file.read_text().replace(
        f"RALPH_PORT: {stack.settings.ralph_port}", f"RALPH_PORT: {port}"))
    result = run(BIN / "aspects", "--settings", settings_file, "load-demo-data", "--learners", "2")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Error:" in result.stderr
    assert f"port={port}" in result.stderr and "/xAPI/statements" in result.stderr


def test_load_demo_data_in_bulk_fills_the_sink_and_the_raw_table(stack):
    """The bulk path: the same platform as the demo, event sink rows inserted directly, statements in bulk."""
    from tutoraspects.clickhouse_client import connect

    result = run(BIN / "aspects", "--settings", stack.root.settings_file, "load-demo-data", "--seed", "77",
                 "--orgs", "1", "--courses-per-org", "1", "--learners", "3", "--end", "2026-01-31", "--via", "bulk")
    assert result.returncode == 0, result.stderr
    assert "Event sink: 1 course_overviews" in result.stdout
    client = connect(stack.settings)
    ((course,),) = client.query("SELECT course_key FROM event_sink.course_overviews FINAL "
                             "ORDER BY time_last_dumped DESC LIMIT 1").result_rows
    assert client.command(f"SELECT count() FROM event_sink.course_blocks WHERE course_key = '{course}'") > 5
    assert client.command(f"SELECT count() FROM xapi.xapi_events_all WHERE event LIKE '%{course}%' "
                          "AND emission_time < '2026-02-01'") > 0


def test_embedded_root_is_private_and_the_summary_prints_no_secret_but_the_sign_in(stack):
    """The root holds the install's passwords: its owner's only. `aspects demo` prints where each
    service is and the Superset sign-in a person needs, and no other secret."""
    assert stack.root.path.stat().st_mode & 0o777 == 0o700
    assert stack.root.config_file.stat().st_mode & 0o777 == 0o600
    settings = stack.settings
    stack.superset = object()  # as if Superset were served: its sign-in is printed
    try:
        text = stack.describe()
    finally:
        stack.superset = None
    assert f"{settings.superset_admin_username} / {settings.superset_admin_password}" in text
    secrets = [value for name, value in vars(settings).items()
               if name.endswith("password") and name != "superset_admin_password"]
    assert len(secrets) >= 6 and not [secret for secret in secrets if secret in text]
    assert str(stack.root.config_file) in text


def test_services_do_not_outlive_a_killed_stack(tmp_path):
    """`kill -9` of `aspects clickhouse` (as of `aspects demo`): its server goes too, and a new start
    finds the port free."""
    import os
    import signal
    import socket
    import time

    from tutoraspects.embedded.clickhouse_server import free_port

    http, tcp = free_port(), free_port()
    command = [BIN / "aspects", "--root", tmp_path / "root", "clickhouse", "--http-port", http, "--tcp-port", tcp]
    stack = subprocess.Popen([str(a) for a in command], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def listening() -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", http)) == 0

    deadline = time.monotonic() + 120
    while not listening():
        assert stack.poll() is None and time.monotonic() < deadline, stack.stdout.read() if stack.poll() else "slow"
        time.sleep(0.5)
    os.kill(stack.pid, signal.SIGKILL)
    stack.wait()
    deadline = time.monotonic() + 30
    while listening() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not listening(), "the ClickHouse server outlived the stack"
