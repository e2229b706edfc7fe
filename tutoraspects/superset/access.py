"""Who sees what in Superset, applied by every asset import (docs/access.md).

- Course-team dashboards (COURSE_TEAM_DASHBOARDS) are for the course-team role;
  the others (operator, institutional) for admins only: each dashboard's roles
  (Superset's DASHBOARD_RBAC).
- The course-team role is Superset's Gamma (view dashboards and charts, export
  CSV, no SQL Lab, no database or security screens) plus `datasource_access` on
  the datasets of its dashboards, and nothing else.
- The LMS's account (platform-plugin-aspects asks for the instructor tab's guest
  tokens with it) exists with its password from the settings and its role
  (superset_config.py: granting guest tokens, nothing else).
- The course-team dashboards can be embedded (the LMS instructor tab, Studio's
  in-context metrics) under their own uuid, which the LMS and Studio settings name.
- One row-level rule for the course-team role, on every dataset with a
  `course_key` column: the user's own courses, from the LMS
  (`can_view_courses`, apps/superset/aspects_security.py). A new course dataset
  gets it at its first import; `check-assets` refuses course-team dashboards
  drawing from datasets without `course_key` and `org` (the columns the
  instructor tab's guest tokens filter on).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from .assets import AssetTree, dashboard_chart_uuids, native_filter_dataset_uuids

# The instructor tab's dashboards, and Studio's in-context ones by the block type they describe
# (platform-plugin-aspects's ASPECTS_INSTRUCTOR_DASHBOARDS and ASPECTS_IN_CONTEXT_DASHBOARDS).
INSTRUCTOR_DASHBOARDS = ("course", "learner_groups", "individual_learner")
IN_CONTEXT_DASHBOARDS = {"course": "in_context_course", "sequential": "in_context_graded_subsection",
                         "problem": "in_context_problem", "video": "in_context_video"}
# The filters platform-plugin-aspects sets when it opens an in-context dashboard (on course_key and block_id).
IN_CONTEXT_COURSE_FILTER = "NATIVE_FILTER-course"
IN_CONTEXT_BLOCK_FILTER = "NATIVE_FILTER-block"
# Opened in Superset itself: a course team compares the courses it staffs (row-level security).
COMPARISON_DASHBOARDS = ("course_comparison",)
COURSE_TEAM_DASHBOARDS = (*INSTRUCTOR_DASHBOARDS, *IN_CONTEXT_DASHBOARDS.values(), *COMPARISON_DASHBOARDS)
# platform-plugin-aspects's guest tokens filter every dataset of these dashboards on both.
COURSE_COLUMNS = ("course_key", "org")
RLS_NAME = "Course teams see their own courses"
# current_username() keys Superset's chart-data cache by user (aspects_security.can_view_courses).
RLS_CLAUSE = '{{ can_view_courses(current_username(), "course_key") }}'
ADMIN_ROLE = "Admin"
BASE_ROLE = "Gamma"


def columns_of(dataset: Any) -> set[str]:
    return {column["column_name"] for column in dataset.config.get("columns") or []}


def course_team_dataset_uuids(tree: AssetTree) -> set[str]:
    """The datasets the course-team dashboards draw from: their charts' and native filters'."""
    charts = tree.by_uuid("charts")
    uuids = set()
    for dashboard in tree.of("dashboards"):
        if dashboard.config.get("slug") in COURSE_TEAM_DASHBOARDS:
            uuids |= {charts[uuid].config["dataset_uuid"] for uuid in dashboard_chart_uuids(dashboard.config)
                      if uuid in charts}
            uuids |= set(native_filter_dataset_uuids(dashboard.config))
    return uuids


def is_course_team(dashboard: Any, settings) -> bool:
    """A course-team dashboard, or its copy in a language (superset/translations.py)."""
    from .translations import base_slug

    return base_slug(dashboard.config.get("slug", ""), settings.dashboard_locales) in COURSE_TEAM_DASHBOARDS


def check_access(tree: AssetTree) -> list[str]:
    """check-assets' access rules: course-team dashboards exist and read only course datasets."""
    problems = []
    slugs = {dashboard.config.get("slug") for dashboard in tree.of("dashboards")}
    problems += [f"course-team dashboard {slug!r} (superset/access.py) does not exist"
                 for slug in COURSE_TEAM_DASHBOARDS if slug not in slugs]
    datasets = tree.by_uuid("datasets")
    for uuid in sorted(course_team_dataset_uuids(tree)):
        dataset = datasets.get(uuid)
        if dataset is None:
            continue  # reported by check_assets
        missing = [column for column in COURSE_COLUMNS if column not in columns_of(dataset)]
        if missing:
            problems.append(f"{dataset.relative()}: a course-team dashboard draws from it but it has no "
                            f"{' or '.join(missing)} column, so row-level security cannot limit it to a course")
    return problems


def apply_access(client, tree: AssetTree, settings, database_name: str, echo: Callable[[str], None] = print) -> None:
    """Bring the course-team role, the dashboards' roles, the row-level rule and the LMS's account
    in line with the tree and the settings."""
    course_team_role = settings.superset_course_team_role
    roles = {role["name"]: role["id"] for role in client.list("security/roles", ("id", "name"))}
    if course_team_role not in roles:
        roles[course_team_role] = client.request("POST", "/api/v1/security/roles/",
                                                 json={"name": course_team_role})["id"]
    team = roles[course_team_role]
    dataset_ids = {row["uuid"]: row["id"] for row in client.list("dataset")}
    datasets = tree.by_uuid("datasets")

    # the role: Gamma's permissions and access to the course-team dashboards' datasets
    wanted_views = {f"[{database_name}].[{datasets[uuid].config['table_name']}](id:{dataset_ids[uuid]})"
                    for uuid in course_team_dataset_uuids(tree) if uuid in dataset_ids}
    base = client.request("GET", f"/api/v1/security/roles/{roles[BASE_ROLE]}/permissions/")["result"]
    granted = {permission["id"] for permission in base}
    found = set()
    for pvm in _permission_views(client):
        if pvm["permission"]["name"] == "datasource_access" and pvm["view_menu"]["name"] in wanted_views:
            granted.add(pvm["id"])
            found.add(pvm["view_menu"]["name"])
    if wanted_views - found:
        raise RuntimeError(f"Superset has no datasource_access permission for {sorted(wanted_views - found)}")
    client.request("POST", f"/api/v1/security/roles/{team}/permissions",
                   json={"permission_view_menu_ids": sorted(granted)})

    # dashboards: course-team ones for the role (admins see everything), the others for admins
    dashboard_ids = {row["uuid"]: row["id"] for row in client.list("dashboard")}
    for dashboard in tree.of("dashboards"):
        audience = team if is_course_team(dashboard, settings) else roles[ADMIN_ROLE]
        client.request("PUT", f"/api/v1/dashboard/{dashboard_ids[dashboard.uuid]}", json={"roles": [audience]})

    # one row-level rule on every course dataset
    tables = sorted(dataset_ids[uuid] for uuid, dataset in datasets.items()
                    if "course_key" in columns_of(dataset) and uuid in dataset_ids)
    rule = {"name": RLS_NAME, "filter_type": "Regular", "tables": tables, "roles": [team],
            "group_key": "course_key", "clause": RLS_CLAUSE,
            "description": "Applied by the asset import to every dataset with a course_key (docs/access.md)."}
    existing = [row["id"] for row in client.list("rowlevelsecurity", ("id", "name")) if row["name"] == RLS_NAME]
    if existing:
        client.request("PUT", f"/api/v1/rowlevelsecurity/{existing[0]}", json=rule)
    else:
        client.request("POST", "/api/v1/rowlevelsecurity/", json=rule)
    _ensure_account(client, settings.superset_lms_username, settings.superset_lms_password,
                    roles[settings.superset_lms_role])
    # the instructor tab embeds them by the dashboard's own uuid (aspects_security.add_embedding_endpoint)
    client.request("PUT", "/api/v1/aspects/embedded_dashboards", json={"uuids": sorted(
        dashboard.uuid for dashboard in tree.of("dashboards") if is_course_team(dashboard, settings))})
    echo(f"Access: {course_team_role} reads {len(wanted_views)} datasets of "
         f"{len(COURSE_TEAM_DASHBOARDS)} dashboards; row-level security on {len(tables)} course datasets.")


def _ensure_account(client, username: str, password: str, role_id: int) -> None:
    """The LMS's account (it asks for the instructor tab's guest tokens), its password from the settings."""
    account = {"username": username, "password": password, "roles": [role_id], "active": True,
               "first_name": "Open edX", "last_name": "LMS", "email": f"{username}@lms.invalid"}
    existing = [row["id"] for row in client.list("security/users", ("id", "username")) if row["username"] == username]
    if existing:
        client.request("PUT", f"/api/v1/security/users/{existing[0]}", json=account)
    else:
        client.request("POST", "/api/v1/security/users/", json=account)


def _permission_views(client) -> Iterable[dict]:
    return client.list("security/permissions-resources", ("id", "permission.name", "view_menu.name"))
