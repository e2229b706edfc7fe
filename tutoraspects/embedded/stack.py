"""The embedded stack: the services of a deployment as local processes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

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
        self.superset: ServiceProcess | None = None
        self.superset_worker: ServiceProcess | None = None

    def prepare(self, echo: Echo = print, with_ralph: bool = True, with_superset: bool = False,
                config: Mapping[str, Any] | None = None, **ports: int | None) -> Settings:
        """Install what is missing and render the config (ports: clickhouse_http, clickhouse_tcp, ralph, superset;
        `config`: other Tutor settings, e.g. an LMS to sign in to Superset through)."""
        check_chdb_installed()
        if with_ralph:
            ensure_venv("ralph", echo)
        if with_superset:
            ensure_venv("superset", echo)
        keys = {"clickhouse_http": "CLICKHOUSE_HTTP_PORT", "clickhouse_tcp": "CLICKHOUSE_TCP_PORT", "ralph": "RALPH_PORT",
                "superset": "SUPERSET_PORT"}
        overrides = {**(config or {}), **{keys[name]: port for name, port in ports.items() if port}}
        # Whether init steps import the Superset assets: only where this stack serves Superset.
        overrides["RUN_SUPERSET"] = with_superset
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

    def start_superset(self, echo: Echo = print) -> None:
        """Init Superset's metadata (idempotent), serve it on 127.0.0.1, import the assets."""
        from ..superset import import_assets
        from ..superset.metadata import init_superset, use_write_ahead_log
        from ..superset.service import superset_env, superset_web, superset_worker

        settings = self.settings
        config = self.root.user_config()
        host, port = "127.0.0.1", int(config.get("SUPERSET_PORT", 8088))
        if port_in_use(host, port):
            raise RuntimeError(f"Superset's port {host}:{port} is already in use: choose another (SUPERSET_PORT)")
        bin_dir = ensure_venv("superset", echo)
        self.root.data_dir("superset").mkdir(parents=True, exist_ok=True)
        env = superset_env(self.root.apps_dir, bin_dir)
        log_file = self.root.log_file("superset")
        echo("Initializing Superset ...")
        seconds = init_superset(bin_dir, env, settings.superset_admin_username, settings.superset_admin_password,
                                "admin@aspects.invalid", log_file, echo,
                                stamp_file=self.root.data_dir("superset") / "init.stamp")
        echo(f"Superset initialized in {seconds:.0f} s.")
        use_write_ahead_log(settings.superset_sqlalchemy_uri)
        self.superset = superset_web(bin_dir, env, host, port, log_file)
        echo(f"Starting Superset on http://{host}:{port} ...")
        self.superset.start(timeout=120)
        echo(f"Superset answered in {self.superset.start_seconds:.1f} s.")
        if self.root.path.joinpath("env").exists() and self._rendered_redis_host():
            self.superset_worker = superset_worker(bin_dir, env, self.superset.health_url,
                                                   self.root.log_file("superset-worker"))
            self.superset_worker.start()
        import_assets(settings, echo=echo)

    def _rendered_redis_host(self) -> str:
        return str(self.root.user_config().get("SUPERSET_REDIS_HOST") or "")

    def up(self, echo: Echo = print, with_ralph: bool = True, build_marts: bool = True,
           with_superset: bool = False) -> None:
        """Start every service and run the init steps; stop what started on failure."""
        self.settings = self.settings or self.root.settings()
        try:
            self.start_clickhouse(echo)
            # The assets are imported once Superset runs (start_superset), by the same step.
            run_init(self.settings, echo=echo, build_marts=build_marts, import_assets=False)
            if with_ralph:
                self.start_ralph(echo)
            if with_superset:
                self.start_superset(echo)
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
        for service in (self.superset_worker, self.superset, self.ralph, self.clickhouse):
            if service:
                service.stop()

    def describe(self) -> str:
        """Where each service listens, and the one login a person needs (Superset's); no other secret."""
        s = self.settings or self.root.settings()
        lines = [
            "",
            "ClickHouse:",
            f"  HTTP    http://{s.clickhouse_host}:{s.clickhouse_http_port}  (native TCP port {s.clickhouse_tcp_port})",
            f"  users   {s.admin_user} (admin), {s.report_user} (read-only), {s.lrs_user} (LRS), {s.sink_user} (event sink)",
        ]
        if self.ralph:
            lines += [
                "Ralph LRS:",
                f"  xAPI    {s.ralph_url}/xAPI/statements  (accounts {s.ralph_lms_username}, {s.ralph_loader_username})",
            ]
        if self.superset:
            lines += [
                "Superset:",
                f"  URL     {s.superset_url}/",
                f"  sign in {s.superset_admin_username} / {s.superset_admin_password}",
            ]
        lines += [f"Passwords: in {self.root.config_file} (readable by you only)", ""]
        return "\n".join(lines)
