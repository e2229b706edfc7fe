"""Where the project's data folders are, installed or from a checkout.

The SQL migrations, the dbt project and the Superset assets sit at the top of
the repository. A wheel carries them inside the package (pyproject.toml
force-include); an editable install reads them from the checkout.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"


def data_dir(name: str) -> Path:
    """The folder `name` (clickhouse, dbt, superset_assets) of this install."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the {name}/ folder is missing from this install of tutoraspects")


CLICKHOUSE_DIR = data_dir("clickhouse")
MIGRATIONS_DIR = CLICKHOUSE_DIR / "migrations"


def source_tree() -> Path | None:
    """The checkout this package runs from (pip install -e), which the images are built from;
    None for an install from a wheel, which has no pyproject.toml to build from."""
    root = PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() and (root / "tutoraspects").is_dir() else None
