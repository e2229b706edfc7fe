"""Ingest benchmark: statements/s through Ralph and in bulk, size on disk per million.

    make bench                      # 20 k statements through Ralph, 1 M in bulk
    BENCH_EVENTS=10000000 make bench
    BENCH_GENERATED_BULK=0 ...      # without the bulk load that generates as it goes

Starts its own embedded stack in a temporary folder, on free ports.
"""

from __future__ import annotations

import itertools
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

from tutoraspects.clickhouse_client import connect
from tutoraspects.demo_data import DemoSpec, estimate_statement_count, generate_statements
from tutoraspects.embedded.service import free_port
from tutoraspects.embedded.stack import EmbeddedStack
from tutoraspects.demo_data.parallel import rendered_rows
from tutoraspects.loading import render_tsv_row, render_tsv_rows, batched, bulk_insert, post_statements

LRS_EVENTS = int(os.environ.get("BENCH_LRS_EVENTS", 20_000))
# BENCH_GENERATED_BULK=0 skips the bulk load with generation (the slow half at 10 M)
GENERATED_BULK = os.environ.get("BENCH_GENERATED_BULK", "1") != "0"
GENERATION_EVENTS = 500_000  # generation alone, no insert: in one process, then in one worker per core
BULK_EVENTS = int(os.environ.get("BENCH_EVENTS", 1_000_000))


def spec_for(events: int, seed: int) -> DemoSpec:
    """A demo instance big enough for `events` statements (4 courses per org, ~10 orgs at scale)."""
    orgs = max(2, min(10, events // 1_000_000 + 1))
    probe = DemoSpec(seed=seed, orgs=orgs, courses_per_org=4, learners=1000)
    learners = max(200, int(1000 * events / max(estimate_statement_count(probe), 1)) + 1)
    return DemoSpec(seed=seed, orgs=orgs, courses_per_org=4, learners=learners)


def insert_pregenerated(settings, events: int, folder: Path) -> tuple[int, float]:
    """ClickHouse's side alone: rows rendered to files first, then inserted (through the staging views)."""
    folder.mkdir()
    chunks = []
    statements = itertools.islice(generate_statements(spec_for(events, 12)), events)
    for n, batch in enumerate(batched(statements, 100_000)):
        path = folder / f"{n:05d}.tsv"
        path.write_bytes(render_tsv_rows(batch))
        chunks.append((path, len(batch)))
    client = connect(settings)
    started = time.monotonic()
    for path, _ in chunks:
        client.raw_insert("xapi.xapi_events_all", column_names=["event_id", "emission_time", "event"],
                          insert_block=path.read_bytes(), fmt="TabSeparated",
                          settings={"date_time_input_format": "best_effort"})
    return sum(count for _, count in chunks), time.monotonic() - started


def generation_rates() -> list[tuple[str, int, float, float]]:
    spec = spec_for(GENERATION_EVENTS, 14)
    rows = []
    for name, source in [("generation + rendering, one process",
                          (render_tsv_row(s, 0) for s in generate_statements(spec))),
                         (f"generation + rendering, {os.cpu_count()} worker processes", rendered_rows(spec))]:
        started = time.monotonic()
        count = sum(1 for _ in itertools.islice(source, GENERATION_EVENTS))
        seconds = time.monotonic() - started
        rows.append((name, count, seconds, count / seconds))
    return rows


def main() -> None:
    rows = generation_rates()
    with tempfile.TemporaryDirectory(prefix="aspects-bench-") as folder:
        stack = EmbeddedStack(folder)
        stack.prepare(echo=print, clickhouse_http=free_port(), clickhouse_tcp=free_port(), ralph=free_port())
        stack.up(echo=print)
        try:
            settings = stack.settings
            lrs = post_statements(settings, itertools.islice(generate_statements(spec_for(LRS_EVENTS, 11)), LRS_EVENTS))
            rows.append(("LRS (Ralph HTTP, batches of 500)", lrs.sent, lrs.seconds, lrs.rate))
            client = connect(settings)
            client.command("TRUNCATE TABLE xapi.xapi_events_all")
            if GENERATED_BULK:
                print(f"Generating and bulk loading {BULK_EVENTS:,} statements ...")
                done = [0]

                def progress(n: int) -> None:
                    done[0] += n
                    if done[0] % 1_000_000 < n:
                        print(f"  {done[0]:,}")

                bulk = bulk_insert(settings, itertools.islice(generate_statements(spec_for(BULK_EVENTS, 12)),
                                                              BULK_EVENTS), progress=progress)
                rows.append(("bulk (generation + JSON + insert)", bulk.sent, bulk.seconds, bulk.rate))
            # empty again: the raw table and every table the views on insert fill
            client.command("TRUNCATE TABLE xapi.xapi_events_all")
            for (table,) in client.query("SELECT name FROM system.tables WHERE database = 'reporting' "
                                         "AND engine LIKE '%MergeTree'").result_rows:
                client.command(f"TRUNCATE TABLE reporting.`{table}`")
            sent, seconds = insert_pregenerated(settings, BULK_EVENTS, Path(folder) / "chunks")
            rows.append(("bulk (pre-rendered rows, insert + every view on insert)", sent, seconds, sent / seconds))
            # Ralph checks each POSTed id against what is stored: measure it with BULK_EVENTS stored.
            lrs_full = post_statements(settings, itertools.islice(generate_statements(spec_for(LRS_EVENTS, 13)),
                                                                  LRS_EVENTS))
            rows.append((f"LRS (Ralph HTTP, batches of 500), {sent:,} stored", lrs_full.sent, lrs_full.seconds,
                         lrs_full.rate))
            started = time.monotonic()
            client.command("OPTIMIZE TABLE xapi.xapi_events_all FINAL")
            optimize = time.monotonic() - started
            stored, on_disk, raw = client.query(
                "SELECT sum(rows), sum(bytes_on_disk), sum(data_uncompressed_bytes) FROM system.parts "
                "WHERE database = 'xapi' AND table = 'xapi_events_all' AND active"
            ).result_rows[0]
        finally:
            stack.stop()

    print("\nIngest benchmark (2-core machine; figures vary with load)")
    print(f"{'path':<50} {'statements':>12} {'seconds':>9} {'statements/s':>13}")
    for name, sent, seconds, rate in rows:
        print(f"{name:<50} {sent:>12,} {seconds:>9.1f} {rate:>13,.0f}")
    print(f"\nraw table after OPTIMIZE FINAL ({optimize:.1f} s): {stored:,} rows, "
          f"{on_disk / 1e6:,.1f} MB on disk, {raw / 1e6:,.1f} MB uncompressed")
    print(f"size on disk per million statements: {on_disk / 1e6 / (stored / 1e6):,.1f} MB "
          f"(compression {raw / on_disk:.1f}x)")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the stack on SIGTERM too
    main()
