"""Virtual environments of the embedded services.

Each service runs from its own environment, as each has its own image in a
deployment: their pins clash (Ralph needs clickhouse-connect<0.8, dbt a newer
one; Superset pins SQLAlchemy<2). What each installs, and the releases, are
those of the images (tutoraspects/services.py, tutoraspects/constraints.txt).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from ..paths import PACKAGE_DIR
from ..services import PIP_FLAGS, REQUIREMENTS, constraint_lines


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
    pins = constraint_lines(name)
    wanted = "\n".join([*REQUIREMENTS[name], "pip flags: " + " ".join(flags), "constraints:", *pins])
    if stamp.is_file() and stamp.read_text() == wanted:
        return folder / "bin"
    echo(f"Installing {name} into {folder} (once) ...")
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    constraints_file = folder / "constraints.txt"
    constraints_file.write_text("\n".join(pins) + "\n")
    result = subprocess.run(
        [str(folder / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", *flags,
         "-c", str(constraints_file), *REQUIREMENTS[name]],
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
