"""Superset's init job, run as Tutor runs it, against a real MySQL-compatible server.

The `superset` init task is `python -m tutoraspects.superset.metadata` in the
aspects-superset image, with the environment Tutor gives that job (the rendered
superset-init env file and Superset's config). Here it runs from the embedded
Superset environment, against this machine's MariaDB (127.0.0.1:3306, root
without a password), with a rendered Tutor root pointing there.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
from pathlib import Path

import pymysql
import pytest
from dotenv import dotenv_values

from conftest_render import render_root
from tutoraspects import services
from tutoraspects.embedded.venvs import ensure_venv
from tutoraspects.superset.metadata import create_metadata_database, grant_metadata_reader

REPO = Path(__file__).resolve().parent.parent
MYSQL = dict(host="127.0.0.1", port=3306, user="root", password="")


def mysql_reachable() -> bool:
    try:
        pymysql.connect(**MYSQL, connect_timeout=3).close()
        return True
    except pymysql.err.OperationalError:
        return False


pytestmark = pytest.mark.skipif(not mysql_reachable(), reason="no MySQL/MariaDB at 127.0.0.1:3306 (root, no password)")


@pytest.fixture
def database():
    """A database and user name of their own; dropped afterwards."""
    name = f"aspects_superset_{secrets.token_hex(4)}"
    yield name, name[:32]
    with pymysql.connect(**MYSQL) as connection, connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cursor.execute("DROP USER IF EXISTS %s@'%%'", (name[:32],))


def test_metadata_database_is_created_and_kept_in_sync(database):
    name, user = database
    create_metadata_database("127.0.0.1", 3306, "root", "", name, user, "first-password", echo=lambda _: None)
    create_metadata_database("127.0.0.1", 3306, "root", "", name, user, "second-password", echo=lambda _: None)
    with pymysql.connect(host="127.0.0.1", port=3306, user=user, password="second-password", database=name) as own:
        with own.cursor() as cursor:
            cursor.execute("CREATE TABLE t (id INT)")
            cursor.execute("SELECT @@character_set_database")
            assert cursor.fetchone()[0] == "utf8mb4"
    with pytest.raises(pymysql.err.OperationalError):
        pymysql.connect(host="127.0.0.1", port=3306, user=user, password="first-password", database=name)


def test_the_superset_init_job_migrates_and_creates_the_admin(tmp_path):
    """The job, with the environment Tutor gives it, migrates the metadata, creates the admin and the roles;
    run again, it changes nothing and fails nothing; it prints no secret.

    Its metadata is a SQLite file here: on MariaDB, the only MySQL-compatible server here, Superset's
    SQLAlchemy 1.4 emits sequence DDL that MariaDB 10.11 refuses ("near 'CYCLE'"); Tutor's MySQL has no
    sequences. The MySQL database step is tested above."""
    metadata = tmp_path / "superset.db"
    root = render_root(tmp_path / "tutor", f"SUPERSET_SQLALCHEMY_URI=sqlite:///{metadata}",
                       "SUPERSET_REDIS_HOST=127.0.0.1", "SUPERSET_REDIS_PORT=6379")
    config = root.config
    job_env = {key: value or "" for key, value in
               dotenv_values(root.file("plugins/aspects/apps/superset-init/init.env")).items()}
    assert job_env["SUPERSET_ADMIN_PASSWORD"] == config["SUPERSET_ADMIN_PASSWORD"]
    assert "SUPERSET_DB_ROOT_USERNAME" not in job_env  # no MySQL database to create
    bin_dir = ensure_venv("superset", lambda _: None)
    config_dir = root.file("plugins/aspects/apps/superset")
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("SUPERSET_")},
        **job_env, **services.superset_environment(config_dir),
        # the image has the plugin installed; here it comes from the checkout
        "PYTHONPATH": f"{config_dir}{os.pathsep}{REPO}",
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
    }
    command = [str(bin_dir / "python"), *services.SUPERSET_INIT_COMMAND[1:]]
    for _ in range(2):
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
        assert "Superset metadata, admin account and roles ready" in result.stdout
        printed = result.stdout + result.stderr
        for key in ("SUPERSET_ADMIN_PASSWORD", "SUPERSET_SECRET_KEY", "SUPERSET_DB_PASSWORD"):
            assert config[key] not in printed, key
    with sqlite3.connect(metadata) as connection:
        users = connection.execute("SELECT u.username, r.name FROM ab_user u JOIN ab_user_role ur ON ur.user_id = u.id "
                                   "JOIN ab_role r ON r.id = ur.role_id").fetchall()
        roles = {name for (name,) in connection.execute("SELECT name FROM ab_role")}
    assert users == [(job_env["SUPERSET_ADMIN_USERNAME"], "Admin")]
    assert {"Admin", "Alpha", "Gamma"} <= roles


def test_the_job_says_what_is_missing(tmp_path):
    """Without its env file the job names the missing setting, with no traceback."""
    bin_dir = ensure_venv("superset", lambda _: None)
    env = {key: value for key, value in os.environ.items() if not key.startswith("SUPERSET_")}
    result = subprocess.run([str(bin_dir / "python"), *services.SUPERSET_INIT_COMMAND[1:]],
                            env={**env, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "SUPERSET_ADMIN_USERNAME is not set" in result.stderr and "Traceback" not in result.stderr


def _usage_sql(dataset: str) -> str:
    """The SQL of a Superset-usage dataset, as the versioned asset holds it."""
    import yaml

    return yaml.safe_load((REPO / "superset_assets" / "datasets" / f"{dataset}.yaml").read_text())["sql"]


def test_metadata_reader_reads_the_usage_columns_only(database):
    """On MySQL (Tutor), the usage charts read Superset's metadata as a reader account granted SELECT on
    a few columns: their datasets' SQL runs as it, password hashes, emails and writes are refused. The
    tables are a hand-written subset of Superset's own, with its column names."""
    name, user = database
    reader = f"{user[:26]}_read"
    create_metadata_database("127.0.0.1", 3306, "root", "", name, user, "owner-password", echo=lambda _: None)
    try:
        with pymysql.connect(host="127.0.0.1", port=3306, user=user, password="owner-password",
                             database=name) as own, own.cursor() as cursor:
            cursor.execute("CREATE TABLE ab_user (id INT PRIMARY KEY, first_name VARCHAR(64), username VARCHAR(64), "
                           "password VARCHAR(256), active BOOL, email VARCHAR(320), last_login DATETIME, "
                           "created_on DATETIME)")
            cursor.execute("CREATE TABLE logs (id INT PRIMARY KEY, action VARCHAR(512), user_id INT, json TEXT, "
                           "dttm DATETIME, dashboard_id INT, slice_id INT, duration_ms INT, referrer VARCHAR(1024))")
            cursor.execute("CREATE TABLE dashboards (id INT PRIMARY KEY, dashboard_title VARCHAR(500), "
                           "json_metadata TEXT)")
            cursor.execute("CREATE TABLE slices (id INT PRIMARY KEY, slice_name VARCHAR(250), params TEXT)")
            cursor.execute("INSERT INTO ab_user VALUES (1, 'Ada', 'ada', 'pbkdf2:secret', TRUE, 'ada@example.com', "
                           "'2026-03-02 10:00:00', '2026-03-01 09:00:00'), (2, 'Bob', 'bob', 'pbkdf2:other', TRUE, "
                           "'bob@example.com', NULL, '2026-03-05 09:00:00')")
            cursor.execute("INSERT INTO dashboards VALUES (7, 'Course Dashboard', '{}')")
            cursor.execute("INSERT INTO slices VALUES (9, 'Total Learners Enrolled', '{}')")
            cursor.execute("INSERT INTO logs VALUES (1, 'DashboardRestApi.get', 1, '{}', '2026-03-02 10:01:00', 7, NULL, "
                           "5, ''), (2, 'ChartDataRestApi.data', 1, '{}', '2026-03-02 10:01:01', NULL, 9, 30, ''), "
                           "(3, 'log', NULL, '{}', '2026-03-02 10:01:02', 7, 9, 0, '')")
            own.commit()
        grant_metadata_reader("127.0.0.1", 3306, "root", "", name, reader, "reader-password", echo=lambda _: None)
        grant_metadata_reader("127.0.0.1", 3306, "root", "", name, reader, "reader-password", echo=lambda _: None)
        with pymysql.connect(host="127.0.0.1", port=3306, user=reader, password="reader-password",
                             database=name) as connection, connection.cursor() as cursor:
            cursor.execute(_usage_sql("superset_action_log") + " ORDER BY action_date")
            assert [row[1:] for row in cursor.fetchall()] == [
                ("DashboardRestApi.get", 1, "ada", 7, "Course Dashboard", None, None),
                ("ChartDataRestApi.data", 1, "ada", None, None, 9, "Total Learners Enrolled")]
            cursor.execute(_usage_sql("superset_users") + " ORDER BY id")
            assert [row[:2] for row in cursor.fetchall()] == [(1, "ada"), (2, "bob")]
            for refused in ("SELECT password FROM ab_user", "SELECT email FROM ab_user", "SELECT json FROM logs",
                            "SELECT params FROM slices", "INSERT INTO logs (id, action) VALUES (4, 'x')",
                            "DELETE FROM logs"):
                with pytest.raises(pymysql.err.MySQLError):
                    cursor.execute(refused)
    finally:
        with pymysql.connect(**MYSQL) as connection, connection.cursor() as cursor:
            cursor.execute("DROP USER IF EXISTS %s@'%%'", (reader,))
