"""The real event-routing-backends xAPI transformers, importable and as a filter.

Run with the ERB virtual environment (.venvs/erb), never the main one: see
erb_reference.py for how it is created. Importing this module configures
Django (settings.configure + django.setup) and loads every xAPI transformer
family, so ``XApiTransformersRegistry`` knows every event name.

``transform(events, anonymous_ids, course_names, lms_url)`` turns tracking-log
events (as event-tracking hands them to ERB) into xAPI statements, one per
event, except a ``problem_check`` on a problem with several questions, which
gives a parent statement and one per question (flattened in order).

As a filter: stdin is one JSON object {"events", "anonymous_ids",
"course_names", "lms_url"}; stdout is the JSON list of statements.

    echo '{...}' | .venvs/erb/bin/python tests/reference/erb.py

``anonymous_ids`` maps a username or LMS user id (as a string) to the
anonymous id ERB puts in the statement's actor; ``course_names`` maps a course
key to its display name.
"""

from __future__ import annotations

import json
import logging
import sys

import django
from django.conf import settings

# ERB logs a traceback when edx-platform modules are missing: expected here.
logging.disable(logging.CRITICAL)
if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="erb-reference",
        USE_TZ=True,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "config_models",
            "event_routing_backends",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        LMS_ROOT_URL="http://localhost:18000",  # replaced by use_lms() / transform()
        XAPI_AGENT_IFI_TYPE="external_id",
        OPEN_EDX_FILTERS_CONFIG={},
        RUNNING_WITH_TEST_SETTINGS=False,
    )
    django.setup()

# Imported after django.setup(): the helpers call get_user_model() at import.
from event_routing_backends import helpers  # noqa: E402
from event_routing_backends.processors.xapi import transformer as xapi_transformer  # noqa: E402
from event_routing_backends.processors.xapi.event_transformers import (  # noqa: E402,F401  (registers)
    completion_events,
    enrollment_events,
    forum_events,
    grading_events,
    navigation_events,
    problem_interaction_events,
    video_events,
)
from event_routing_backends.processors.xapi.registry import XApiTransformersRegistry  # noqa: E402

# The transformers import these helpers into their own modules: patched in each.
PATCHED_MODULES = (helpers, xapi_transformer, enrollment_events, grading_events)


def use_lms(lms_url: str, anonymous_user_id, course_from_id) -> None:
    """Point the transformers at an LMS: its URL, the actor ids and the course names they look up.

    anonymous_user_id(username_or_id, external_type) -> str; course_from_id(course_id) -> dict.
    """
    settings.LMS_ROOT_URL = lms_url
    for module in PATCHED_MODULES:
        if hasattr(module, "get_anonymous_user_id"):
            module.get_anonymous_user_id = anonymous_user_id
        if hasattr(module, "get_course_from_id"):
            module.get_course_from_id = course_from_id


def transform(events: list[dict], anonymous_ids: dict[str, str], course_names: dict[str, str],
              lms_url: str) -> list[dict]:
    """xAPI statements (JSON-ready dicts) for tracking-log events, in order."""

    def anonymous_user_id(username_or_id, external_type):
        assert external_type == "XAPI", external_type
        return anonymous_ids[str(username_or_id)]

    def course_from_id(course_id):
        return {"display_name": course_names[str(course_id)], "id": course_id}

    use_lms(lms_url, anonymous_user_id, course_from_id)
    statements = []
    for event in events:
        transformer = XApiTransformersRegistry.get_transformer(event)
        result = transformer.transform()
        for statement in result if isinstance(result, list) else [result]:
            statements.append(json.loads(statement.to_json()))
    return statements


def main() -> None:
    values = json.load(sys.stdin)
    statements = transform(values["events"], values["anonymous_ids"], values["course_names"], values["lms_url"])
    json.dump(statements, sys.stdout)


if __name__ == "__main__":
    main()
