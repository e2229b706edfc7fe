"""Connections to ClickHouse as one of the install's users."""

from __future__ import annotations

import time

import clickhouse_connect
from clickhouse_connect.driver.client import Client

from .settings import Settings

ROLES = ("admin", "lrs", "report", "sink")


def credentials(settings: Settings, role: str) -> tuple[str, str]:
    if role not in ROLES:
        raise ValueError(f"unknown ClickHouse role {role!r}: choose one of {', '.join(ROLES)}")
    return getattr(settings, f"{role}_user"), getattr(settings, f"{role}_password")


def connect(settings: Settings, role: str = "admin", **kwargs) -> Client:
    user, password = credentials(settings, role)
    return clickhouse_connect.get_client(
        host=settings.clickhouse_host,
        port=settings.clickhouse_http_port,
        username=user,
        password=password,
        secure=settings.clickhouse_secure,
        **kwargs,
    )


def wait_until_ready(settings: Settings, timeout: float = 60.0) -> None:
    """Wait for the server to accept the admin user; raise with the last error."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            connect(settings, connect_timeout=2).command("SELECT 1")
            return
        except Exception as error:  # noqa: BLE001 - any failure means "not ready yet"
            last_error = error
            time.sleep(0.5)
    raise TimeoutError(
        f"ClickHouse at {settings.clickhouse_host}:{settings.clickhouse_http_port} "
        f"did not answer within {timeout:.0f} s: {last_error}"
    )
