"""The Ralph LRS as an embedded service, configured by the files Tutor renders."""

from __future__ import annotations

from pathlib import Path

from dotenv import dotenv_values

from .service import ServiceProcess


def ralph_service(apps_dir: Path, bin_dir: Path, host: str, port: int, log_file: Path) -> ServiceProcess:
    """Ralph reads ralph.env (the containers' environment) and auth.json."""
    env = {key: value or "" for key, value in dotenv_values(apps_dir / "ralph" / "ralph.env").items()}
    env["RALPH_AUTH_FILE"] = str(apps_dir / "ralph" / "auth.json")
    return ServiceProcess(
        "Ralph LRS",
        [bin_dir / "uvicorn", "ralph.api:app", "--host", host, "--port", str(port), "--log-level", "warning"],
        health_url=f"http://{host}:{port}/__heartbeat__",
        log_file=log_file,
        env=env,
    )
