"""Does the event sink hold every row the LMS has? A count, sink by sink.

platform-plugin-aspects inserts with `input_format_allow_errors_num=1` and
`input_format_allow_errors_ratio=0.1`: ClickHouse skips a bad row (wrong
column count, a value it cannot parse) and still answers 200, and a one-row
dump (a profile save, an enrollment change) whose row is bad stores nothing.
Neither side logs it. This check counts, for each sink turned on, the rows
of its queryset in the LMS database and the distinct keys stored in its
ClickHouse table, records both in `event_sink.sink_checks` (the operator
dashboard's data-quality table shows the newest check), prints one line per
table and exits 1 when a table lacks rows.

It needs only Django settings and the plugin, so it runs where the plugin
runs: in the LMS (`tutor local|k8s do aspects-check-sink` passes this file
to `./manage.py lms shell -c` with a call to `main([...models])` appended),
and in the tests' stand-in Django (plugin_runner.py). It uses the plugin's
own sinks for the querysets and the ClickHouse connection settings.

Course blocks are not counted here (they live in Studio's modulestore): each
publish numbers them 1..N (`order`), so reporting.instance_event_sink_health
finds missing blocks as gaps in the newest dump of each course.
"""

from __future__ import annotations

import datetime
import json
import logging
import sys

CHECKS_TABLE = "sink_checks"
# The ClickHouse column holding a table's key, where it is not the sink's unique_key
# (the external_id table has no id column).
STORED_KEYS = {"external_id": "external_user_id"}

log = logging.getLogger("aspects.sink_check")


class SinkCheckError(Exception):
    """The check could not run (message meant for the operator)."""


def _clickhouse(sink, query: str, body: str | None = None) -> str:
    import requests

    try:
        response = requests.post(sink.ch_url, params={"query": query}, data=body, auth=sink.ch_auth,
                                 timeout=sink.ch_timeout_secs)
    except requests.RequestException as error:
        raise SinkCheckError(f"could not reach ClickHouse at {sink.ch_url}: {error}") from None
    if response.status_code != 200:
        raise SinkCheckError(f"ClickHouse refused {query.split(' FORMAT')[0]!r} "
                             f"(HTTP {response.status_code}): {response.text.strip()[:500]}")
    return response.text


def source_count(sink) -> int:
    """The rows the sink would dump, less retired learners' PII rows: the plugin deletes those from
    ClickHouse while the LMS keeps them, scrubbed, under a retired username."""
    from django.conf import settings

    queryset = sink.get_queryset()
    prefix = getattr(settings, "RETIRED_USERNAME_PREFIX", "")
    if prefix and sink.model in getattr(settings, "EVENT_SINK_CLICKHOUSE_PII_MODELS", []):
        queryset = queryset.exclude(user__username__startswith=prefix)
    return queryset.count()


def check(models: list[str], now: datetime.datetime | None = None) -> list[dict]:
    """Count each enabled sink's rows in the LMS and in ClickHouse; record and return the counts."""
    from platform_plugin_aspects.sinks import ModelBaseSink

    checked_at = (now or datetime.datetime.now(datetime.timezone.utc)).astimezone(datetime.timezone.utc)
    results, sink = [], None
    for model in models:
        sink_class = ModelBaseSink.get_sink_by_model_name(model)
        if sink_class is None:
            raise SinkCheckError(f"platform-plugin-aspects has no sink for {model!r}")
        if not sink_class.is_enabled():
            log.info("%s: sink off, not checked", model)
            continue
        sink = sink_class(None, log)
        table = sink.clickhouse_table_name
        key = STORED_KEYS.get(table, sink.unique_key)
        stored = int(_clickhouse(sink, f"SELECT uniqExact({key}) FROM {sink.ch_database}.{table}").strip() or 0)
        results.append({"table_name": table, "source_rows": source_count(sink), "stored_rows": stored})
    if sink is not None:
        body = "".join(json.dumps({"checked_at": checked_at.strftime("%Y-%m-%d %H:%M:%S.%f"), **row}) + "\n"
                       for row in results)
        _clickhouse(sink, f"INSERT INTO {sink.ch_database}.{CHECKS_TABLE} FORMAT JSONEachRow", body)
    return results


def describe(row: dict) -> str:
    missing = row["source_rows"] - row["stored_rows"]
    line = f"{row['table_name']}: {row['source_rows']:,} in the LMS, {row['stored_rows']:,} in ClickHouse"
    if missing > 0:
        return (f"{line}: {missing:,} MISSING (rows ClickHouse skipped as bad; re-send them with "
                f"`tutor local do aspects-dump-sink --object {row['table_name']}`)")
    if missing < 0:
        return f"{line}: {-missing:,} more in ClickHouse (deleted or retired in the LMS since)"
    return f"{line}: complete"


def main(models: list[str]) -> int:
    """Run the check, print a line per table; 1 if any table lacks rows or the check failed."""
    try:
        results = check(models)
    except SinkCheckError as error:
        print(f"aspects-check-sink: {error}", file=sys.stderr)
        return 1
    for row in results:
        print(describe(row))
    if not results:
        print("aspects-check-sink: no event sink is turned on; nothing to check")
    return 1 if any(row["source_rows"] > row["stored_rows"] for row in results) else 0
