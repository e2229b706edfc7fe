{{ config(
    refreshable=mart_refresh(),
    engine='MergeTree',
    order_by='table_name',
) }}
-- Operator dashboard, data quality: event-sink rows ClickHouse skipped as bad
-- (platform-plugin-aspects's inserts allow one bad row in ten and still get
-- HTTP 200). Counted tables: the newest aspects-check-sink row of each.
-- Course blocks: each publish numbers its blocks 1..N, so a gap in the newest
-- dump of a course is a block lost.
WITH
counted AS (
    SELECT
        table_name,
        argMax(checks.source_rows, checks.checked_at) AS expected_rows,
        argMax(checks.stored_rows, checks.checked_at) AS stored_rows,
        max(checks.checked_at) AS checked_at
    FROM {{ source('event_sink', 'sink_checks') }} AS checks
    WHERE table_name != 'course_blocks'
    GROUP BY table_name
),
blocks AS (
    SELECT
        'course_blocks' AS table_name,
        sum(numbered) AS expected_rows,
        sum(stored) AS stored_rows,
        max(published_at) AS checked_at
    FROM (
        SELECT course_key, toUInt64(max(display_order)) AS numbered, count() AS stored,
               max(time_last_dumped) AS published_at
        FROM {{ ref('stg_sink_course_blocks') }}
        GROUP BY course_key
    )
    HAVING count() > 0
)
SELECT
    table_name,
    expected_rows,
    stored_rows,
    toUInt64(greatest(toInt64(expected_rows) - toInt64(stored_rows), 0)) AS missing_rows,
    checked_at,
    now() AS as_of
FROM (
    SELECT * FROM counted
    UNION ALL
    SELECT * FROM blocks
)
