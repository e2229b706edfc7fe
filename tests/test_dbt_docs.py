"""Every dbt model and every column of its table is documented in YAML beside the SQL."""

from __future__ import annotations

import yaml

from tutoraspects.clickhouse_client import connect
from tutoraspects.dbt_runner import DBT_PROJECT_DIR

MODELS_DIR = DBT_PROJECT_DIR / "models"


def documented_models() -> dict[str, dict]:
    docs = {}
    for path in MODELS_DIR.rglob("*.yml"):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            docs[model["name"]] = model
    return docs


def test_every_model_has_a_description():
    docs = documented_models()
    for sql in MODELS_DIR.rglob("*.sql"):
        assert sql.stem in docs, f"{sql.relative_to(DBT_PROJECT_DIR)} has no YAML docs"
        assert docs[sql.stem].get("description"), f"{sql.stem} has no description"


def test_every_column_is_documented(demo):
    docs = documented_models()
    client = connect(demo)
    for name, model in docs.items():
        documented = {column["name"]: column.get("description") for column in model.get("columns", [])}
        actual = [row[0] for row in client.query(
            "SELECT name FROM system.columns WHERE database = 'reporting' AND table = {t:String}",
            parameters={"t": name},
        ).result_rows]
        assert actual, f"{name} has no table in the reporting database"
        undocumented = [column for column in actual if not documented.get(column)]
        assert not undocumented, f"{name}: columns without a description: {undocumented}"
