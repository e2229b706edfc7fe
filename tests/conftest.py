"""One embedded ClickHouse server per test session, in a temporary Tutor root."""

from __future__ import annotations

import pytest

from tutoraspects.embedded.clickhouse_server import free_port
from tutoraspects.embedded.stack import EmbeddedStack
from tutoraspects.init_steps import run_init


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """A started embedded stack with the schema applied."""
    stack = EmbeddedStack(tmp_path_factory.mktemp("aspects-root"))
    stack.prepare(http_port=free_port(), tcp_port=free_port(), echo=lambda _: None)
    stack.start(echo=lambda _: None)
    try:
        run_init(stack.settings, echo=lambda _: None)
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def settings(stack):
    return stack.settings
