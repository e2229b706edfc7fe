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

# The Operator dashboard's Superset usage charts read this metadata through a second
# database connection. Superset refuses SQLite connections by default (one could read
# any file of the server); the embedded stack keeps its metadata in SQLite and reads it
# read-only, so it lifts that guard. On MySQL (Tutor) the guard stays.
if SQLALCHEMY_DATABASE_URI.startswith("sqlite:"):
    PREVENT_UNSAFE_DB_CONNECTIONS = False

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
    # The LMS's account (platform-plugin-aspects's instructor tab): it asks for guest
    # tokens, and Superset checks the dashboards named in them exist; nothing else.
    {{ SUPERSET_LMS_ROLE|tojson }}: [
        ["SecurityRestApi", "can_grant_guest_token"],
        ["SecurityRestApi", "can_read"],
    ],
}

# Who signs in and what they see (docs/access.md; aspects_security.py beside this file).
from aspects_security import PROVIDER, AspectsSecurityManager, add_embedding_endpoint, can_view_courses

CUSTOM_SECURITY_MANAGER = AspectsSecurityManager
# Every course dataset's row-level rule calls it (applied by the asset import).
JINJA_CONTEXT_ADDONS = {"can_view_courses": can_view_courses}
COURSE_TEAM_ROLE = {{ SUPERSET_COURSE_TEAM_ROLE|tojson }}
ASPECTS_LMS_URL = {{ SUPERSET_LMS_URL|tojson }}.rstrip("/")
ASPECTS_LMS_COURSES_URL = ASPECTS_LMS_URL + {{ SUPERSET_LMS_COURSES_PATH|tojson }}
ASPECTS_COURSES_CACHE_SECONDS = int({{ SUPERSET_COURSES_CACHE_SECONDS|string|tojson }})
# The instructor tab's embedded dashboards: their fixed uuids (set by the asset import) and
# the pages that may embed them: the LMS and its instructor-dashboard MFE (tutor-mfe's host).
FLASK_APP_MUTATOR = add_embedding_endpoint
_scheme = {{ ("https://" if ENABLE_HTTPS else "http://")|tojson }}
ASPECTS_EMBED_DOMAINS = [_scheme + {{ LMS_HOST|tojson }}, _scheme + "apps." + {{ LMS_HOST|tojson }}]

{% if SUPERSET_LMS_SIGN_IN -%}
# Sign-in through the LMS's OAuth2 provider; the account's roles are set again at
# each sign-in from what the LMS says (AspectsSecurityManager.oauth_user_info).
from flask_appbuilder.security.manager import AUTH_OAUTH

AUTH_TYPE = AUTH_OAUTH
OAUTH_PROVIDERS = [{
    "name": PROVIDER,
    "icon": "fa-graduation-cap",
    "token_key": "access_token",
    "remote_app": {
        "client_id": {{ SUPERSET_OAUTH2_CLIENT_ID|tojson }},
        "client_secret": {{ SUPERSET_OAUTH2_CLIENT_SECRET|tojson }},
        "client_kwargs": {"scope": "profile email"},
        # a JWT access token: its claims name the user and say staff or superuser
        "access_token_params": {"token_type": "jwt"},
        "api_base_url": ASPECTS_LMS_URL + "/",
        "access_token_url": ASPECTS_LMS_URL + "/oauth2/access_token",
        "authorize_url": ASPECTS_LMS_URL + "/oauth2/authorize",
    },
}]
# People sign in through the LMS; the API still takes database logins, for the
# accounts of machines: the asset import (the admin) and the LMS asking for guest tokens.
AUTH_API_LOGIN_ALLOW_MULTIPLE_PROVIDERS = True
AUTH_USER_REGISTRATION = True
AUTH_USER_REGISTRATION_ROLE = None
AUTH_ROLES_SYNC_AT_LOGIN = True
AUTH_ROLES_MAPPING = {"admin": ["Admin"], "course_team": [COURSE_TEAM_ROLE]}
{%- endif %}

# Served behind Caddy, which terminates TLS.
ENABLE_PROXY_FIX = True
WEBSERVER_PORT = {{ SUPERSET_PORT }}

# The LMS may frame dashboards: Superset's default policy, plus the LMS as a frame ancestor.
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    **_defaults.TALISMAN_CONFIG,
    "content_security_policy": {
        **_defaults.TALISMAN_CONFIG["content_security_policy"],
        "frame-ancestors": ["'self'", *ASPECTS_EMBED_DOMAINS],
    },
    "force_https": False,
}

# Operators' own Superset settings (the `superset-config` patch, docs/extending.md): feature flags,
# extra roles (FAB_ROLES, created by the init's `superset init`), anything superset_config.py takes.
{{ patch("superset-config") }}
