"""The embedded stack: the services of a deployment as local processes."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..settings import Settings
from .clickhouse_server import ClickHouseServer, check_chdb_installed
from .root import EmbeddedRoot


class EmbeddedStack:
    def __init__(self, root: str | Path) -> None:
        self.root = EmbeddedRoot(root)
        self.settings: Settings | None = None
        self.clickhouse: ClickHouseServer | None = None

    def prepare(
        self,
        http_port: int | None = None,
        tcp_port: int | None = None,
        echo: Callable[[str], None] = print,
    ) -> Settings:
        check_chdb_installed()
        overrides = {}
        if http_port:
            overrides["CLICKHOUSE_HTTP_PORT"] = http_port
        if tcp_port:
            overrides["CLICKHOUSE_TCP_PORT"] = tcp_port
        echo(f"Rendering configuration in {self.root.path} ...")
        self.settings = self.root.save(overrides)
        return self.settings

    def start(self, echo: Callable[[str], None] = print) -> None:
        self.clickhouse = ClickHouseServer(
            config_dir=self.root.clickhouse_config_dir,
            data_dir=self.root.data_dir("clickhouse"),
            log_file=self.root.log_file("clickhouse"),
        )
        echo(f"Starting ClickHouse on {self.clickhouse.url} ...")
        self.clickhouse.start()
        echo(f"ClickHouse answered in {self.clickhouse.start_seconds:.1f} s.")

    def stop(self) -> None:
        if self.clickhouse:
            self.clickhouse.stop()

    def describe(self) -> str:
        s = self.settings or self.root.settings()
        return "\n".join(
            [
                "",
                "ClickHouse is up:",
                f"  HTTP    http://{s.clickhouse_host}:{s.clickhouse_http_port}  (native TCP port {s.clickhouse_tcp_port})",
                f"  admin   {s.admin_user} / {s.admin_password}",
                f"  reports {s.report_user} / {s.report_password}  (read-only)",
                f"  LRS     {s.lrs_user} / {s.lrs_password}  (insert into {s.xapi_database}.{s.raw_xapi_table})",
                f"  e.g.    curl -u {s.report_user}:{s.report_password} "
                f"'http://{s.clickhouse_host}:{s.clickhouse_http_port}/?query=SHOW+DATABASES'",
                f"  Secrets and settings: {self.root.config_file}",
                "",
            ]
        )
