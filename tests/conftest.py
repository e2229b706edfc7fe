"""Embedded stacks shared by the test session, in temporary Tutor roots on free ports.

- `stack`: ClickHouse (schema and marts built on an empty database) and Ralph.
- `demo`: a second ClickHouse holding only a known demo data set, with the
  marts built after the load (the backfill path); tests compare marts with
  independent computations over the same generated activity.
"""

from __future__ import annotations

import pytest

from tutoraspects.demo_data import DemoSpec, generate_sink_rows, generate_statements
from tutoraspects.embedded.service import free_port
from tutoraspects.embedded.stack import EmbeddedStack
from tutoraspects.loading import bulk_insert, load_sink_rows

QUIET = lambda _: None  # noqa: E731


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """A started embedded stack with the schema applied."""
    stack = EmbeddedStack(tmp_path_factory.mktemp("aspects-root"))
    stack.prepare(echo=QUIET, clickhouse_http=free_port(), clickhouse_tcp=free_port(), ralph=free_port())
    stack.up(echo=QUIET)
    try:
        yield stack
    finally:
        stack.stop()


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
    stack.prepare(echo=QUIET, with_ralph=False, clickhouse_http=free_port(), clickhouse_tcp=free_port())
    stack.up(echo=QUIET, with_ralph=False, build_marts=False)
    try:
        load_sink_rows(stack.settings, generate_sink_rows(DEMO_SPEC))
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
