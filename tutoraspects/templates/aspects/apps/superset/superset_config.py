"""Superset settings for Aspects, rendered by Tutor from config.yml.

The web server, the Celery worker and the init job all read this file
(SUPERSET_CONFIG_PATH). Every secret comes from the install's config.yml.
"""

from urllib.parse import quote

from superset import config as _defaults  # Superset's own defaults, loaded before this file

SECRET_KEY = {{ SUPERSET_SECRET_KEY|tojson }}

# Metadata database: SUPERSET_SQLALCHEMY_URI when set (the embedded stack: a
# SQLite file in its root), else MySQL, the same server as the LMS by default.
SQLALCHEMY_DATABASE_URI = {{ SUPERSET_SQLALCHEMY_URI|default("", true)|tojson }} or (
    "mysql+pymysql://{user}:{password}@{host}:{port}/{name}?charset=utf8mb4".format(
        user=quote({{ SUPERSET_DB_USERNAME|tojson }}, safe=""),
        password=quote({{ SUPERSET_DB_PASSWORD|tojson }}, safe=""),
        host={{ SUPERSET_DB_HOST|string|tojson }},
        port=int({{ SUPERSET_DB_PORT|string|tojson }}),
        name={{ SUPERSET_DB_NAME|tojson }},
    )
)

# Redis: results and chart cache, and the Celery broker (the worker), when a
# Redis host is configured (Tutor: the platform's Redis). Open edX uses
# databases 0 and 1 of the same server; Superset keeps to 2 and 3.
# Without one (the embedded stack by default): an in-process cache, no worker.
REDIS_HOST = {{ SUPERSET_REDIS_HOST|default("", true)|string|tojson }}
REDIS_PORT = int({{ SUPERSET_REDIS_PORT|default(6379, true)|string|tojson }})
REDIS_USERNAME = {{ REDIS_USERNAME|default("", true)|tojson }}
REDIS_PASSWORD = {{ REDIS_PASSWORD|default("", true)|tojson }}
REDIS_CELERY_DB = 2
REDIS_CACHE_DB = 3

if REDIS_HOST:
    from cachelib.redis import RedisCache

    _auth = f"{quote(REDIS_USERNAME, safe='')}:{quote(REDIS_PASSWORD, safe='')}@" if REDIS_PASSWORD else ""
    _redis = f"redis://{_auth}{REDIS_HOST}:{REDIS_PORT}"

    _cache = {
        "CACHE_TYPE": "RedisCache",
        "CACHE_DEFAULT_TIMEOUT": 300,
        "CACHE_REDIS_URL": f"{_redis}/{REDIS_CACHE_DB}",
    }
    RESULTS_BACKEND = RedisCache(
        host=REDIS_HOST,
        port=REDIS_PORT,
        db=REDIS_CACHE_DB,
        username=REDIS_USERNAME or None,
        password=REDIS_PASSWORD or None,
        key_prefix="aspects_results_",
    )

    class CeleryConfig:
        broker_url = f"{_redis}/{REDIS_CELERY_DB}"
        result_backend = f"{_redis}/{REDIS_CELERY_DB}"
        imports = ("superset.sql_lab", "superset.tasks.scheduler")
        worker_prefetch_multiplier = 1
        task_acks_late = True

    CELERY_CONFIG = CeleryConfig
else:
    _cache = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300}

CACHE_CONFIG = {**_cache, "CACHE_KEY_PREFIX": "aspects_cache_"}
DATA_CACHE_CONFIG = {**_cache, "CACHE_KEY_PREFIX": "aspects_data_"}
FILTER_STATE_CACHE_CONFIG = {**_cache, "CACHE_KEY_PREFIX": "aspects_filter_"}
EXPLORE_FORM_DATA_CACHE_CONFIG = {**_cache, "CACHE_KEY_PREFIX": "aspects_explore_"}

FEATURE_FLAGS = {
    "EMBEDDED_SUPERSET": True,
    "ENABLE_TEMPLATE_PROCESSING": True,
    "DASHBOARD_RBAC": True,
}

# Embedded dashboards (LMS instructor tab): guest tokens are signed with a
# secret generated per install (Superset's default is public: with it anyone
# could sign a token for any dashboard) and a fixed audience (the default is the
# request's own host, which a forger controls). Only an admin, through
# POST /api/v1/security/guest_token/, issues them.
GUEST_TOKEN_JWT_SECRET = {{ SUPERSET_GUEST_TOKEN_SECRET|tojson }}
GUEST_TOKEN_JWT_AUDIENCE = {{ SUPERSET_GUEST_TOKEN_AUDIENCE|tojson }}
if not GUEST_TOKEN_JWT_SECRET or GUEST_TOKEN_JWT_SECRET == _defaults.GUEST_TOKEN_JWT_SECRET:
    raise RuntimeError("SUPERSET_GUEST_TOKEN_SECRET is empty or Superset's public default: run `tutor config save`")

# A token's holder gets this role and nothing else: enough to draw the charts of
# the dashboards named in the token (Superset checks that the chart belongs to
# one of them and applies the token's row-level rules), no SQL Lab, no listing,
# no writes. Defined here (Flask-AppBuilder builtin role), so it is the same in
# every deployment and cannot drift in the metadata database.
GUEST_ROLE_NAME = {{ SUPERSET_GUEST_ROLE|tojson }}
FAB_ROLES = {
    GUEST_ROLE_NAME: [
        # [view, permission]: Superset's own minimal set for viewing a dashboard
        ["Dashboard", "can_read"],
        ["Chart", "can_read"],
        ["Superset", "can_dashboard"],
        ["Superset", "can_explore_json"],
        ["Api", "can_query"],
        ["Api", "can_query_form_data"],
        ["Api", "can_time_range"],
        ["DashboardFilterStateRestApi", "can_read"],
        ["DashboardFilterStateRestApi", "can_write"],
        ["EmbeddedDashboard", "can_read"],
        ["CurrentUserRestApi", "can_read"],
        ["CssTemplate", "can_read"],
        ["Theme", "can_read"],
        ["Datasource", "can_get"],
    ],
}

# Served behind Caddy, which terminates TLS.
ENABLE_PROXY_FIX = True
WEBSERVER_PORT = {{ SUPERSET_PORT }}

# The LMS may frame dashboards: Superset's default policy, plus the LMS as a frame ancestor.
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    **_defaults.TALISMAN_CONFIG,
    "content_security_policy": {
        **_defaults.TALISMAN_CONFIG["content_security_policy"],
        "frame-ancestors": ["'self'", {{ (("https://" if ENABLE_HTTPS else "http://") ~ LMS_HOST)|tojson }}],
    },
    "force_https": False,
}
