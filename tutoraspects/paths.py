"""Where the project's data folders are, installed or from a checkout.

The SQL migrations, the dbt project and the Superset assets sit at the top of
the repository. A wheel carries them inside the package (pyproject.toml
force-include); an editable install reads them from the checkout.
"""

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
