"""Loading xAPI statements and event-sink rows into an install.

Two paths for statements:
- `post_statements`: through the LRS's xAPI API in batches, as the LMS does.
  The LRS is xAPI-strict: a batch holding a malformed statement is refused
  with a 4xx. The loader then re-sends that batch with Ralph's
  `partialSuccess=true`, so the malformed statement is refused (and reported
  with its index and reason) while the others of its batch are stored. Statements whose id is already stored
  are skipped by the LRS, so a re-run after an interruption adds nothing twice.
- `bulk_insert`: straight into the raw ClickHouse table, for large volumes.
  Ids are the statements' own, so a replay is merged away by the table's
  ReplacingMergeTree and de-duplicated on event_id downstream.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import uuid
import time
from typing import Callable, Iterable, Iterator, Mapping

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .clickhouse_client import connect
from .settings import Settings

Progress = Callable[[int], None]


@dataclasses.dataclass
class LoadSummary:
    path: str
    sent: int = 0
    stored: int = 0
    rejected: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (statement id, reason)
    seconds: float = 0.0

    @property
    def already_stored(self) -> int:
        return self.sent - self.stored - len(self.rejected)

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0

    def describe(self) -> str:
        text = (
            f"{self.path}: sent {self.sent:,} statements in {self.seconds:.1f} s ({self.rate:,.0f}/s): "
            f"{self.stored:,} stored, {self.already_stored:,} already stored, {len(self.rejected):,} rejected"
        )
        for statement_id, reason in self.rejected[:10]:
            text += f"\n  rejected {statement_id}: {reason}"
        if len(self.rejected) > 10:
            text += f"\n  ... and {len(self.rejected) - 10} more"
        return text


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


class LRSError(RuntimeError):
    """The LRS refused a whole request for a reason other than bad statements."""


def post_statements(
    settings: Settings,
    statements: Iterable[Mapping],
    batch_size: int = 500,
    progress: Progress = lambda n: None,
) -> LoadSummary:
    summary = LoadSummary("LRS")
    started = time.monotonic()
    url = f"{settings.ralph_url}/xAPI/statements"
    with requests.Session() as session:
        # Ralph restarting or briefly away: retry with backoff. Re-sending a batch is safe,
        # the LRS stores each statement id once.
        retries = Retry(total=3, backoff_factor=0.5, status_forcelist=(502, 503, 504), allowed_methods=None)
        session.mount(url.split("/xAPI", 1)[0], HTTPAdapter(max_retries=retries))
        session.auth = (settings.ralph_loader_username, settings.ralph_loader_password)
        session.headers["X-Experience-API-Version"] = "1.0.3"
        for batch in batched(statements, batch_size):
            # xAPI-strict first: Ralph stores the batch in one insert. Only a
            # batch it refuses is re-sent with partialSuccess, which stores the
            # valid statements one by one and reports the others.
            response = session.post(url, json=batch, timeout=120)
            summary.sent += len(batch)
            if response.status_code == 200:
                summary.stored += len(response.json())
            elif response.status_code == 204:  # every statement was already stored
                pass
            elif 400 <= response.status_code < 500 and response.status_code not in (401, 403):
                _post_partial(session, url, batch, summary)
            else:
                raise LRSError(f"the LRS answered {response.status_code} to a batch of {len(batch)}: "
                               f"{response.text[:500]}")
            progress(len(batch))
    summary.seconds = time.monotonic() - started
    return summary


def _post_partial(session: requests.Session, url: str, batch: list, summary: LoadSummary) -> None:
    response = session.post(url, params={"partialSuccess": "true"}, json=batch, timeout=600)
    if response.status_code == 204:
        return
    if response.status_code not in (200, 400, 409) or not _is_partial_result(response):
        raise LRSError(f"the LRS answered {response.status_code} to a batch of {len(batch)}: {response.text[:500]}")
    body = response.json()
    if any(not 0 <= error["index"] < len(batch) for error in body["errors"]) and len(batch) > 1:
        # An error Ralph could not pin on one statement (an id already stored with other content):
        # it stored none of the batch. One by one, so only the culprits are refused.
        for statement in batch:
            _post_partial(session, url, [statement], summary)
        return
    summary.stored += body["inserted"]
    for error in body["errors"]:
        index = error["index"]
        statement = batch[index] if 0 <= index < len(batch) else batch[0] if len(batch) == 1 else {}
        summary.rejected.append((str(statement.get("id", f"batch item {index}")), error["reason"]))


def _is_partial_result(response: requests.Response) -> bool:
    try:
        return {"inserted", "errors"} <= set(response.json())
    except ValueError:
        return False


class BadStatementError(ValueError):
    """A statement the bulk path cannot store: the message names it (and what was stored before it)."""


def render_tsv_rows(batch: list[Mapping], first: int = 1) -> bytes:
    """TabSeparated rows: event_id, emission_time, event (JSON, TSV-escaped). `first`: the number of the
    batch's first statement in the input, for errors."""
    return b"".join(render_tsv_row(statement, number) for number, statement in enumerate(batch, start=first))


def render_tsv_row(statement: Mapping, number: int) -> bytes:
    """One statement as a TabSeparated row (newline included); `number`: its place in the input, for errors.
    Ralph checks statements; this path checks that each row can be written: a UUID id and a plain timestamp
    (a tab or newline would shift the columns)."""
    try:
        statement_id = str(uuid.UUID(str(statement.get("id"))))
    except ValueError:
        raise BadStatementError(f"statement {number}: id {statement.get('id')!r} is not a UUID") from None
    timestamp = statement.get("timestamp")
    if not isinstance(timestamp, str) or not timestamp.strip() or any(c in timestamp for c in "\t\n\r\\"):
        raise BadStatementError(f"statement {number} (id {statement_id}): timestamp {timestamp!r} is missing "
                                "or not a plain date")
    event = json.dumps(statement, separators=(",", ":"), ensure_ascii=False).replace("\\", "\\\\")
    return f"{statement_id}\t{timestamp}\t{event}\n".encode()


def bulk_insert(
    settings: Settings,
    statements: Iterable[Mapping],
    batch_size: int = 100_000,
    progress: Progress = lambda n: None,
) -> LoadSummary:
    rows = (render_tsv_row(statement, number) for number, statement in enumerate(statements, start=1))
    return insert_rows(settings, rows, batch_size, progress)


def insert_rows(
    settings: Settings,
    rows: Iterable[bytes],
    batch_size: int = 100_000,
    progress: Progress = lambda n: None,
) -> LoadSummary:
    """Rendered TabSeparated rows (render_tsv_row) into the raw table, `batch_size` rows per insert."""
    summary = LoadSummary("bulk")
    started = time.monotonic()
    client = connect(settings, "admin")
    table = f"`{settings.xapi_database}`.`{settings.raw_xapi_table}`"
    try:
        rows = iter(rows)
        while True:
            try:
                batch = list(itertools.islice(rows, batch_size))
            except BadStatementError as error:
                raise BadStatementError(f"{error}. Nothing of its batch was stored; the {summary.stored:,} "
                                        "statements before that batch were.") from None
            if not batch:
                break
            client.raw_insert(
                table,
                column_names=["event_id", "emission_time", "event"],
                insert_block=b"".join(batch),
                fmt="TabSeparated",
                settings={"date_time_input_format": "best_effort"},
            )
            summary.sent += len(batch)
            summary.stored += len(batch)
            progress(len(batch))
    finally:
        client.close()
    summary.seconds = time.monotonic() - started
    return summary


def load_sink_rows(settings: Settings, rows: Mapping[str, list[dict]]) -> dict[str, int]:
    """Insert event-sink rows (table name -> rows with the table's columns)."""
    client = connect(settings, "admin")
    counts = {}
    try:
        for table, table_rows in rows.items():
            if not table_rows:
                continue
            columns = list(table_rows[0])
            client.insert(
                f"`{settings.event_sink_database}`.`{table}`",
                [[row[c] for c in columns] for row in table_rows],
                column_names=columns,
            )
            counts[table] = len(table_rows)
    finally:
        client.close()
    return counts


def load_demo_sink_bulk(settings: Settings, spec) -> dict[str, int]:
    """The demo platform's event-sink rows, inserted directly (bulk loads, benchmarks)."""
    from .demo_data.platform import platform_state
    from .event_sink.bulk_rows import plugin_layout_rows

    return load_sink_rows(settings, plugin_layout_rows(platform_state(spec)))


def load_demo_data(settings: Settings, spec, via: str = "lrs", batch_size: int | None = None,
                   echo: Callable[[str], None] = print, progressbar=None) -> LoadSummary:
    """Event-sink rows first (what the statements refer to), then the statements.

    Through the LRS (as a platform does), the event sink is filled the same way:
    by platform-plugin-aspects's own sinks, then checked as `aspects-check-sink` checks
    it in the LMS. Bulk loads insert the same rows directly.
    """
    from .demo_data import estimate_statement_count, generate_statements
    from .demo_data.parallel import rendered_rows
    from .demo_data.platform import platform_state
    from .event_sink import publish_with_plugin

    if via == "lrs":
        publish_with_plugin(settings, platform_state(spec), echo=echo, check=True)
    else:
        counts = load_demo_sink_bulk(settings, spec)
        echo("Event sink: " + ", ".join(f"{n:,} {table}" for table, n in counts.items()))
    if via == "lrs":
        load, source = post_statements, generate_statements(spec)
    else:  # rendered in worker processes, the same rows
        load, source = insert_rows, rendered_rows(spec)
    options = {"batch_size": batch_size} if batch_size else {}
    total = estimate_statement_count(spec)
    if progressbar is None:
        summary = load(settings, source, **options)
    else:
        with progressbar(length=total, label=f"Loading ~{total:,} statements via {via}") as bar:
            summary = load(settings, source, progress=bar.update, **options)
    echo(summary.describe())
    return summary
