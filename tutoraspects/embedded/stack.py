"""The embedded stack: the services of a deployment as local processes."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..init_steps import run_init
from ..settings import Settings
from .clickhouse_server import ClickHouseServer, check_chdb_installed
from .ralph import ralph_service
from .root import EmbeddedRoot
from .service import ServiceProcess, port_in_use
from .venvs import ensure_venv

Echo = Callable[[str], None]


class EmbeddedStack:
    def __init__(self, root: str | Path) -> None:
        self.root = EmbeddedRoot(root)
        self.settings: Settings | None = None
        self.clickhouse: ClickHouseServer | None = None
        self.ralph: ServiceProcess | None = None

    def prepare(self, echo: Echo = print, with_ralph: bool = True, **ports: int | None) -> Settings:
        """Install what is missing and render the config (ports: clickhouse_http, clickhouse_tcp, ralph)."""
        check_chdb_installed()
        if with_ralph:
            ensure_venv("ralph", echo)
        keys = {"clickhouse_http": "CLICKHOUSE_HTTP_PORT", "clickhouse_tcp": "CLICKHOUSE_TCP_PORT", "ralph": "RALPH_PORT"}
        overrides = {keys[name]: port for name, port in ports.items() if port}
        echo(f"Rendering configuration in {self.root.path} ...")
        self.settings = self.root.save(overrides)
        return self.settings

    def start_clickhouse(self, echo: Echo = print) -> None:
        self.clickhouse = ClickHouseServer(
            config_dir=self.root.clickhouse_config_dir,
            data_dir=self.root.data_dir("clickhouse"),
            log_file=self.root.log_file("clickhouse"),
        )
        echo(f"Starting ClickHouse on {self.clickhouse.url} ...")
        self.clickhouse.start()
        echo(f"ClickHouse answered in {self.clickhouse.start_seconds:.1f} s.")

    def start_ralph(self, echo: Echo = print) -> None:
        settings = self.settings
        if port_in_use(settings.ralph_host, settings.ralph_port):
            raise RuntimeError(f"Ralph's port {settings.ralph_host}:{settings.ralph_port} is already in use: "
                               "choose another (RALPH_PORT)")
        self.ralph = ralph_service(
            self.root.apps_dir, ensure_venv("ralph", echo), settings.ralph_host, settings.ralph_port,
            self.root.log_file("ralph"),
        )
        echo(f"Starting Ralph on {settings.ralph_url} ...")
        self.ralph.start()
        echo(f"Ralph answered in {self.ralph.start_seconds:.1f} s.")

    def up(self, echo: Echo = print, with_ralph: bool = True, build_marts: bool = True) -> None:
        """Start every service and run the init steps; stop what started on failure."""
        self.settings = self.settings or self.root.settings()
        try:
            self.start_clickhouse(echo)
            run_init(self.settings, echo=echo, build_marts=build_marts)
            if with_ralph:
                self.start_ralph(echo)
        except BaseException:
            self.stop()
            raise

    def raw_event_count(self) -> int:
        from ..clickhouse_client import connect

        client = connect(self.settings)
        try:
            return client.command(
                f"SELECT count() FROM `{self.settings.xapi_database}`.`{self.settings.raw_xapi_table}`"
            )
        finally:
            client.close()

    def stop(self) -> None:
        for service in (self.ralph, self.clickhouse):
            if service:
                service.stop()

    def describe(self) -> str:
        s = self.settings or self.root.settings()
        lines = [
            "",
            "ClickHouse:",
            f"  HTTP    http://{s.clickhouse_host}:{s.clickhouse_http_port}  (native TCP port {s.clickhouse_tcp_port})",
            f"  admin   {s.admin_user} / {s.admin_password}",
            f"  reports {s.report_user} / {s.report_password}  (read-only)",
            f"  LRS     {s.lrs_user} / {s.lrs_password}  (insert into {s.xapi_database}.{s.raw_xapi_table})",
            f"  e.g.    curl -u {s.report_user}:{s.report_password} "
            f"'http://{s.clickhouse_host}:{s.clickhouse_http_port}/?query=SHOW+DATABASES'",
        ]
        if self.ralph:
            lines += [
                "Ralph LRS:",
                f"  xAPI    {s.ralph_url}/xAPI/statements",
                f"  LMS     {s.ralph_lms_username} / {s.ralph_lms_password}",
                f"  loader  {s.ralph_loader_username} / {s.ralph_loader_password}",
            ]
        lines += [f"Secrets and settings: {self.root.config_file}", ""]
        return "\n".join(lines)
