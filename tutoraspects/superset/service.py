"""The embedded Superset: metadata init, then gunicorn on 127.0.0.1.

It reads the superset_config.py that `tutor config save` rendered into the
embedded root (a SQLite metadata file there unless a database is configured,
an in-process cache unless a Redis host is). The init commands are those of
the `superset` init task the Tutor job runs (jobs/init/superset.sh).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from pathlib import Path
from typing import Callable

from ..embedded.service import ServiceError, ServiceProcess

Echo = Callable[[str], None]


def superset_env(apps_dir: Path, bin_dir: Path) -> dict[str, str]:
    return {
        "SUPERSET_CONFIG_PATH": str(apps_dir / "superset" / "superset_config.py"),
        # superset_config.py imports aspects_security.py from beside it
        "PYTHONPATH": str(apps_dir / "superset"),
        "FLASK_APP": "superset.app:create_app()",
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONUNBUFFERED": "1",
        # No outside calls from the server (it is often offline).
        "SUPERSET_LOAD_EXAMPLES": "no",
    }


def init_fingerprint(env: dict[str, str], admin_username: str, admin_password: str) -> str:
    """What the init depends on: Superset's pinned requirements, its config file, the admin login."""
    from ..embedded.venvs import REQUIREMENTS

    digest = hashlib.sha256()
    for part in (*REQUIREMENTS["superset"], Path(env["SUPERSET_CONFIG_PATH"]).read_text(), admin_username,
                 admin_password):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def init_superset(bin_dir: Path, env: dict[str, str], admin_username: str, admin_password: str,
                  admin_email: str, log_file: Path, echo: Echo = print, stamp_file: Path | None = None) -> float:
    """db upgrade, the admin account (password kept in sync with config.yml), roles: idempotent.

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


def superset_web(bin_dir: Path, env: dict[str, str], host: str, port: int, log_file: Path,
                 workers: int = 4) -> ServiceProcess:
    # One request at a time per worker process: with several threads per process, Superset 6.1
    # intermittently fails to parse a chart's own SQL ("Unable to parse SQL ... Unexpected token")
    # when a dashboard fires its chart requests together (seen in the browser test).
    return ServiceProcess(
        "Superset",
        [bin_dir / "gunicorn", f"--bind={host}:{port}", f"--workers={workers}", "--worker-class=gthread",
         "--threads=1", "--timeout=120", "--limit-request-line=0", "--limit-request-field_size=0",
         "superset.app:create_app()"],
        health_url=f"http://{host}:{port}/health",
        log_file=log_file,
        env=env,
    )


def superset_worker(bin_dir: Path, env: dict[str, str], health_url: str, log_file: Path) -> ServiceProcess:
    """The Celery worker (async queries, reports); only with a Redis broker configured."""
    return ServiceProcess(
        "Superset worker",
        [bin_dir / "celery", "--app=superset.tasks.celery_app:app", "worker", "--pool=prefork", "-O", "fair",
         "--concurrency=2", "--loglevel=INFO"],
        health_url=health_url,  # the web server's: the worker has no HTTP endpoint
        log_file=log_file,
        env=env,
    )
