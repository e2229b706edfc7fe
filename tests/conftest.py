"""Embedded stacks shared by the test session, in temporary Tutor roots on free ports.

- `stack`: ClickHouse (schema and marts built on an empty database) and Ralph.
- `demo`: a second ClickHouse holding only a known demo data set, with the
  marts built after the load (the backfill path); tests compare marts with
  independent computations over the same generated activity.
- `superset`: Superset in a Tutor root of its own (SQLite metadata, no Redis),
  the assets imported, reading the `demo` ClickHouse as the report user;
  `client` is a logged-in admin session on its API.
"""

from __future__ import annotations

import pytest

from tutoraspects.demo_data import DemoSpec, generate_statements
from tutoraspects.demo_data.platform import platform_state
from tutoraspects.embedded.service import free_port
from tutoraspects.embedded.stack import EmbeddedStack
from tutoraspects.event_sink import publish_with_plugin
from tutoraspects.loading import bulk_insert
from tutoraspects.superset.client import SupersetClient

QUIET = lambda _: None  # noqa: E731


def running_stack(root):
    """An embedded stack (ClickHouse with the schema and marts, Ralph) on free ports in `root`, stopped after."""
    stack = EmbeddedStack(root)
    stack.prepare(echo=QUIET, clickhouse_http=free_port(), clickhouse_tcp=free_port(), ralph=free_port())
    stack.up(echo=QUIET)
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """A started embedded stack with the schema applied, shared by the session."""
    yield from running_stack(tmp_path_factory.mktemp("aspects-root"))


@pytest.fixture(scope="session")
def settings(stack):
    return stack.settings


DEMO_SPEC = DemoSpec(seed=3, orgs=2, courses_per_org=2, learners=150)


@pytest.fixture(scope="session")
def demo_spec():
    return DEMO_SPEC


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """Settings of a ClickHouse holding exactly DEMO_SPEC's data, marts built and refreshed."""
    from tutoraspects.dbt_runner import run_dbt
    from tutoraspects.marts import refresh_now

    stack = EmbeddedStack(tmp_path_factory.mktemp("aspects-demo-root"))
    # PII on, as `aspects demo` runs (made-up learners): the marts carry usernames, names and emails
    stack.prepare(echo=QUIET, with_ralph=False, clickhouse_http=free_port(), clickhouse_tcp=free_port(),
                  config={"ASPECTS_ENABLE_PII": True})
    stack.up(echo=QUIET, with_ralph=False, build_marts=False)
    try:
        # the event sink as the LMS and Studio fill it: platform-plugin-aspects's own code,
        # then checked as `aspects-check-sink` checks it in the LMS
        publish_with_plugin(stack.settings, platform_state(DEMO_SPEC), echo=QUIET, check=True)
        bulk_insert(stack.settings, generate_statements(DEMO_SPEC))
        lines = []
        try:
            run_dbt(stack.settings, ["build"], echo=lines.append)
        except Exception:
            print("\n".join(lines))
            raise
        refresh_now(stack.settings)
        yield stack.settings
    finally:
        stack.stop()


# Short, so a test sees the course list asked for again (the default is 300 s).
COURSES_CACHE_SECONDS = 3


def demo_course_keys() -> list[str]:
    return [course["course_key"] for course in platform_state(DEMO_SPEC)["courses"]]


@pytest.fixture(scope="session")
def lms():
    """The stand-in LMS Superset signs users in through (the LMS itself cannot run here):
    ada staffs the first demo course, bob the next two, carl is a learner, gina global staff,
    sam a superuser."""
    from standin_lms import LmsUser, StandinLms

    courses = demo_course_keys()
    lms = StandinLms([
        LmsUser("ada", staff_of=courses[:1]), LmsUser("bob", staff_of=courses[1:3]), LmsUser("carl"),
        LmsUser("gina", administrator=True), LmsUser("sam", superuser=True),
    ]).start()
    try:
        yield lms
    finally:
        lms.stop()


@pytest.fixture(scope="session")
def superset(demo, lms, tmp_path_factory):
    """A running embedded Superset with the assets imported, reading the demo ClickHouse; people sign
    in through the stand-in LMS, the admin client with its database login (API)."""
    stack = EmbeddedStack(tmp_path_factory.mktemp("aspects-superset-root"))
    port = free_port()
    own = stack.prepare(echo=lambda _: None, with_ralph=False, with_superset=True, superset=port,
                        clickhouse_http=free_port(), clickhouse_tcp=free_port(),
                        config={"SUPERSET_LMS_SIGN_IN": True, "SUPERSET_LMS_URL": lms.url,
                                "SUPERSET_OAUTH2_CLIENT_ID": "aspects-superset",
                                "SUPERSET_COURSES_CACHE_SECONDS": COURSES_CACHE_SECONDS})
    config = stack.root.user_config()
    lms.register_client(config["SUPERSET_OAUTH2_CLIENT_ID"], config["SUPERSET_OAUTH2_CLIENT_SECRET"],
                        f"http://127.0.0.1:{port}/oauth-authorized/")
    # the demo ClickHouse, this root's Superset (its URL, accounts and roles)
    stack.settings = demo.with_overrides(
        run_superset=True,
        **{name: getattr(own, name) for name in own.__dataclass_fields__ if name.startswith("superset_")},
    )
    lines: list[str] = []
    try:
        stack.start_superset(echo=lines.append)
    except BaseException:
        print("\n".join(lines))
        stack.stop()
        raise
    print("\n".join(lines))
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def settings_(superset):
    return superset.settings


@pytest.fixture()
def client(settings_) -> SupersetClient:
    client = SupersetClient(settings_.superset_url, settings_.superset_admin_username,
                            settings_.superset_admin_password)
    client.login()
    return client
