"""A service of the embedded stack: a child process with a log file and a health URL."""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Mapping, Sequence


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent() -> None:
    """In the child, before exec: the kernel sends it SIGTERM when the stack's process dies, even
    by `kill -9`, so no service outlives the stack holding its port (Linux; elsewhere nothing)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


class ServiceError(RuntimeError):
    """A service could not start; the message says why and what to do."""


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


def http_ok(url: str, check: Callable[[bytes], bool] = lambda body: True) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200 and check(response.read())
    except (urllib.error.URLError, OSError):
        return False


class ServiceProcess:
    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        health_url: str,
        log_file: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        health_check: Callable[[bytes], bool] = lambda body: True,
    ) -> None:
        self.name = name
        self.argv = [str(arg) for arg in argv]
        self.health_url = health_url
        self.log_file = Path(log_file)
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self.health_check = health_check
        self.process: subprocess.Popen | None = None
        self.start_seconds: float | None = None

    def healthy(self) -> bool:
        return http_ok(self.health_url, self.health_check)

    def start(self, timeout: float = 60.0) -> None:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        with open(self.log_file, "ab") as log:
            self.process = subprocess.Popen(
                self.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **self.env} if self.env is not None else None,
                cwd=self.cwd,
                start_new_session=True,  # Ctrl-C in a terminal reaches the stack, which stops us
                preexec_fn=_die_with_parent,
            )
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise ServiceError(
                    f"{self.name} exited with code {self.process.returncode}; "
                    f"end of {self.log_file}:\n{self.log_tail()}"
                )
            if self.healthy():
                self.start_seconds = time.monotonic() - started
                return
            time.sleep(0.2)
        self.stop()
        raise ServiceError(
            f"{self.name} did not answer {self.health_url} within {timeout:.0f} s; "
            f"end of {self.log_file}:\n{self.log_tail()}"
        )

    def stop(self, timeout: float = 20.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    @property
    def returncode(self) -> int | None:
        return self.process.returncode if self.process else None

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
