"""Each service's requirements, command, environment and health check, defined once.

The Compose and Kubernetes patches render them (template variable `aspects_services`),
the Dockerfiles install the requirements, and the embedded stack runs the same
commands from its virtual environments. tests/test_requirements.py and
tests/test_tutor_render.py check that every mode agrees.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

CONSTRAINTS_FILE = Path(__file__).parent / "constraints.txt"

# What each environment installs, with CONSTRAINTS_FILE: ranges here, releases there.
REQUIREMENTS = {
    # requests: imported by Ralph's OIDC module but missing from its [lrs] extra
    "ralph": ["ralph-malph[backend-clickhouse,lrs]", "requests"],
    # dbt-core 1.12 cannot be built offline (RECIPES.md)
    "dbt": ["dbt-core<1.12", "dbt-clickhouse"],
    # The LMS's xAPI transformers: tests compare generated statements with theirs.
    "erb": ["edx-event-routing-backends==9.3.*"],
    # apache-superset first: the aspects-superset image starts from its image and adds the rest.
    # Superset 6.1.0 crashes without rich, /login/ fails without cachetools, flask-caching 2.5
    # breaks app start (RECIPES.md); pymysql for a MySQL metadata DB; Authlib: sign-in through
    # the LMS (OAuth2), which Superset does not install itself.
    "superset": ["apache-superset", "rich", "cachetools", "flask-caching<2.5", "clickhouse-connect<1.0",
                 "pymysql", "Authlib>=1.3,<2"],
    # The LMS/Studio plugin that writes event_sink.* (tutoraspects.event_sink runs its own code).
    # It declares Python 3.12 (PIP_FLAGS); Django 6 really needs 3.12, so Django 5.2 LTS.
    "sink": ["platform-plugin-aspects", "Django>=5.2,<6"],
}

# Extra pip flags per environment.
PIP_FLAGS = {
    "sink": ["--ignore-requires-python"],
}

# Services that run an upstream image: their environment takes only that package's pin from
# CONSTRAINTS_FILE, and leaves the rest to the package's own pins, as its image does.
UPSTREAM_IMAGE_PACKAGE = {"ralph": "ralph-malph"}


def canonical_name(requirement: str) -> str:
    """The package a requirement line names, normalized as pip compares them (PEP 503)."""
    name = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement).group(1)
    return re.sub(r"[-_.]+", "-", name).lower()


def constraints() -> dict[str, str]:
    """Package (canonical name) -> its pinned release, from CONSTRAINTS_FILE."""
    pins = {}
    for line in CONSTRAINTS_FILE.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[canonical_name(name)] = version.strip()
    return pins


def constraint_lines(environment: str) -> list[str]:
    """The constraint lines an environment installs with (all of them but for upstream images)."""
    pins = constraints()
    only = UPSTREAM_IMAGE_PACKAGE.get(environment)
    return [f"{name}=={version}" for name, version in sorted(pins.items()) if only in (None, name)]


# Health checks: the HTTP path each service answers 200 on when it serves.
HEALTH_PATHS = {"clickhouse": "/ping", "ralph": "/__heartbeat__", "superset": "/health"}

# Gunicorn workers of Superset's web server. One request at a time per worker: with several
# threads per process, Superset 6.1 intermittently fails to parse a chart's own SQL ("Unable to
# parse SQL ... Unexpected token") when a dashboard fires its chart requests together.
SUPERSET_WEB_WORKERS = 4


def ralph_command(host: str, port: int) -> list[str]:
    return ["uvicorn", "ralph.api:app", "--host", host, "--port", str(port), "--proxy-headers"]


def superset_web_command(host: str, port: int, workers: int = SUPERSET_WEB_WORKERS) -> list[str]:
    return ["gunicorn", f"--bind={host}:{port}", f"--workers={workers}", "--worker-class=gthread", "--threads=1",
            "--timeout=120", "--limit-request-line=0", "--limit-request-field_size=0", "superset.app:create_app()"]


SUPERSET_WORKER_COMMAND = ["celery", "--app=superset.tasks.celery_app:app", "worker", "--pool=prefork", "-O", "fair",
                           "--concurrency=2", "--loglevel=INFO"]
# The worker has no HTTP endpoint: it answers a Celery ping (its hostname from the container's shell).
SUPERSET_WORKER_PING = "celery --app=superset.tasks.celery_app:app inspect ping --destination celery@$HOSTNAME --timeout 10"

# Superset's metadata init (database, migrations, admin account, roles): the Tutor job runs it in
# the aspects-superset image, the embedded stack calls the same function (superset/metadata.py).
SUPERSET_INIT_COMMAND = ["python", "-m", "tutoraspects.superset.metadata"]


def superset_environment(config_dir: str | Path) -> dict[str, str]:
    """Superset reads the rendered superset_config.py; it imports aspects_security.py from beside it."""
    return {
        "SUPERSET_CONFIG_PATH": f"{config_dir}/superset_config.py",
        "PYTHONPATH": str(config_dir),
        "FLASK_APP": "superset.app:create_app()",
        "PYTHONUNBUFFERED": "1",
        # No outside calls from the server (it is often offline).
        "SUPERSET_LOAD_EXAMPLES": "no",
    }


def http_check(port: int, service: str) -> list[str]:
    """A health check that needs only the image's Python: GET the service's health path."""
    url = f"http://localhost:{port}{HEALTH_PATHS[service]}"
    return ["python", "-c", f"import urllib.request; urllib.request.urlopen({url!r}, timeout=5)"]


def k8s_env(environment: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in environment.items()]


def shell_words(words: list[str]) -> str:
    """Words quoted for a shell line (a Dockerfile's RUN): requirement ranges hold `<`."""
    return " ".join(shlex.quote(word) for word in words)
