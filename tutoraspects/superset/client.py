"""A logged-in session on Superset's REST API (JWT login, then CSRF token and session cookie)."""

from __future__ import annotations

import json
import time
from typing import Any

import requests

from .assets import AssetError


class SupersetClient:
    def __init__(self, url: str, username: str, password: str, timeout: float = 120) -> None:
        self.url = url.rstrip("/")
        self.username = username
        self.password = password
        self.timeout = timeout
        self.session = requests.Session()

    def wait_until_healthy(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.session.get(f"{self.url}/health", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise AssetError(f"Superset at {self.url} did not answer /health within {timeout:.0f} s "
                                 "(is it running? SUPERSET_URL, or RUN_SUPERSET=false to skip)")
            time.sleep(2)

    def login(self) -> None:
        response = self.session.post(
            f"{self.url}/api/v1/security/login",
            json={"username": self.username, "password": self.password, "provider": "db", "refresh": False},
            timeout=self.timeout,
        )
        if response.status_code != 200:
            raise AssetError(f"Superset login as {self.username} failed ({response.status_code}): "
                             f"{response.text[:300]}")
        self.session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        csrf = self.session.get(f"{self.url}/api/v1/security/csrf_token/", timeout=self.timeout)
        csrf.raise_for_status()
        # Flask-WTF checks the token against the session cookie and, over HTTPS, the Referer.
        self.session.headers.update({"X-CSRFToken": csrf.json()["result"], "Referer": self.url})

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.session.request(method, f"{self.url}{path}", timeout=self.timeout, **kwargs)
        if response.status_code >= 400:
            raise AssetError(f"Superset {method} {path} answered {response.status_code}: {response.text[:2000]}")
        return response.json() if response.content else None

    def import_bundle(self, bundle: bytes, passwords: dict[str, str]) -> None:
        """POST /api/v1/assets/import/: creates or overwrites every asset of the bundle."""
        self.request(
            "POST",
            "/api/v1/assets/import/",
            files={"bundle": ("aspects_assets.zip", bundle, "application/zip")},
            data={"passwords": json.dumps(passwords)},
        )

    def list(self, resource: str, columns: tuple[str, ...] = ("id", "uuid")) -> list[dict[str, Any]]:
        """Every row of /api/v1/<resource>/ (chart, dataset, dashboard, database)."""
        rows: list[dict[str, Any]] = []
        page = 0
        while True:
            query = f"(columns:!({','.join(columns)}),page:{page},page_size:100)"
            result = self.request("GET", f"/api/v1/{resource}/", params={"q": query})
            rows += result["result"]
            if len(rows) >= result["count"] or not result["result"]:
                return rows
            page += 1

    def chart_data(self, chart_id: int) -> list[dict[str, Any]]:
        """The chart's saved query, run: one result per query of its query_context."""
        return self.request("GET", f"/api/v1/chart/{chart_id}/data/", params={"format": "json"})["result"]
