"""Start and stop a real ClickHouse server from the pinned chdb-core wheel.

The server reads the config.xml and users.xml that Tutor renders for the
containers (env/plugins/aspects/apps/clickhouse/), so users, passwords and
ports are the same in both modes: host and ports are read from config.xml.
"""

from __future__ import annotations

import fcntl
import importlib.metadata
import sys
from pathlib import Path
from xml.etree import ElementTree

from ..services import HEALTH_PATHS
from .service import ServiceError, ServiceProcess, free_port, http_ok, port_in_use  # noqa: F401

CHDB_DISTRIBUTION = "chdb-core"
CHDB_VERSION = "26.9.0"


class ClickHouseServerError(ServiceError):
    """The embedded server could not start; the message says why and what to do."""


def check_chdb_installed() -> None:
    try:
        version = importlib.metadata.version(CHDB_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise ClickHouseServerError(
            f"the embedded ClickHouse server needs the {CHDB_DISTRIBUTION}=={CHDB_VERSION} wheel: "
            f"pip install --no-deps {CHDB_DISTRIBUTION}=={CHDB_VERSION}"
        ) from None
    if version != CHDB_VERSION:
        raise ClickHouseServerError(
            f"{CHDB_DISTRIBUTION} {version} is installed but the embedded server is only known to "
            f"work with {CHDB_VERSION}: pip install --no-deps {CHDB_DISTRIBUTION}=={CHDB_VERSION}"
        )


def data_dir_locked(data_dir: Path) -> bool:
    """ClickHouse holds an exclusive lock on <data>/status while it runs."""
    status = data_dir / "status"
    if not status.exists():
        return False
    with open(status, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


class ClickHouseServer:
    """One embedded server process: `start()`, `stop()`, or use it as a context manager."""

    def __init__(self, config_dir: Path, data_dir: Path, log_file: Path | None = None) -> None:
        self.config_dir = Path(config_dir)
        self.data_dir = Path(data_dir)
        self.log_file = Path(log_file) if log_file else self.data_dir.parent / "clickhouse.log"
        self.service: ServiceProcess | None = None
        self.start_seconds: float | None = None

    def _config_value(self, tag: str, default: str) -> str:
        path = self.config_dir / "config.xml"
        if not path.is_file():
            return default
        node = ElementTree.parse(path).getroot().find(tag)
        return node.text.strip() if node is not None and node.text else default

    @property
    def host(self) -> str:
        return self._config_value("listen_host", "127.0.0.1")

    @property
    def http_port(self) -> int:
        return int(self._config_value("http_port", "8123"))

    @property
    def tcp_port(self) -> int:
        return int(self._config_value("tcp_port", "9000"))

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.http_port}"

    def check_can_start(self) -> None:
        check_chdb_installed()
        for name in ("config.xml", "users.xml"):
            if not (self.config_dir / name).is_file():
                raise ClickHouseServerError(
                    f"{self.config_dir / name} is missing: render it with `tutor config save`"
                )
        if data_dir_locked(self.data_dir):
            raise ClickHouseServerError(
                f"the data folder {self.data_dir} is locked by another ClickHouse server: "
                "stop that server, or use another data folder"
            )
        for label, port in (("HTTP", self.http_port), ("TCP", self.tcp_port)):
            if port_in_use(self.host, port):
                raise ClickHouseServerError(
                    f"{label} port {self.host}:{port} is already in use: stop what listens there "
                    "or choose another port (CLICKHOUSE_HTTP_PORT / CLICKHOUSE_TCP_PORT)"
                )

    def start(self, timeout: float = 60.0) -> "ClickHouseServer":
        self.check_can_start()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.service = ServiceProcess(
            "ClickHouse server",
            [sys.executable, "-m", "tutoraspects.embedded.clickhouse_process",
             self.config_dir.resolve(), self.data_dir.resolve()],
            health_url=f"{self.url}{HEALTH_PATHS['clickhouse']}",
            health_check=lambda body: body.strip() == b"Ok.",
            log_file=self.log_file,
        )
        try:
            self.service.start(timeout)
        except ServiceError as error:
            raise ClickHouseServerError(str(error)) from error
        self.start_seconds = self.service.start_seconds
        return self

    def ping(self) -> bool:
        return http_ok(f"{self.url}{HEALTH_PATHS['clickhouse']}", lambda body: body.strip() == b"Ok.")

    def stop(self, timeout: float = 20.0) -> None:
        if self.service:
            self.service.stop(timeout)

    @property
    def returncode(self) -> int | None:
        return self.service.returncode if self.service else None

    def __enter__(self) -> "ClickHouseServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
