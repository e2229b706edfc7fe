"""The Ralph LRS as an embedded service, configured by the files Tutor renders."""

from __future__ import annotations

from pathlib import Path

from dotenv import dotenv_values

from .. import services
from .service import ServiceProcess


def ralph_service(apps_dir: Path, bin_dir: Path, host: str, port: int, log_file: Path) -> ServiceProcess:
    """Ralph reads ralph.env (the containers' environment) and auth.json; its command is the containers'."""
    env = {key: value or "" for key, value in dotenv_values(apps_dir / "ralph" / "ralph.env").items()}
    env["RALPH_AUTH_FILE"] = str(apps_dir / "ralph" / "auth.json")
    program, *args = services.ralph_command(host, port)
    return ServiceProcess(
        "Ralph LRS",
        [bin_dir / program, *args],
        health_url=f"http://{host}:{port}{services.HEALTH_PATHS['ralph']}",
        log_file=log_file,
        env=env,
    )
