"""Entry point of the embedded ClickHouse server process.

`python -m tutoraspects.embedded.clickhouse_process CONFIG_DIR DATA_DIR`

The chdb-core wheel holds the upstream clickhouse-local. Opened with a
config.xml, it can start the real HTTP and native TCP handlers; a query that
never ends keeps the process (and so the server) alive until it is signalled.
Only one such call can be made per process, so the server gets its own.
"""

import os
import sys
import tempfile

KEEP_ALIVE = (
    "SELECT number FROM numbers(100000000) WHERE sleepEachRow(1) "
    "SETTINGS max_block_size=1, function_sleep_max_microseconds_per_block=0, max_execution_time=0"
)


def main() -> None:
    config_dir, data_dir = sys.argv[1], sys.argv[2]
    # Importing chdb opens a throw-away session that would read config.xml in
    # the working folder (and fail on its users): import it from an empty one.
    os.chdir(tempfile.mkdtemp(prefix="chdb-import-"))
    import chdb._chdb as chdb_engine  # noqa: PLC0415

    os.chdir(config_dir)
    print("ClickHouse server starting", flush=True)
    chdb_engine.query(
        f"SYSTEM START LISTEN HTTP; SYSTEM START LISTEN TCP; {KEEP_ALIVE}",
        "TabSeparated",
        path=data_dir,
    )


if __name__ == "__main__":
    main()
