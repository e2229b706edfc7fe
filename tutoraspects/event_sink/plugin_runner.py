"""Run platform-plugin-aspects' own sinks against ClickHouse, outside edx-platform.

Run with the `sink` environment's python (tutoraspects.embedded.venvs), never
imported by tutoraspects: this file must only need the plugin and its
dependencies. stdin: one JSON object (the contract of
tutoraspects.event_sink.publish_with_plugin):

    {"clickhouse": {"url", "username", "password", "database", "timeout_secs"},
     "courses": [{course_key, org, display_name, start, end, enrollment_start, enrollment_end, self_paced,
                  lowest_passing_grade, created, modified, blocks: [{location, block_type, display_name, graded,
                  edited_on, start_time, end_time, children: [...]}]}],
     "users": [{id, username, email, name, year_of_birth, gender, level_of_education, country, external_user_id}],
     "enrollments": [{id, user_id, course_key, created, is_active, mode}],
     "taxonomies": [{id, name}], "tags": [{id, taxonomy, parent, value, external_id}],
     (a course's "tags": the ids of the tags applied to it),
     "dump": true, "check": false}

It configures Django (SQLite in memory) with stand-in models holding exactly
the fields the plugin's serializers read, creates the rows, points the course
sink at a stand-in modulestore built from the `blocks` trees, and then dumps
everything with the plugin's batch path (`dump_data_to_clickhouse`'s
`dump_target_objects_to_clickhouse`, force on): every course overview with all
its blocks (as a Studio publish does, one dump_id per course), every user
profile, external id and enrollment, and the content tags (taxonomies, tags,
tags applied to courses: edx-platform's content_tagging API is stood in for,
over stand-in openedx-learning models). The CSV and the HTTP requests are the
plugin's own.

With "dump" false it dumps nothing. With "check" true, it then runs the event-sink check (sink_check.py, as
`tutor local do aspects-check-sink` runs it in the LMS) over the same
stand-in database, which records its counts in ClickHouse.

stdout: JSON {"sent": rows sent per table, e.g. {"course_overviews": 2, "course_blocks": 23, ...},
"checks": the check's rows (empty without "check")}.
On failure: exit status 1 and a message on stderr naming the table and what ClickHouse answered.

Constants the contract does not carry (chosen here): a user profile's id is
the user's id; `courseware` is "course.xml" (the LMS default); `meta`, `language`,
`location`, `mailing_address`, `city`, `state`, `goals`, `bio`,
`profile_image_uploaded_at` and `phone_number` are empty; the course block
(type course, block id "course") takes the course's display name and its
`modified` as edited_on; `completion_mode` is "aggregator" for course, chapter,
sequential and vertical blocks and "completable" for the others; video
start_time/end_time are seconds (null: not set).
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import sys
import types

APP = "aspects_sink_standin"
MODELS_MODULE = f"{APP}.models"
EXTERNAL_ID_TYPE = "xapi"
# edx-platform's xmodule.modulestore.store_utilities.DETACHED_XBLOCK_TYPES
DETACHED_XBLOCK_TYPES = {"about", "course_info", "static_tab"}
AGGREGATORS = {"course", "chapter", "sequential", "vertical"}
# the plugin's model names -> the stand-in classes below
MODEL_CONFIG = {
    "auth_user": "User",
    "user_profile": "UserProfile",
    "external_id": "ExternalId",
    "course_overviews": "CourseOverview",
    "course_enrollment": "CourseEnrollment",
    "taxonomy": "Taxonomy",
    "tag": "Tag",
    "object_tag": "ObjectTag",
}
# the sinks `aspects-check-sink` counts (the tagging tables are not in its report)
CHECKED_MODELS = ("user_profile", "external_id", "course_overviews", "course_enrollment")
BATCH_SIZE = 1000

log = logging.getLogger("aspects.plugin_runner")


class RunnerError(Exception):
    """A failure with a message meant for the operator."""


def configure_django(clickhouse: dict) -> None:
    """Settings first: the plugin's utils and serializers read them at import."""
    import django
    from django.apps import AppConfig
    from django.conf import settings

    class StandinConfig(AppConfig):
        name = APP
        label = APP
        path = os.path.dirname(os.path.abspath(__file__))
        default_auto_field = "django.db.models.AutoField"

    package = types.ModuleType(APP)
    package.StandinConfig = StandinConfig
    sys.modules[APP] = package

    missing = [key for key in ("url", "username", "password", "database") if not clickhouse.get(key)]
    if missing:
        raise RunnerError(f"the contract's clickhouse part lacks {', '.join(missing)}")
    settings.configure(
        DEBUG=False,
        USE_TZ=True,
        TIME_ZONE="UTC",
        SECRET_KEY="aspects-plugin-runner",
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        INSTALLED_APPS=[f"{APP}.StandinConfig"],
        FEATURES={},
        EVENT_SINK_CLICKHOUSE_BACKEND_CONFIG={
            "url": clickhouse["url"],
            "username": clickhouse["username"],
            "password": clickhouse["password"],
            "database": clickhouse["database"],
            "timeout_secs": clickhouse.get("timeout_secs", 60),
        },
        # edx-platform's: retired learners' PII rows are deleted from ClickHouse (sink_check.py)
        RETIRED_USERNAME_PREFIX="retired__user_",
        EVENT_SINK_CLICKHOUSE_PII_MODELS=["user_profile", "external_id"],
        EVENT_SINK_CLICKHOUSE_MODEL_CONFIG={
            name: {"module": MODELS_MODULE, "model": model} for name, model in MODEL_CONFIG.items()
        },
        # EVENT_SINK_CLICKHOUSE_<MODEL>_ENABLED: enabled without the waffle flag (and its tables)
        **{f"EVENT_SINK_CLICKHOUSE_{name.upper()}_ENABLED": True for name in MODEL_CONFIG},
    )
    django.setup()


def define_models() -> types.ModuleType:
    """The stand-in models (after django.setup()), as a module get_model can import."""
    from django.db import connection, models

    module = types.ModuleType(MODELS_MODULE)
    sys.modules[MODELS_MODULE] = module

    def model(class_name, /, **fields):
        attrs = {"__module__": MODELS_MODULE, "Meta": type("Meta", (), {"app_label": APP}), **fields}
        cls = type(class_name, (models.Model,), attrs)
        setattr(module, class_name, cls)
        return cls

    def text(**kw):
        return models.TextField(blank=True, default="", **kw)

    user = model("User", username=models.CharField(max_length=150, unique=True),
                 email=models.CharField(max_length=254, blank=True))
    # common.djangoapps.student.models.UserProfile
    model("UserProfile",
          user=models.OneToOneField(user, on_delete=models.CASCADE, related_name="profile"),
          name=models.CharField(max_length=255, blank=True),
          meta=text(), courseware=models.CharField(max_length=255, default="course.xml"),
          language=text(), location=text(),
          year_of_birth=models.IntegerField(null=True, blank=True),
          gender=models.CharField(max_length=6, null=True, blank=True),
          level_of_education=models.CharField(max_length=6, null=True, blank=True),
          mailing_address=models.TextField(null=True, blank=True),
          city=models.TextField(null=True, blank=True),
          country=models.CharField(max_length=2, null=True, blank=True),
          state=models.CharField(max_length=2, null=True, blank=True),
          goals=models.TextField(null=True, blank=True),
          bio=models.CharField(max_length=3000, null=True, blank=True),
          profile_image_uploaded_at=models.DateTimeField(null=True, blank=True),
          phone_number=models.CharField(max_length=50, null=True, blank=True))
    # openedx.core.djangoapps.external_user_ids.models
    id_type = model("ExternalIdType", name=models.CharField(max_length=32, unique=True))
    model("ExternalId",
          external_user_id=models.CharField(max_length=64),
          external_id_type=models.ForeignKey(id_type, on_delete=models.CASCADE),
          user=models.ForeignKey(user, on_delete=models.CASCADE))
    # openedx.core.djangoapps.content.course_overviews.models.CourseOverview (id: the course key)
    model("CourseOverview",
          id=models.CharField(max_length=255, primary_key=True),
          org=models.TextField(),
          display_name=models.TextField(null=True),
          start=models.DateTimeField(null=True),
          end=models.DateTimeField(null=True),
          enrollment_start=models.DateTimeField(null=True),
          enrollment_end=models.DateTimeField(null=True),
          self_paced=models.BooleanField(default=False),
          lowest_passing_grade=models.FloatField(null=True),
          created=models.DateTimeField(),
          modified=models.DateTimeField())
    # common.djangoapps.student.models.CourseEnrollment
    model("CourseEnrollment",
          user=models.ForeignKey(user, on_delete=models.CASCADE),
          course_id=models.CharField(max_length=255),
          created=models.DateTimeField(),
          is_active=models.BooleanField(default=True),
          mode=models.CharField(max_length=100, default="audit"))

    # openedx_tagging.core.tagging.models: Taxonomy, Tag (a tree per taxonomy), ObjectTag
    taxonomy = model("Taxonomy", name=models.CharField(max_length=255))
    tag = model("Tag",
                taxonomy=models.ForeignKey(taxonomy, null=True, on_delete=models.CASCADE),
                parent=models.ForeignKey("self", null=True, on_delete=models.CASCADE),
                value=models.CharField(max_length=500),
                external_id=models.CharField(max_length=255, null=True, blank=True),
                get_lineage=_tag_lineage)
    model("ObjectTag",
          object_id=models.CharField(max_length=255),
          taxonomy=models.ForeignKey(taxonomy, null=True, on_delete=models.SET_NULL),
          tag=models.ForeignKey(tag, null=True, on_delete=models.SET_NULL),
          _value=models.CharField(max_length=500),
          _export_id=models.CharField(max_length=255),
          get_lineage=lambda self: self.tag.get_lineage() if self.tag else [self._value])

    with connection.schema_editor() as editor:
        for name in ("User", "UserProfile", "ExternalIdType", "ExternalId", "CourseOverview", "CourseEnrollment",
                     "Taxonomy", "Tag", "ObjectTag"):
            editor.create_model(getattr(module, name))
    stand_in_tagging_api(module)
    return module


def _tag_lineage(tag) -> list[str]:
    """Tag.get_lineage: the values from the taxonomy's root down to this tag."""
    lineage = []
    while tag is not None:
        lineage.insert(0, tag.value)
        tag = tag.parent
    return lineage


def stand_in_tagging_api(m: types.ModuleType) -> None:
    """openedx.core.djangoapps.content_tagging.api.get_object_tags, which the plugin imports to list
    the tags on a course (get_tags_for_block): the object's ObjectTag rows."""
    path = "openedx.core.djangoapps.content_tagging.api"
    parts = path.split(".")
    for depth in range(1, len(parts) + 1):
        sys.modules.setdefault(".".join(parts[:depth]), types.ModuleType(".".join(parts[:depth])))
    sys.modules[path].get_object_tags = lambda object_id: m.ObjectTag.objects.filter(object_id=object_id)


def parse_time(value: str | None) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    moment = datetime.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def create_rows(m: types.ModuleType, state: dict) -> None:
    xapi = m.ExternalIdType.objects.create(name=EXTERNAL_ID_TYPE)
    for course in state.get("courses", []):
        m.CourseOverview.objects.create(
            id=course["course_key"], org=course["org"], display_name=course["display_name"],
            start=parse_time(course.get("start")), end=parse_time(course.get("end")),
            enrollment_start=parse_time(course.get("enrollment_start")),
            enrollment_end=parse_time(course.get("enrollment_end")),
            self_paced=bool(course.get("self_paced")),
            lowest_passing_grade=course.get("lowest_passing_grade"),
            created=parse_time(course["created"]), modified=parse_time(course["modified"]),
        )
    for person in state.get("users", []):
        user = m.User.objects.create(id=person["id"], username=person["username"], email=person.get("email") or "")
        m.UserProfile.objects.create(
            id=person["id"], user=user, name=person.get("name") or "",
            year_of_birth=person.get("year_of_birth"), gender=person.get("gender") or "",
            level_of_education=person.get("level_of_education") or "", country=person.get("country") or "",
        )
        if person.get("external_user_id"):
            m.ExternalId.objects.create(id=person["id"], user=user, external_id_type=xapi,
                                        external_user_id=person["external_user_id"])
    for taxonomy in state.get("taxonomies", []):
        m.Taxonomy.objects.create(id=taxonomy["id"], name=taxonomy["name"])
    for tag in state.get("tags", []):  # parents first
        m.Tag.objects.create(id=tag["id"], taxonomy_id=tag["taxonomy"], parent_id=tag.get("parent"),
                             value=tag["value"], external_id=tag.get("external_id"))
    for course in state.get("courses", []):
        for tag_id in course.get("tags", []):
            tag = m.Tag.objects.get(id=tag_id)
            m.ObjectTag.objects.create(object_id=course["course_key"], taxonomy_id=tag.taxonomy_id, tag=tag,
                                       _value=tag.value, _export_id=str(tag.taxonomy_id))
    for enrollment in state.get("enrollments", []):
        m.CourseEnrollment.objects.create(
            id=enrollment["id"], user_id=enrollment["user_id"], course_id=enrollment["course_key"],
            created=parse_time(enrollment["created"]), is_active=bool(enrollment.get("is_active", True)),
            mode=enrollment.get("mode") or "audit",
        )


class StandinBlock:
    """What XBlockSink reads of an XBlock."""

    def __init__(self, location, display_name: str, graded: bool, edited_on, children: list, start_time=None,
                 end_time=None):
        from xblock.fields import ScopeIds

        self.location = location
        self.scope_ids = ScopeIds(None, location.block_type, location, location)
        self.display_name_with_default = display_name
        self.graded = graded
        self.edited_on = edited_on
        self.completion_mode = "aggregator" if location.block_type in AGGREGATORS else "completable"
        self.children = children
        if location.block_type == "video":
            self.start_time = datetime.timedelta(seconds=start_time) if start_time is not None else None
            self.end_time = datetime.timedelta(seconds=end_time) if end_time is not None else None

    def get_children(self) -> list:
        return self.children

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


class StandinModulestore:
    """get_course (the published tree) and get_items (every block), as XBlockSink calls them."""

    def __init__(self, courses: dict[str, StandinBlock]):
        self.courses = courses

    def get_course(self, course_key, revision=None):  # noqa: ARG002 - the plugin passes it
        return self.courses[str(course_key)]

    def get_items(self, course_key, revision=None):  # noqa: ARG002
        return list(self.courses[str(course_key)].walk())


def build_trees(state: dict) -> dict[str, StandinBlock]:
    from opaque_keys import InvalidKeyError
    from opaque_keys.edx.keys import CourseKey, UsageKey

    def block(spec: dict, course_key) -> StandinBlock:
        try:
            location = UsageKey.from_string(spec["location"])
        except InvalidKeyError as error:
            raise RunnerError(f"bad block location {spec['location']!r}: {error}") from None
        if location.course_key != course_key:
            raise RunnerError(f"block {spec['location']} is not in course {course_key}")
        if spec.get("block_type") and spec["block_type"] != location.block_type:
            raise RunnerError(f"block {spec['location']} has block_type {spec['block_type']!r}")
        return StandinBlock(location, spec.get("display_name") or "", bool(spec.get("graded")),
                            parse_time(spec.get("edited_on")),
                            [block(child, course_key) for child in spec.get("children", [])],
                            spec.get("start_time"), spec.get("end_time"))

    trees = {}
    for course in state.get("courses", []):
        course_key = CourseKey.from_string(course["course_key"])
        trees[str(course_key)] = StandinBlock(
            course_key.make_usage_key("course", "course"), course["display_name"], False,
            parse_time(course["modified"]), [block(spec, course_key) for spec in course.get("blocks", [])],
        )
    return trees


def dump_all(state: dict) -> dict[str, int]:
    import requests

    from platform_plugin_aspects.management.commands.dump_data_to_clickhouse import (
        dump_target_objects_to_clickhouse,
    )
    from platform_plugin_aspects.sinks import course_overview_sink
    from platform_plugin_aspects.sinks.base_sink import ModelBaseSink
    from platform_plugin_aspects.sinks.course_enrollment_sink import CourseEnrollmentSink
    from platform_plugin_aspects.sinks.course_overview_sink import CourseOverviewSink
    from platform_plugin_aspects.sinks.external_id_sink import ExternalIdSink
    from platform_plugin_aspects.sinks.tag_sink import ObjectTagSink, TagSink, TaxonomySink
    from platform_plugin_aspects.sinks.user_profile_sink import UserProfileSink

    modulestore = StandinModulestore(build_trees(state))
    course_overview_sink.get_modulestore = lambda: modulestore
    course_overview_sink.get_detached_xblock_types = lambda: DETACHED_XBLOCK_TYPES

    counts: dict[str, int] = {}
    plugin_send_item = ModelBaseSink.send_item

    def send_item(sink, serialized_item, many=False):
        """The plugin's send_item, counting its rows and naming the table in errors."""
        table = f"{sink.ch_database}.{sink.clickhouse_table_name}"
        try:
            plugin_send_item(sink, serialized_item, many=many)
        except requests.HTTPError as error:
            answer = error.response.text.strip() if error.response is not None else ""
            status = error.response.status_code if error.response is not None else "?"
            raise RunnerError(f"ClickHouse refused the insert into {table} (HTTP {status}): {answer}") from None
        except requests.RequestException as error:
            raise RunnerError(f"could not reach ClickHouse at {sink.ch_url} for {table}: {error}") from None
        rows = len(serialized_item) if many else 1
        counts[sink.clickhouse_table_name] = counts.get(sink.clickhouse_table_name, 0) + rows

    ModelBaseSink.send_item = send_item
    for sink_class in (CourseOverviewSink, UserProfileSink, ExternalIdSink, CourseEnrollmentSink, TaxonomySink,
                       TagSink, ObjectTagSink):
        if not sink_class.is_enabled():
            raise RunnerError(f"the plugin's {sink_class.__name__} is disabled or cannot load its model")
        sink = sink_class(None, log)
        counts.setdefault(sink.clickhouse_table_name, 0)
        if sink_class is CourseOverviewSink:
            counts.setdefault("course_blocks", 0)
        dump_target_objects_to_clickhouse(sink, force=True, batch_size=BATCH_SIZE, sleep_time=0)
    return counts


def run_check() -> list[dict]:
    """The LMS-side event-sink check, over the stand-in models (sink_check.py lies beside this file)."""
    import sink_check

    try:
        return sink_check.check(list(CHECKED_MODELS))
    except sink_check.SinkCheckError as error:
        raise RunnerError(str(error)) from None


def main() -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="plugin_runner %(levelname)s %(message)s")
    # the plugin logs the failing response itself (headers included): our own message says it once
    logging.getLogger("aspects.plugin_runner").setLevel(logging.CRITICAL)
    try:
        state = json.load(sys.stdin)
        configure_django(state.get("clickhouse") or {})
        create_rows(define_models(), state)
        counts = dump_all(state) if state.get("dump", True) else {}
        checks = run_check() if state.get("check") else []
    except RunnerError as error:
        print(f"plugin_runner: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - any failure: a clear line, then the trace
        import traceback

        traceback.print_exc()
        print(f"plugin_runner: failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    json.dump({"sent": counts, "checks": checks}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
