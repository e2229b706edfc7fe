-- What the event-sink check found: platform-plugin-aspects asks ClickHouse to
-- skip bad rows (up to one in ten) and gets HTTP 200, so a dropped row is
-- seen only by counting. `tutor local do aspects-check-sink` counts each
-- sink's rows in the LMS database and here, and appends one row per table.
-- Written by the sink user (the LMS); the operator dashboard reads the newest
-- check of each table (reporting.instance_event_sink_health).
CREATE TABLE IF NOT EXISTS ${EVENT_SINK_DATABASE}.sink_checks ${ON_CLUSTER}
(
    checked_at DateTime64(6, 'UTC'),
    table_name LowCardinality(String) COMMENT 'event_sink table checked',
    source_rows UInt64 COMMENT 'rows the LMS database holds (the sink''s queryset)',
    stored_rows UInt64 COMMENT 'distinct keys stored in the event_sink table'
)
ENGINE = ${REPLICATED}MergeTree
ORDER BY (table_name, checked_at)
TTL toDateTime(checked_at) + INTERVAL 90 DAY
COMMENT 'event-sink row counts, LMS vs ClickHouse, one row per table and check';
