"""The embedded stack's own Tutor root.

The embedded mode renders its config files and secrets with the same
`tutor config save` as a deployment, into a root folder of its own; only a few
settings differ (everything on 127.0.0.1, ports of the caller's choice).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, Mapping

import yaml

from ..settings import Settings

EMBEDDED_CONFIG = {
    "CLICKHOUSE_HOST": "127.0.0.1",
    "CLICKHOUSE_LISTEN_HOST": "127.0.0.1",
    "RALPH_HOST": "127.0.0.1",
    # No Redis unless one is configured: Superset caches in process and runs no worker.
    "SUPERSET_REDIS_HOST": "",
    # No LMS to sign in through: database login (the admin account).
    "SUPERSET_LMS_SIGN_IN": False,
}


class EmbeddedRoot:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).resolve()

    @property
    def config_file(self) -> Path:
        return self.path / "config.yml"

    @property
    def apps_dir(self) -> Path:
        return self.path / "env" / "plugins" / "aspects" / "apps"

    @property
    def clickhouse_config_dir(self) -> Path:
        return self.apps_dir / "clickhouse"

    @property
    def settings_file(self) -> Path:
        return self.apps_dir / "aspects" / "settings.yml"

    def data_dir(self, service: str) -> Path:
        return self.path / "data" / service

    def log_file(self, service: str) -> Path:
        return self.path / "logs" / f"{service}.log"

    def user_config(self) -> dict[str, Any]:
        if self.config_file.exists():
            return yaml.safe_load(self.config_file.read_text()) or {}
        return {}

    def save(self, overrides: Mapping[str, Any] | None = None) -> Settings:
        """Enable the plugin, apply embedded settings, render with `tutor config save`.

        Values already in config.yml (generated passwords, chosen ports) are
        kept, so a second run finds the same install.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        config = self.user_config()
        plugins = config.setdefault("PLUGINS", [])
        if "aspects" not in plugins:
            plugins.append("aspects")
        for key, value in EMBEDDED_CONFIG.items():
            config.setdefault(key, value)
        # Superset's metadata: a SQLite file in the root, unless a database is configured.
        config.setdefault("SUPERSET_SQLALCHEMY_URI", f"sqlite:///{self.data_dir('superset') / 'superset.db'}")
        # ClickHouse's backups disk (`aspects backup`): beside its data.
        config.setdefault("CLICKHOUSE_BACKUP_PATH", f"{self.data_dir('backups')}/")
        config.update(overrides or {})
        config["SUPERSET_URL"] = f"http://127.0.0.1:{config.get('SUPERSET_PORT', 8088)}"
        self.config_file.write_text(yaml.safe_dump(config, sort_keys=True))
        tutor = Path(sys.executable).with_name("tutor")
        result = subprocess.run(
            [str(tutor), f"--root={self.path}", "config", "save"],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"`tutor config save` failed in {self.path}:\n{result.stderr or result.stdout}")
        # The root holds this install's passwords (config.yml) and files rendered with them: its owner's only.
        self.path.chmod(0o700)
        self.config_file.chmod(0o600)
        return self.settings()

    def settings(self) -> Settings:
        return Settings.load(self.settings_file)
