"""Superset's metadata: its database, migrations, the admin account and roles. Idempotent.

One implementation for every mode: the embedded stack calls `init_superset`, and
the Tutor `superset` init task runs this module in the aspects-superset image
(`python -m tutoraspects.superset.metadata`), which reads its secrets from the
environment (the superset-init env file, a Kubernetes Secret), never from its
command line. The Superset assets are imported afterwards, through Superset's API,
by the aspects init task.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Mapping

from ..embedded.service import ServiceError

Echo = Callable[[str], None]


def init_fingerprint(env: Mapping[str, str], admin_username: str, admin_password: str) -> str:
    """What the init depends on: Superset's pinned requirements, its config file, the admin login."""
    from ..services import REQUIREMENTS, constraint_lines

    digest = hashlib.sha256()
    for part in (*REQUIREMENTS["superset"], *constraint_lines("superset"),
                 Path(env["SUPERSET_CONFIG_PATH"]).read_text(), admin_username, admin_password):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def init_superset(bin_dir: Path, env: Mapping[str, str], admin_username: str, admin_password: str,
                  admin_email: str, log_file: Path, echo: Echo = print, stamp_file: Path | None = None) -> float:
    """db upgrade, the admin account (password kept in sync with the config), roles: idempotent.

    With a stamp_file, the commands are skipped when nothing they depend on changed
    since the last successful init (a restart of `make demo` then starts at once).
    """
    started = time.monotonic()
    fingerprint = init_fingerprint(env, admin_username, admin_password)
    if stamp_file and stamp_file.is_file() and stamp_file.read_text() == fingerprint:
        echo("  Superset: metadata, admin account and roles up to date.")
        return time.monotonic() - started
    superset = str(bin_dir / "superset")
    steps = [
        ("migrating the metadata database", [superset, "db", "upgrade"]),
        ("admin account", [superset, "fab", "create-admin", "--username", admin_username, "--firstname",
                           "Aspects", "--lastname", "Admin", "--email", admin_email, "--password", admin_password]),
        ("admin password", [superset, "fab", "reset-password", "--username", admin_username, "--password",
                            admin_password]),
        ("roles and permissions", [superset, "init"]),
    ]
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        for what, argv in steps:
            echo(f"  Superset: {what} ...")
            result = subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env={**os.environ, **env})
            if result.returncode != 0:
                tail = "\n".join(log_file.read_text(errors="replace").splitlines()[-20:])
                raise ServiceError(f"`superset {' '.join(argv[1:3])}` failed; end of {log_file}:\n{tail}")
    if stamp_file:
        stamp_file.write_text(fingerprint)
    return time.monotonic() - started


def use_write_ahead_log(uri: str) -> None:
    """A SQLite metadata file (the embedded stack) in WAL mode: the usage charts read it while
    Superset writes its action log, and in the default journal mode a reader makes the writer
    wait ("database is locked"). The mode is kept in the file."""
    import sqlite3

    if uri.startswith("sqlite:///"):
        with sqlite3.connect(uri[len("sqlite:///"):]) as connection:
            connection.execute("PRAGMA journal_mode=WAL")


def create_metadata_database(host: str, port: int, root_user: str, root_password: str, name: str, user: str,
                             password: str, echo: Echo = print, attempts: int = 30, wait_seconds: float = 5) -> None:
    """The MySQL database and user Superset keeps its metadata in (created or brought up to date)."""
    import pymysql

    for attempt in range(1, attempts + 1):
        try:
            connection = pymysql.connect(host=host, port=port, user=root_user, password=root_password,
                                         connect_timeout=10)
            break
        except pymysql.err.OperationalError as error:
            if attempt == attempts:
                raise ServiceError(f"MySQL at {host}:{port} did not answer: {error.args[-1]}") from error
            echo(f"  [{attempt}/{attempts}] Waiting for MySQL at {host}:{port} ...")
            time.sleep(wait_seconds)
    quoted = name.replace("`", "``")
    with connection, connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE IF NOT EXISTS `{quoted}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        cursor.execute("CREATE USER IF NOT EXISTS %s@'%%' IDENTIFIED BY %s", (user, password))
        cursor.execute("ALTER USER %s@'%%' IDENTIFIED BY %s", (user, password))
        cursor.execute(f"GRANT ALL ON `{quoted}`.* TO %s@'%%'", (user,))
    echo(f"Superset database {name} ready")


# What the Superset-usage charts read (datasets superset_action_log and superset_users), and all the
# metadata reader account may read: no password hashes, emails, chart parameters or saved queries.
READER_COLUMNS = {
    "logs": ("id", "action", "user_id", "dashboard_id", "slice_id", "dttm"),
    "ab_user": ("id", "username", "active", "created_on", "last_login"),
    "dashboards": ("id", "dashboard_title"),
    "slices": ("id", "slice_name"),
}


def grant_metadata_reader(host: str, port: int, root_user: str, root_password: str, name: str, reader: str,
                          reader_password: str, echo: Echo = print) -> None:
    """The read-only account of Superset's usage charts: SELECT on READER_COLUMNS, nothing else.
    After `superset db upgrade` (MySQL grants columns of tables that exist)."""
    import pymysql

    quoted = name.replace("`", "``")
    with pymysql.connect(host=host, port=port, user=root_user, password=root_password,
                         connect_timeout=10) as connection, connection.cursor() as cursor:
        cursor.execute("CREATE USER IF NOT EXISTS %s@'%%' IDENTIFIED BY %s", (reader, reader_password))
        cursor.execute("ALTER USER %s@'%%' IDENTIFIED BY %s", (reader, reader_password))
        for table, columns in READER_COLUMNS.items():
            cursor.execute(f"GRANT SELECT ({', '.join(columns)}) ON `{quoted}`.`{table}` TO %s@'%%'", (reader,))
    echo(f"Superset metadata reader {reader} ready (read-only: {', '.join(READER_COLUMNS)})")


def main(environ: Mapping[str, str] = os.environ) -> int:
    """The Tutor job: the settings come from the environment (names as in config.yml)."""
    def setting(key: str) -> str:
        value = environ.get(key, "")
        if not value:
            raise ServiceError(f"{key} is not set in the job's environment (the superset-init env file)")
        return value

    try:
        admin = [setting(key) for key in ("SUPERSET_ADMIN_USERNAME", "SUPERSET_ADMIN_PASSWORD", "SUPERSET_ADMIN_EMAIL")]
        mysql = bool(environ.get("SUPERSET_DB_ROOT_USERNAME"))  # MySQL metadata (no SUPERSET_SQLALCHEMY_URI)
        if mysql:
            server = (setting("SUPERSET_DB_HOST"), int(setting("SUPERSET_DB_PORT")), setting("SUPERSET_DB_ROOT_USERNAME"),
                      environ.get("SUPERSET_DB_ROOT_PASSWORD", ""), setting("SUPERSET_DB_NAME"))
            create_metadata_database(*server, setting("SUPERSET_DB_USERNAME"), setting("SUPERSET_DB_PASSWORD"))
        superset = shutil.which("superset")
        if not superset:
            raise ServiceError("the `superset` command is not on PATH: run this in the aspects-superset image")
        with tempfile.TemporaryDirectory() as folder:
            init_superset(Path(superset).parent, environ, *admin, Path(folder) / "superset-init.log")
        if mysql:
            grant_metadata_reader(*server, setting("SUPERSET_METADATA_READER_USERNAME"),
                                  setting("SUPERSET_METADATA_READER_PASSWORD"))
    except ServiceError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    print("Superset metadata, admin account and roles ready")
    return 0


if __name__ == "__main__":
    sys.exit(main())
