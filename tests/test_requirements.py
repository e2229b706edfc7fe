"""The images and the embedded stack install the same releases, from this source tree.

tutoraspects/constraints.txt pins the releases; tutoraspects/services.py says what each
environment installs. These tests check that the Dockerfiles Tutor renders install
exactly that with that file, that the upstream images' tags are the pinned releases,
that the embedded environments installed here run them, and that the aspects image's
one pip step (the plugin and dbt together, which no embedded environment does)
resolves to the pins.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from conftest_render import TUTOR, load_aspects_plugin, render_root, run
from tutoraspects import services
from tutoraspects.embedded.clickhouse_server import CHDB_VERSION
from tutoraspects.embedded.venvs import venv_bin

REPO = Path(__file__).resolve().parent.parent
PINS = services.constraints()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    return render_root(tmp_path_factory.mktemp("images"))


def pip_step(dockerfile: str, marker: str) -> list[str]:
    """The arguments of the Dockerfile's install line that names `marker`, as the shell splits them."""
    line = next(line for line in dockerfile.replace("\\\n", " ").splitlines() if marker in line)
    return shlex.split(line.split(marker, 1)[1].split(";")[0].split("&&")[0])


def test_dockerfiles_install_the_source_tree_with_the_constraints(rendered):
    aspects = rendered.text("plugins/aspects/build/aspects/Dockerfile")
    assert "COPY --from=aspects-src . /tmp/aspects-src" in aspects
    args = pip_step(aspects, "RUN pip install")
    assert args[:3] == ["-c", "/tmp/aspects-src/tutoraspects/constraints.txt", "/tmp/aspects-src"]
    assert args[3:] == services.REQUIREMENTS["dbt"]
    assert "tutor-contrib-aspects==" not in aspects  # never a package of that name from an index

    superset = rendered.text("plugins/aspects/build/aspects-superset/Dockerfile")
    assert f"\nFROM apache/superset:{PINS['apache-superset']}\n" in superset
    assert "COPY --from=aspects-src . /tmp/aspects-src" in superset
    args = pip_step(superset, "$install -c")
    assert args[0] == "/tmp/aspects-src/tutoraspects/constraints.txt"
    assert args[1:] == services.REQUIREMENTS["superset"]
    assert "$install --no-deps /tmp/aspects-src" in superset


def test_images_are_built_from_this_checkout():
    """`tutor images build` passes this checkout as the images' aspects-src build context."""
    from tutor import hooks

    load_aspects_plugin()
    builds = {name: args for name, _, _, args in hooks.Filters.IMAGES_BUILD.iterate({})
              if name in ("aspects", "aspects-superset")}
    assert builds == {name: (f"--build-context=aspects-src={REPO}",) for name in ("aspects", "aspects-superset")}
    ignored = (REPO / ".dockerignore").read_text().split()
    assert {".venv", ".venvs", ".demo", ".git"} <= set(ignored)  # the context stays the source


def tag(root, key: str) -> str:
    return run(TUTOR, f"--root={root.path}", "config", "printvalue", key).stdout.strip().rsplit(":", 1)[1]


def test_upstream_images_are_the_pinned_releases(rendered):
    assert tag(rendered, "RALPH_DOCKER_IMAGE") == PINS["ralph-malph"]
    assert tag(rendered, "SUPERSET_BASE_IMAGE") == PINS["apache-superset"]
    # The embedded server is chdb-core's ClickHouse; the image the same major.minor release.
    assert tag(rendered, "CLICKHOUSE_DOCKER_IMAGE") == ".".join(CHDB_VERSION.split(".")[:2])


@pytest.mark.parametrize("environment", sorted(services.REQUIREMENTS))
def test_embedded_environments_run_the_pinned_releases(environment):
    """Each embedded environment has exactly the pinned release of every constrained package it holds."""
    pins = dict(line.split("==") for line in services.constraint_lines(environment))
    result = subprocess.run([str(venv_bin(environment) / "python"), "-c",
                             "import importlib.metadata as m, json;"
                             "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"],
                            capture_output=True, text=True, check=True)
    installed = {services.canonical_name(name): version for name, version in json.loads(result.stdout).items()}
    held = {name: installed[name] for name in pins if name in installed}
    assert held == {name: pins[name] for name in held}
    # and what the environment asks for is there
    assert {services.canonical_name(requirement) for requirement in services.REQUIREMENTS[environment]} <= set(installed)


def test_this_environment_runs_the_pinned_releases():
    """The aspects package's own environment (.venv, the aspects image's other half)."""
    for name in ("clickhouse-connect",):
        assert importlib.metadata.version(name) == PINS[name]


def test_ralph_takes_only_its_own_release_from_the_constraints():
    assert services.constraint_lines("ralph") == [f"ralph-malph=={PINS['ralph-malph']}"]
    assert set(services.constraint_lines("superset")) == {f"{name}=={version}" for name, version in PINS.items()}


def test_aspects_image_pip_step_resolves_to_the_pins(tmp_path):
    """The aspects image installs the plugin and dbt into one environment, which nothing else here does:
    pip resolves that step (as the Dockerfile runs it, without installing) and lands on the pins."""
    report = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
         "--disable-pip-version-check", "--report", str(report), "-c", str(services.CONSTRAINTS_FILE), str(REPO),
         *services.REQUIREMENTS["dbt"]],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    resolved = {services.canonical_name(item["metadata"]["name"]): item["metadata"]["version"]
                for item in json.loads(report.read_text())["install"]}
    assert resolved["tutor-contrib-aspects"]
    for name in ("dbt-core", "dbt-clickhouse", "clickhouse-connect"):
        assert resolved[name] == PINS[name], name


def test_constraints_pin_exact_releases():
    lines = [line for line in services.CONSTRAINTS_FILE.read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+==[0-9][0-9A-Za-z.]*", line) for line in lines), lines
    assert {"apache-superset", "dbt-core", "dbt-clickhouse", "ralph-malph", "clickhouse-connect"} <= set(PINS)
