{{ config(
    refreshable=mart_refresh(),
    engine='MergeTree',
    order_by='as_of',
) }}
-- Operator dashboard, instance health (one row): last received event, how
-- long ago it was emitted, statements in the last hour and day, ingestion
-- lag, last course synchronization. Reads only the raw table's sorting key.
WITH
now() AS refreshed_at,
raw_recent AS (
    SELECT
        count() AS events_last_24h,
        countIf(emission_time >= refreshed_at - INTERVAL 1 HOUR) AS events_last_hour,
        -- ingestion lag: from the statement's timestamp to its storage (inserted_at)
        quantileIf(0.5)(dateDiff('millisecond', emission_time, inserted_at) / 1000, emission_time >= refreshed_at - INTERVAL 1 HOUR) AS ingestion_lag_p50_seconds,
        quantileIf(0.95)(dateDiff('millisecond', emission_time, inserted_at) / 1000, emission_time >= refreshed_at - INTERVAL 1 HOUR) AS ingestion_lag_p95_seconds
    FROM {{ source('xapi', 'xapi_events_all') }} FINAL
    WHERE emission_time >= refreshed_at - INTERVAL 1 DAY
),
raw_last AS (
    SELECT max(emission_time) AS last_event_time, count() AS total_rows_unmerged
    FROM {{ source('xapi', 'xapi_events_all') }}
),
sync AS (
    SELECT max(time_last_dumped) AS last_course_sync_at, uniqExact(course_key) AS courses_synced
    FROM {{ ref('stg_sink_course_overviews') }}
)
SELECT
    refreshed_at AS as_of,
    if(raw_last.total_rows_unmerged = 0, NULL, raw_last.last_event_time) AS last_event_time,
    if(raw_last.total_rows_unmerged = 0, NULL,
       dateDiff('second', raw_last.last_event_time, refreshed_at)) AS seconds_since_last_event,
    raw_recent.events_last_hour AS events_last_hour,
    raw_recent.events_last_24h AS events_last_24h,
    if(raw_recent.events_last_hour = 0, NULL, raw_recent.ingestion_lag_p50_seconds) AS ingestion_lag_p50_seconds,
    if(raw_recent.events_last_hour = 0, NULL, raw_recent.ingestion_lag_p95_seconds) AS ingestion_lag_p95_seconds,
    if(sync.courses_synced = 0, NULL, sync.last_course_sync_at) AS last_course_sync_at,
    sync.courses_synced AS courses_synced
FROM raw_recent, raw_last, sync
