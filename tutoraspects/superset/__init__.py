"""Superset for Aspects: the versioned assets (superset_assets/), their check,
import and serialization, and the embedded Superset service.

- `assets`: read, check, render and serialize the YAML tree;
- `client`: a logged-in HTTP session (import, chart data) used by the init
  steps in every mode;
- `service`: the embedded Superset (metadata init, gunicorn on 127.0.0.1);
- `scaffold`: helpers that write new dataset and chart YAML quickly.
"""

from .assets import AssetError, check_assets, import_assets, serialize_export  # noqa: F401
