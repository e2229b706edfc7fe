"""Start and stop a real ClickHouse server from the pinned chdb-core wheel.

The server reads the config.xml and users.xml that Tutor renders for the
containers (env/plugins/aspects/apps/clickhouse/), so users, passwords and
ports are the same in both modes: host and ports are read from config.xml.
"""

from __future__ import annotations

import errno
import fcntl
import importlib.metadata
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from xml.etree import ElementTree

CHDB_DISTRIBUTION = "chdb-core"
CHDB_VERSION = "26.9.0"


class ClickHouseServerError(RuntimeError):
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


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As servers do: connections of a stopped server in TIME_WAIT do not block.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


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
        self.process: subprocess.Popen | None = None
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
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_file, "ab")
        started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tutoraspects.embedded.clickhouse_process",
             str(self.config_dir.resolve()), str(self.data_dir.resolve())],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in a terminal reaches us, not the server
        )
        log.close()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise ClickHouseServerError(
                    f"ClickHouse server exited with code {self.process.returncode}:\n{self._log_tail()}"
                )
            if self.ping():
                self.start_seconds = time.monotonic() - started
                return self
            time.sleep(0.2)
        self.stop()
        raise ClickHouseServerError(f"ClickHouse did not answer /ping within {timeout:.0f} s:\n{self._log_tail()}")

    def ping(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/ping", timeout=1) as response:
                return response.read().strip() == b"Ok."
        except (urllib.error.URLError, OSError):
            return False

    def stop(self, timeout: float = 20.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def __enter__(self) -> "ClickHouseServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
