"""platform-plugin-aspects's instructor tab, run outside edx-platform (the `sink` environment's python).

The real plugin, openedx-filters, Django and Django REST framework; edx-platform
is the one stand-in, where it cannot be avoided: the course-staff permission
(`openedx.core.lib.api.permissions.IsCourseStaffInstructor`, here: the
`course_staff` of the contract) and the course object the instructor dashboard
passes to its filter. The settings are the ones the Tutor plugin renders for the
LMS (tests/test_instructor_tab.py executes the rendered patch).

stdin: {"settings": {...}, "course_key": "...", "course_staff": {"username": ["course key", ...]},
        "users": [{"username": ..., "is_staff": bool}]}
stdout: {"sections": [the instructor dashboard's sections, fragment as HTML],
         "tabs": [the instructor MFE's tabs], "tokens": {username: {"status": HTTP status, "body": ...}}}
"""

from __future__ import annotations

import json
import sys
import types

APP = "aspects_instructor_standin"


def configure(settings_values: dict, course_staff: dict[str, list[str]]) -> None:
    import django
    from django.conf import settings
    from rest_framework import permissions

    class IsCourseStaffInstructor(permissions.BasePermission):
        """edx-platform's: course staff or instructor of the object's course."""

        def has_object_permission(self, request, view, obj):
            return str(obj.course_id) in course_staff.get(request.user.username, [])

    module = types.ModuleType("openedx.core.lib.api.permissions")
    module.IsCourseStaffInstructor = IsCourseStaffInstructor
    for name in ("openedx", "openedx.core", "openedx.core.lib", "openedx.core.lib.api"):
        sys.modules.setdefault(name, types.ModuleType(name))
    sys.modules["openedx.core.lib.api.permissions"] = module

    urls = types.ModuleType(f"{APP}_urls")
    sys.modules[urls.__name__] = urls
    settings.configure(
        DEBUG=False,
        USE_TZ=True,
        SECRET_KEY="aspects-instructor-tab-test",
        ALLOWED_HOSTS=["testserver"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions",
                        "rest_framework", "platform_plugin_aspects"],
        MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware",
                    "django.contrib.auth.middleware.AuthenticationMiddleware",
                    "crum.CurrentRequestUserMiddleware"],
        ROOT_URLCONF=urls.__name__,
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}],
        LMS_ROOT_URL="http://lms.example",
        **settings_values,
    )
    django.setup()
    from django.urls import include, re_path

    # as edx-platform mounts the plugin's URLs (its plugin_app config: ^aspects/)
    urls.urlpatterns = [re_path(r"^aspects/", include("platform_plugin_aspects.urls"))]
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0)


def main() -> int:
    contract = json.load(sys.stdin)
    configure(contract["settings"], contract["course_staff"])
    import crum
    from django.contrib.auth.models import User
    from django.test import Client
    from opaque_keys.edx.keys import CourseKey
    from openedx_filters.learning.filters import InstructorDashboardRenderStarted, InstructorDashboardTabsRequested

    users = {spec["username"]: User.objects.create(username=spec["username"], is_staff=spec["is_staff"])
             for spec in contract["users"]}
    course_key = CourseKey.from_string(contract["course_key"])
    instructor = next(user for name, user in users.items() if contract["course_staff"].get(name))

    # the legacy instructor dashboard: its render filter, as the LMS runs it for this course
    crum.set_current_user(instructor)
    context, _ = InstructorDashboardRenderStarted.run_filter(
        context={"course": types.SimpleNamespace(id=course_key), "sections": []},
        template_name="instructor/instructor_dashboard_2/instructor_dashboard_2.html",
    )
    sections = [{**{k: v for k, v in section.items() if k != "fragment"}, "html": section["fragment"].content}
                for section in context["sections"]]
    # the instructor MFE: its tabs filter
    tabs, _, _ = InstructorDashboardTabsRequested.run_filter(tabs=[], user=instructor, course_key=course_key)

    tokens = {}
    for name, user in users.items():
        client = Client()
        client.force_login(user)
        answer = client.get(f"/aspects/superset_guest_token/{course_key}/")
        tokens[name] = {"status": answer.status_code, "body": answer.json() if answer.content else None}
    json.dump({"sections": sections, "tabs": tabs, "tokens": tokens}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
