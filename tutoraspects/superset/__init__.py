"""Superset for Aspects: the versioned assets (superset_assets/), their check,
import and serialization, and the embedded Superset service.

- `assets`: read, check, render and serialize the YAML tree;
- `client`: a logged-in HTTP session (import, chart data) used by the init
  steps in every mode;
- `metadata`: Superset's metadata init (database, migrations, admin, roles),
  one implementation for the Tutor job and the embedded stack;
- `service`: the embedded Superset (gunicorn on 127.0.0.1, the Celery worker);
- `scaffold`: helpers that write new dataset and chart YAML quickly.
"""

from .assets import AssetError, check_assets, import_assets, serialize_export  # noqa: F401
