"""Virtual environments of the embedded services.

Each service runs from its own environment, as each has its own image in a
deployment: their pins clash (Ralph needs clickhouse-connect<0.8, dbt a newer
one; Superset pins SQLAlchemy<2).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from ..paths import PACKAGE_DIR

REQUIREMENTS = {
    # requests: imported by Ralph's OIDC module but missing from its [lrs] extra
    "ralph": ["ralph-malph[backend-clickhouse,lrs]==5.1.0", "requests"],
    # dbt-core 1.12 cannot be built offline (RECIPES.md)
    "dbt": ["dbt-core<1.12", "dbt-clickhouse==1.10.3"],
    # The LMS's xAPI transformers: tests compare generated statements with theirs.
    "erb": ["edx-event-routing-backends==9.3.*"],
    # Superset 6.1.0 crashes without rich, /login/ fails without cachetools,
    # flask-caching 2.5 breaks app start (RECIPES.md); pymysql for a MySQL metadata DB.
    # Authlib: sign-in through the LMS (OAuth2), which Superset does not install itself.
    "superset": ["apache-superset==6.1.0", "rich", "cachetools", "flask-caching<2.5", "clickhouse-connect<1.0",
                 "pymysql", "Authlib>=1.3,<2"],
    # The LMS/Studio plugin that writes event_sink.* (tutoraspects.event_sink runs its own code).
    # It declares Python 3.12 (PIP_FLAGS); Django 6 really needs 3.12, so Django 5.2 LTS.
    "sink": ["platform-plugin-aspects==2.1.0", "Django>=5.2,<6"],
}

# Extra pip flags per environment; part of the stamp, so changing them reinstalls.
PIP_FLAGS = {
    "sink": ["--ignore-requires-python"],
}


def venvs_dir() -> Path:
    """ASPECTS_VENVS, or .venvs/ beside the checkout (or the install)."""
    return Path(os.environ.get("ASPECTS_VENVS", PACKAGE_DIR.parent / ".venvs")).resolve()


def venv_bin(name: str) -> Path:
    return venvs_dir() / name / "bin"


def ensure_venv(name: str, echo: Callable[[str], None] = print) -> Path:
    """Create the service's environment once; return its bin/ folder."""
    folder = venvs_dir() / name
    stamp = folder / ".aspects-requirements"
    flags = PIP_FLAGS.get(name, [])
    wanted = "\n".join(REQUIREMENTS[name])
    if flags:  # environments without flags keep their old stamp (no reinstall)
        wanted += "\npip flags: " + " ".join(flags)
    if stamp.is_file() and stamp.read_text() == wanted:
        return folder / "bin"
    echo(f"Installing {name} into {folder} (once) ...")
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    result = subprocess.run(
        [str(folder / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", *flags,
         *REQUIREMENTS[name]],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"installing {name} failed:\n{result.stderr[-3000:]}")
    stamp.write_text(wanted)
    echo(f"Installed {name} in {time.monotonic() - started:.0f} s.")
    return folder / "bin"


if __name__ == "__main__":  # python -m tutoraspects.embedded.venvs NAME...
    for _name in sys.argv[1:]:
        ensure_venv(_name)
