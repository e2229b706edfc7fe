"""Superset sign-in through the Open edX LMS, and the course list behind course teams' row-level security.

superset_config.py makes this the security manager when ASPECTS_LMS_SIGN_IN is on
(see docs/access.md):

- Sign-in is OAuth2 against the LMS's provider. The LMS answers the token request
  with a JWT access token (`token_type=jwt`) whose claims say who the user is and
  whether they are a superuser or global staff. The token comes straight from the
  LMS's token endpoint, authenticated with the client secret, so its claims are
  read without checking the signature (the OpenID Connect rule for tokens received
  that way).
- Superusers and global staff become admins (operators). Anyone else must be staff
  or instructor of at least one course (the LMS's course API, `permissions=staff`)
  and becomes a course-team user; everyone else is refused.
- A course-team user's courses are kept in Superset's cache for
  ASPECTS_COURSES_CACHE_SECONDS, fetched again with the user's LMS token (refreshed
  when expired) when they run out. The row-level rule on every course dataset calls
  `can_view_courses(current_username(), "course_key")`, which turns them into a
  WHERE clause; with no courses known, or none at all, the clause matches nothing.
"""

from __future__ import annotations

import logging
import re
import time

import jwt
import requests
from flask import current_app, g, session
from superset.extensions import cache_manager
from superset.security import SupersetSecurityManager

log = logging.getLogger(__name__)

PROVIDER = "openedx"
ALL_COURSES = "1 = 1"
NO_COURSES = "1 = 0"
# Course keys as the LMS writes them (course-v1:Org+Number+Run, or Org/Number/Run):
# anything else is dropped rather than quoted into SQL.
COURSE_KEY = re.compile(r"^[\w.~:+/-]+$")
TOKEN_KEY = "aspects_lms_token"


class LmsError(Exception):
    """The LMS did not answer as expected."""


class AspectsSecurityManager(SupersetSecurityManager):
    def oauth_user_info(self, provider, response=None):
        if provider != PROVIDER:
            return super().oauth_user_info(provider, response)
        token = dict(response or {})
        claims = jwt.decode(token["access_token"], options={"verify_signature": False})
        username = claims["preferred_username"]
        token.setdefault("expires_at", time.time() + int(token.get("expires_in", 3600)))
        session[TOKEN_KEY] = {key: token.get(key) for key in ("access_token", "refresh_token", "expires_at")}
        if claims.get("superuser") or claims.get("administrator"):
            role_keys = ["admin"]
        elif self.lms_courses(username, force=True):
            role_keys = ["course_team"]
        else:
            log.warning("Refused %s: neither staff nor on any course team", username)
            role_keys = []
        return {
            "username": username,
            "email": claims.get("email") or f"{username}@lms.invalid",
            "first_name": claims.get("given_name") or claims.get("name") or username,
            "last_name": claims.get("family_name") or "",
            "role_keys": role_keys,
        }

    def auth_user_oauth(self, userinfo):
        """Nobody without a role signs in: no account is made for them."""
        if not userinfo.get("role_keys"):
            return None
        return super().auth_user_oauth(userinfo)

    # --- the courses a user staffs, from the LMS -----------------------------------------------

    def lms_courses(self, username: str, force: bool = False) -> list[str]:
        cache_key = f"aspects_courses:{username}"
        if not force:
            cached = cache_manager.cache.get(cache_key)
            if cached is not None:
                return cached
        token = self._lms_token()
        if token is None:
            return []  # signed in some other way (database login): nobody to ask
        try:
            courses = self._fetch_courses(username, token)
        except LmsError as error:
            log.error("Could not read %s's courses from the LMS: %s", username, error)
            return []
        cache_manager.cache.set(cache_key, courses, timeout=current_app.config["ASPECTS_COURSES_CACHE_SECONDS"])
        return courses

    def _fetch_courses(self, username: str, token: str) -> list[str]:
        url = current_app.config["ASPECTS_LMS_COURSES_URL"].format(username=username)
        courses: list[str] = []
        while url:
            try:
                answer = requests.get(url, headers={"Authorization": f"JWT {token}"}, timeout=10)
                answer.raise_for_status()
                page = answer.json()
            except (requests.RequestException, ValueError) as error:
                raise LmsError(f"{url}: {error}") from None
            courses += [course["course_id"] for course in page.get("results", [])
                        if COURSE_KEY.match(str(course.get("course_id", "")))]
            url = (page.get("pagination") or {}).get("next")  # edx-platform's namespaced pagination
        return courses

    def _lms_token(self) -> str | None:
        """The signed-in user's LMS access token, refreshed when it has expired."""
        token = session.get(TOKEN_KEY) if session else None
        if not token:
            return None
        if time.time() < (token.get("expires_at") or 0) - 30:
            return token["access_token"]
        if not token.get("refresh_token"):
            return None
        provider = current_app.config["OAUTH_PROVIDERS"][0]["remote_app"]
        try:
            answer = requests.post(provider["access_token_url"], timeout=10, data={
                "grant_type": "refresh_token", "refresh_token": token["refresh_token"], "token_type": "jwt",
                "client_id": provider["client_id"], "client_secret": provider["client_secret"],
            })
            answer.raise_for_status()
            fresh = answer.json()
        except (requests.RequestException, ValueError) as error:
            log.error("Could not refresh an LMS token: %s", error)
            return None
        session[TOKEN_KEY] = {
            "access_token": fresh["access_token"],
            "refresh_token": fresh.get("refresh_token") or token["refresh_token"],
            "expires_at": time.time() + int(fresh.get("expires_in", 3600)),
        }
        return fresh["access_token"]


def can_view_courses(username: str, column: str = "course_key") -> str:
    """SQL for the row-level rule: the current user's courses.

    The rule calls `can_view_courses(current_username(), "course_key")`: passing
    current_username() puts the username in Superset's chart-data cache key (the rule's
    text alone is the same for every course-team user), so no user is served another's
    cached rows. The courses are those of the signed-in user, never of the argument.
    """
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False) or user.username != username:
        return NO_COURSES
    if any(role.name == "Admin" for role in getattr(user, "roles", [])):
        return ALL_COURSES
    if not re.match(r"^\w+$", column):
        raise ValueError(f"can_view_courses: {column!r} is not a column name")
    from superset import security_manager

    courses = security_manager.lms_courses(user.username)
    if not courses:
        return NO_COURSES
    quoted = ", ".join("'" + key + "'" for key in courses)  # keys matched COURSE_KEY: no quotes in them
    return f"{column} IN ({quoted})"


def add_embedding_endpoint(app) -> None:
    """PUT /api/v1/aspects/embedded_dashboards {"uuids": [...]} (admins): each dashboard gets an
    embedded config whose uuid is the dashboard's own, allowed in ASPECTS_EMBED_DOMAINS.

    The LMS instructor tab (platform-plugin-aspects) embeds a dashboard and asks guest tokens for
    the uuid its settings list; Superset serves and authorizes embedded dashboards by their embedded
    config's uuid, which its own API always draws at random. The asset import calls this so the
    uuid the LMS settings name (the versioned dashboard's) is the one that works.
    (FLASK_APP_MUTATOR: runs once Flask-AppBuilder is set up, so Superset's API classes import.)
    """
    from flask import request
    from flask_appbuilder.api import expose, protect, safe
    from superset import db, security_manager
    from superset.extensions import appbuilder
    from superset.models.dashboard import Dashboard
    from superset.models.embedded_dashboard import EmbeddedDashboard
    from superset.views.base_api import BaseSupersetApi

    class AspectsEmbeddingApi(BaseSupersetApi):
        resource_name = "aspects"
        class_permission_name = "AspectsEmbedding"
        method_permission_name = {"embedded_dashboards": "write"}
        allow_browser_login = True

        @expose("/embedded_dashboards", methods=("PUT",))
        @protect()
        @safe
        def embedded_dashboards(self):
            if not security_manager.is_admin():
                return self.response_403()
            uuids = (request.get_json(silent=True) or {}).get("uuids") or []
            domains = ",".join(current_app.config["ASPECTS_EMBED_DOMAINS"])
            for uuid in uuids:
                dashboard = db.session.query(Dashboard).filter(Dashboard.uuid == uuid).one_or_none()
                if dashboard is None:
                    return self.response_404()
                embedded = db.session.query(EmbeddedDashboard).filter(EmbeddedDashboard.uuid == uuid).one_or_none()
                for other in list(dashboard.embedded):
                    if other is not embedded:
                        db.session.delete(other)  # one embedded config per dashboard: the fixed one
                embedded = embedded or EmbeddedDashboard(uuid=uuid)
                embedded.dashboard_id = dashboard.id
                embedded.allow_domain_list = domains
                db.session.add(embedded)
            db.session.commit()
            return self.response(200, result={"uuids": uuids, "allowed_domains": domains.split(",")})

    appbuilder.add_api(AspectsEmbeddingApi)
