"""The embedded Superset: gunicorn on 127.0.0.1 and, with a Redis broker, the Celery worker.

It reads the superset_config.py that `tutor config save` rendered into the
embedded root (a SQLite metadata file there unless a database is configured,
an in-process cache unless a Redis host is). Commands and environment are the
containers' (tutoraspects/services.py); the metadata init is superset/metadata.py.
"""

from __future__ import annotations

import os
from pathlib import Path

from .. import services
from ..embedded.service import ServiceProcess


def superset_env(apps_dir: Path, bin_dir: Path) -> dict[str, str]:
    return {
        **services.superset_environment(apps_dir / "superset"),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def superset_web(bin_dir: Path, env: dict[str, str], host: str, port: int, log_file: Path) -> ServiceProcess:
    program, *args = services.superset_web_command(host, port)
    return ServiceProcess(
        "Superset",
        [bin_dir / program, *args],
        health_url=f"http://{host}:{port}{services.HEALTH_PATHS['superset']}",
        log_file=log_file,
        env=env,
    )


def superset_worker(bin_dir: Path, env: dict[str, str], health_url: str, log_file: Path) -> ServiceProcess:
    """The Celery worker (async queries, reports); only with a Redis broker configured."""
    program, *args = services.SUPERSET_WORKER_COMMAND
    return ServiceProcess(
        "Superset worker",
        [bin_dir / program, *args],
        health_url=health_url,  # the web server's: the worker has no HTTP endpoint
        log_file=log_file,
        env=env,
    )
