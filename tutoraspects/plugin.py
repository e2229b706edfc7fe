"""The Tutor plugin: configuration, templates, patches, jobs and commands.

Everything a deployment needs is declared here through Tutor's hooks; the
work itself (migrations and the other init steps) lives in ordinary modules
that the init jobs, the `tutor aspects` commands and the embedded stack all call.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import bcrypt
import jinja2
from tutor import hooks

from .__about__ import __version__
from .cli import tutor_group
from .job_commands import JOB_COMMANDS, retire_user_in_job
from .lms_commands import check_event_sink, dump_event_sink, transform_tracking_logs
from . import services
from .paths import CLICKHOUSE_DIR, TEMPLATES_DIR, source_tree
from .settings import render_settings_yaml

PATCHES_DIR = Path(__file__).parent / "patches"

hooks.Filters.CONFIG_DEFAULTS.add_items(
    [
        ("ASPECTS_VERSION", __version__),
        ("ASPECTS_DOCKER_IMAGE", "{{ DOCKER_REGISTRY }}aspects:{{ ASPECTS_VERSION }}"),
        # Databases and the raw table Ralph writes
        ("ASPECTS_META_DATABASE", "aspects"),
        ("ASPECTS_XAPI_DATABASE", "xapi"),
        ("ASPECTS_RAW_XAPI_TABLE", "xapi_events_all"),
        ("ASPECTS_EVENT_SINK_DATABASE", "event_sink"),
        ("ASPECTS_REPORTING_DATABASE", "reporting"),
        # Days to keep raw events; 0 keeps them forever.
        ("ASPECTS_DATA_TTL_DAYS", 0),
        # Languages of the dashboards: with any besides en, each dashboard is imported once per language
        # and the instructor tab shows the user's (superset_assets/translations/, docs/translations.md).
        ("ASPECTS_DASHBOARD_LOCALES", ["en"]),
        # Names and emails reach dashboards only when this is on.
        ("ASPECTS_ENABLE_PII", False),
        # Marts are refreshed by ClickHouse itself every this many seconds.
        ("ASPECTS_MART_REFRESH_SECONDS", 60),
        # ClickHouse
        ("RUN_CLICKHOUSE", True),
        ("CLICKHOUSE_DOCKER_IMAGE", "clickhouse/clickhouse-server:26.9"),
        ("CLICKHOUSE_HOST", "clickhouse"),
        ("CLICKHOUSE_HTTP_PORT", 8123),
        ("CLICKHOUSE_TCP_PORT", 9000),
        ("CLICKHOUSE_SECURE", False),
        # Empty: the image's own listen addresses; the embedded stack sets 127.0.0.1.
        ("CLICKHOUSE_LISTEN_HOST", ""),
        # Set to run on a ClickHouse cluster: Replicated engines and ON CLUSTER DDL, a Distributed raw
        # table; with RUN_CLICKHOUSE, Kubernetes runs the cluster: SHARDS x REPLICAS servers (a StatefulSet
        # per shard) and three ClickHouse Keeper servers (docs/scaling.md).
        ("CLICKHOUSE_CLUSTER_NAME", ""),
        ("CLICKHOUSE_CLUSTER_SHARDS", 1),
        ("CLICKHOUSE_CLUSTER_REPLICAS", 2),
        # Keeper runs from the server image (`clickhouse keeper`), so both are one release.
        ("CLICKHOUSE_KEEPER_DOCKER_IMAGE", "{{ CLICKHOUSE_DOCKER_IMAGE }}"),
        ("CLICKHOUSE_KEEPER_K8S_VOLUME_SIZE", "5Gi"),
        # Replicas fetch parts from each other over the interserver HTTP port with this login.
        ("CLICKHOUSE_INTERSERVER_USER", "interserver"),
        ("CLICKHOUSE_ADMIN_USER", "ch_admin"),
        ("CLICKHOUSE_LRS_USER", "ch_lrs"),
        ("CLICKHOUSE_REPORT_USER", "ch_report"),
        # The LMS and Studio write the event sink (platform-plugin-aspects) as this user.
        ("CLICKHOUSE_SINK_USER", "ch_sink"),
        ("CLICKHOUSE_K8S_VOLUME_SIZE", "20Gi"),
        # Where `aspects backup` writes (ClickHouse's `backups` disk): on the data volume by default.
        ("CLICKHOUSE_BACKUP_PATH", "/var/lib/clickhouse/backups/"),
        # Kubernetes requests and limits of each service's container (memory limits, no CPU limits:
        # throttled ClickHouse merges and Superset workers are slower, not safer).
        ("ASPECTS_K8S_RESOURCES", {
            "clickhouse": {"requests": {"cpu": "1", "memory": "4Gi"}, "limits": {"memory": "8Gi"}},
            "clickhouse-keeper": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "1Gi"}},
            "ralph": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "1Gi"}},
            "superset": {"requests": {"cpu": "250m", "memory": "1Gi"}, "limits": {"memory": "2Gi"}},
            "superset-worker": {"requests": {"cpu": "100m", "memory": "512Mi"}, "limits": {"memory": "2Gi"}},
        }),
        # Limits of the report user (Superset, SQL Lab): memory and seconds per query, and
        # query seconds per hour; the user cannot raise them (profile constraints).
        ("CLICKHOUSE_REPORT_MAX_MEMORY_BYTES", 2000000000),
        ("CLICKHOUSE_REPORT_MAX_EXECUTION_SECONDS", 120),
        ("CLICKHOUSE_REPORT_QUERY_SECONDS_PER_HOUR", 3600),
        # Ralph LRS
        ("RUN_RALPH", True),
        ("RALPH_DOCKER_IMAGE", "fundocker/ralph:5.1.0"),
        ("RALPH_HOST", "ralph"),
        ("RALPH_PORT", 8100),
        ("RALPH_LMS_USERNAME", "lms"),
        ("RALPH_LOADER_USERNAME", "loader"),
        # The event sink: platform-plugin-aspects in the LMS and Studio (pinned), the
        # sinks it turns on (auth_user: deletes a retired user's rows), and the tables
        # holding PII (their sinks on only with ASPECTS_ENABLE_PII).
        ("ASPECTS_PLATFORM_PLUGIN_VERSION", "2.1.0"),
        ("ASPECTS_EVENT_SINK_MODELS", ["course_overviews", "course_enrollment", "tag", "taxonomy", "object_tag",
                                       "auth_user"]),
        ("ASPECTS_EVENT_SINK_PII_MODELS", ["user_profile", "external_id"]),
        ("ASPECTS_EVENT_SINK_TIMEOUT_SECS", 10),
        # How the LMS batches xAPI statements to Ralph
        ("ASPECTS_EVENT_BATCHING_ENABLED", True),
        ("ASPECTS_EVENT_BATCH_SIZE", 100),
        ("ASPECTS_EVENT_BATCH_INTERVAL", 5),
        # Superset
        ("RUN_SUPERSET", True),
        ("SUPERSET_DOCKER_IMAGE", "{{ DOCKER_REGISTRY }}aspects-superset:{{ ASPECTS_VERSION }}"),
        ("SUPERSET_BASE_IMAGE", "apache/superset:6.1.0"),
        ("SUPERSET_HOST", "superset.{{ LMS_HOST }}"),
        ("SUPERSET_PORT", 8088),
        # Gunicorn workers of the web server, one request at a time each (services.py says why).
        ("SUPERSET_WEB_WORKERS", services.SUPERSET_WEB_WORKERS),
        ("SUPERSET_DB_HOST", "{{ MYSQL_HOST }}"),
        ("SUPERSET_DB_PORT", "{{ MYSQL_PORT }}"),
        ("SUPERSET_DB_NAME", "superset"),
        ("SUPERSET_DB_USERNAME", "superset"),
        ("SUPERSET_ADMIN_USERNAME", "aspects_admin"),
        ("SUPERSET_ADMIN_EMAIL", "{{ CONTACT_EMAIL }}"),
        ("SUPERSET_REDIS_HOST", "{{ REDIS_HOST }}"),
        ("SUPERSET_REDIS_PORT", "{{ REDIS_PORT }}"),
        # Metadata database URI; empty: MySQL from SUPERSET_DB_* (the embedded stack sets a SQLite file).
        ("SUPERSET_SQLALCHEMY_URI", ""),
        # The Operator dashboard's Superset usage reads the metadata database through this
        # account: SELECT on a few columns of the logs, users, dashboards and charts tables.
        ("SUPERSET_METADATA_READER_USERNAME", "aspects_superset_reader"),
        # Guest tokens (embedded dashboards): the audience Superset signs and checks,
        # and the role a guest token's holder gets (defined in superset_config.py).
        ("SUPERSET_GUEST_TOKEN_AUDIENCE", "aspects-superset"),
        ("SUPERSET_GUEST_ROLE", "Aspects Guest"),
        # Where init steps reach Superset to import the assets (inside the deployment's network).
        ("SUPERSET_URL", "http://superset:{{ SUPERSET_PORT }}"),
        # Sign-in through the LMS (OAuth2; off: database login only, as in the embedded demo).
        # Superusers and global staff become admins; course staff and instructors see their
        # courses (the LMS's course API, cached this many seconds); nobody else gets in.
        ("SUPERSET_LMS_SIGN_IN", True),
        ("SUPERSET_LMS_URL", "{{ 'https' if ENABLE_HTTPS else 'http' }}://{{ LMS_HOST }}"),
        ("SUPERSET_OAUTH2_CLIENT_ID", "aspects-superset"),
        ("SUPERSET_LMS_COURSES_PATH", "/api/courses/v1/courses/?permissions=staff&username={username}"),
        ("SUPERSET_COURSES_CACHE_SECONDS", 300),
        # The role of course-team users: course dashboards and datasets, row-level security.
        ("SUPERSET_COURSE_TEAM_ROLE", "Aspects Course Team"),
        # The LMS's own Superset account: it asks for the instructor tab's guest tokens
        # (platform-plugin-aspects) and may do nothing else (its role, superset_config.py).
        ("SUPERSET_LMS_USERNAME", "aspects_lms"),
        ("SUPERSET_LMS_ROLE", "Aspects LMS"),
        # Superset as the browser reaches it (the instructor tab's links and embeds).
        ("SUPERSET_PUBLIC_URL", "{{ 'https' if ENABLE_HTTPS else 'http' }}://{{ SUPERSET_HOST }}"),
    ]
)

# Generated once per install and kept in config.yml: nothing ships a default.
hooks.Filters.CONFIG_UNIQUE.add_items(
    [
        ("CLICKHOUSE_ADMIN_PASSWORD", "{{ 24|random_string }}"),
        ("CLICKHOUSE_LRS_PASSWORD", "{{ 24|random_string }}"),
        ("CLICKHOUSE_REPORT_PASSWORD", "{{ 24|random_string }}"),
        ("CLICKHOUSE_SINK_PASSWORD", "{{ 24|random_string }}"),
        # Cluster mode: replication fetches between replicas (interserver HTTP), and the cluster's
        # shared secret, with which a server runs a distributed query on the others as the user who
        # sent it (no password of a user in the server config).
        ("CLICKHOUSE_INTERSERVER_PASSWORD", "{{ 32|random_string }}"),
        ("CLICKHOUSE_CLUSTER_SECRET", "{{ 32|random_string }}"),
        ("RALPH_LMS_PASSWORD", "{{ 24|random_string }}"),
        ("RALPH_LOADER_PASSWORD", "{{ 24|random_string }}"),
        ("SUPERSET_SECRET_KEY", "{{ 48|random_string }}"),
        # Signs embedded dashboards' guest tokens; Superset's built-in default is public.
        ("SUPERSET_GUEST_TOKEN_SECRET", "{{ 48|random_string }}"),
        ("SUPERSET_ADMIN_PASSWORD", "{{ 24|random_string }}"),
        ("SUPERSET_OAUTH2_CLIENT_SECRET", "{{ 48|random_string }}"),
        ("SUPERSET_LMS_PASSWORD", "{{ 24|random_string }}"),
        ("SUPERSET_DB_PASSWORD", "{{ 24|random_string }}"),
        ("SUPERSET_METADATA_READER_PASSWORD", "{{ 24|random_string }}"),
    ]
)


def bcrypt_hash(password: str) -> str:
    """Ralph's auth file stores bcrypt hashes, never the passwords."""
    return bcrypt.hashpw(str(password).encode(), bcrypt.gensalt()).decode()


def sha256_hex(password: str) -> str:
    """ClickHouse users.xml keeps a SHA-256 of each password, not the password."""
    return hashlib.sha256(str(password).encode()).hexdigest()


@jinja2.pass_context
def aspects_settings(context: jinja2.runtime.Context) -> str:
    return render_settings_yaml(context)


hooks.Filters.ENV_TEMPLATE_FILTERS.add_items(
    [("bcrypt_hash", bcrypt_hash), ("sha256_hex", sha256_hex)]
)
hooks.Filters.ENV_TEMPLATE_VARIABLES.add_items(
    [("aspects_settings", aspects_settings), ("aspects_services", services)]
)


def _dashboards_by_slug() -> dict[str, dict]:
    from .superset.assets import load_tree

    return {dashboard.config["slug"]: dashboard.config for dashboard in load_tree().of("dashboards")}


def instructor_dashboards(locales: list[str]) -> str:
    """The instructor tab's dashboards, as platform-plugin-aspects's ASPECTS_INSTRUCTOR_DASHBOARDS lists them
    (Python source, for the LMS settings); translated when the dashboards come in several languages."""
    from .superset.access import INSTRUCTOR_DASHBOARDS
    from .superset.translations import translating

    by_slug = _dashboards_by_slug()
    return repr([{"name": by_slug[slug]["dashboard_title"], "slug": slug, "uuid": by_slug[slug]["uuid"],
                  "allow_translations": translating(locales)} for slug in INSTRUCTOR_DASHBOARDS])


def in_context_dashboards(locales: list[str]) -> str:
    """Studio's in-context dashboards per block type, as platform-plugin-aspects's ASPECTS_IN_CONTEXT_DASHBOARDS
    lists them, with the filters it sets (course, and block except for the course)."""
    from .superset.access import IN_CONTEXT_BLOCK_FILTER, IN_CONTEXT_COURSE_FILTER, IN_CONTEXT_DASHBOARDS
    from .superset.translations import translating

    by_slug = _dashboards_by_slug()
    return repr({block_type: {"name": by_slug[slug]["dashboard_title"], "slug": slug, "uuid": by_slug[slug]["uuid"],
                              "allow_translations": translating(locales),
                              "course_filter_ids": [IN_CONTEXT_COURSE_FILTER],
                              "block_filter_ids": [] if block_type == "course" else [IN_CONTEXT_BLOCK_FILTER]}
                 for block_type, slug in IN_CONTEXT_DASHBOARDS.items()})


hooks.Filters.ENV_TEMPLATE_VARIABLES.add_items(
    [("aspects_instructor_dashboards", instructor_dashboards), ("aspects_in_context_dashboards", in_context_dashboards)]
)

# Templates: the plugin's own, and the ClickHouse server files kept in clickhouse/.
hooks.Filters.ENV_TEMPLATE_ROOTS.add_items([str(TEMPLATES_DIR), str(CLICKHOUSE_DIR)])
hooks.Filters.ENV_TEMPLATE_TARGETS.add_items(
    [
        ("aspects/apps", "plugins"),
        ("aspects/build", "plugins"),
        ("config.xml", "plugins/aspects/apps/clickhouse"),
        ("users.xml", "plugins/aspects/apps/clickhouse"),
        ("cluster.xml", "plugins/aspects/apps/clickhouse"),
        ("keeper.xml", "plugins/aspects/apps/clickhouse-keeper"),
    ]
)

# Both images install this plugin from its source tree: the checkout this plugin runs from is
# their `aspects-src` build context (docs/operations.md, "Images").
_SOURCE_CONTEXT = (f"--build-context=aspects-src={source_tree()}",) if source_tree() else ()
hooks.Filters.IMAGES_BUILD.add_items(
    [
        ("aspects", ("plugins", "aspects", "build", "aspects"), "{{ ASPECTS_DOCKER_IMAGE }}", _SOURCE_CONTEXT),
        (
            "aspects-superset",
            ("plugins", "aspects", "build", "aspects-superset"),
            "{{ SUPERSET_DOCKER_IMAGE }}",
            _SOURCE_CONTEXT,
        ),
    ]
)

# `tutor local launch` and `tutor local do init` run these in the aspects job container.
INIT_JOBS_DIR = TEMPLATES_DIR / "aspects" / "jobs" / "init"
hooks.Filters.CLI_DO_INIT_TASKS.add_items(
    [
        ("aspects", (INIT_JOBS_DIR / "aspects.sh").read_text()),
        ("lms", (INIT_JOBS_DIR / "lms.sh").read_text()),
    ]
)
hooks.Filters.CLI_DO_COMMANDS.add_items([transform_tracking_logs, dump_event_sink, check_event_sink,
                                         retire_user_in_job, *JOB_COMMANDS])
# After the aspects task has created the event-sink tables: backfill the course structure.
hooks.Filters.CLI_DO_INIT_TASKS.add_item(("cms", (INIT_JOBS_DIR / "cms.sh").read_text()), priority=hooks.priorities.LOW)

# Superset's metadata database, migrations, admin and roles (superset job) come
# before the aspects task, which imports the assets. The superset job only exists
# with RUN_SUPERSET, hence the task is declared once the config is known.
_superset_task_added = False


@hooks.Actions.CONFIG_LOADED.add()
def _add_superset_init_task(config) -> None:
    global _superset_task_added
    if _superset_task_added or not config.get("RUN_SUPERSET", True):
        return
    _superset_task_added = True
    with hooks.Contexts.app("aspects").enter():
        hooks.Filters.CLI_DO_INIT_TASKS.add_item(("superset", (INIT_JOBS_DIR / "superset.sh").read_text()),
                                                 priority=hooks.priorities.HIGH)

for _patch in sorted(PATCHES_DIR.iterdir()):
    if _patch.is_file():
        hooks.Filters.ENV_PATCHES.add_item((_patch.name, _patch.read_text()))


hooks.Filters.CLI_COMMANDS.add_item(tutor_group)
