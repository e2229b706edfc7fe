"""One embedded ClickHouse server per test session, in a temporary Tutor root."""

from __future__ import annotations

import pytest

from tutoraspects.embedded.clickhouse_server import free_port
from tutoraspects.embedded.stack import EmbeddedStack


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """A started embedded stack with the schema applied."""
    stack = EmbeddedStack(tmp_path_factory.mktemp("aspects-root"))
    stack.prepare(echo=lambda _: None, clickhouse_http=free_port(), clickhouse_tcp=free_port(), ralph=free_port())
    stack.up(echo=lambda _: None)
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def settings(stack):
    return stack.settings
