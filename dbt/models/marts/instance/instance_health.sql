{{ config(
    refreshable=mart_refresh(),
    engine='MergeTree',
    order_by='as_of',
) }}
{#- Ingestion lag needs the time each statement was stored: used when the raw
    table has an inserted_at column, NULL otherwise. -#}
{%- set has_inserted_at = false %}
{%- if execute %}
{%- set raw_columns = adapter.get_columns_in_relation(source('xapi', 'xapi_events_all')) | map(attribute='name') | list %}
{%- set has_inserted_at = 'inserted_at' in raw_columns %}
{%- endif %}
-- Operator dashboard, instance health (one row): last received event, how
-- long ago it was emitted, statements in the last hour and day, ingestion
-- lag, last course synchronization. Reads only the raw table's sorting key.
WITH
now() AS refreshed_at,
raw_recent AS (
    SELECT
        count() AS events_last_24h,
        countIf(emission_time >= refreshed_at - INTERVAL 1 HOUR) AS events_last_hour
{%- if has_inserted_at %},
        quantileIf(0.5)(dateDiff('millisecond', emission_time, inserted_at) / 1000, emission_time >= refreshed_at - INTERVAL 1 HOUR) AS ingestion_lag_p50_seconds,
        quantileIf(0.95)(dateDiff('millisecond', emission_time, inserted_at) / 1000, emission_time >= refreshed_at - INTERVAL 1 HOUR) AS ingestion_lag_p95_seconds
{%- endif %}
    FROM {{ source('xapi', 'xapi_events_all') }} FINAL
    WHERE emission_time >= refreshed_at - INTERVAL 1 DAY
),
raw_last AS (
    SELECT max(emission_time) AS last_event_time, count() AS total_rows_unmerged
    FROM {{ source('xapi', 'xapi_events_all') }}
),
sync AS (
    SELECT max(time_last_dumped) AS last_course_sync_at, uniqExact(course_key) AS courses_synced
    FROM {{ source('event_sink', 'course_overviews') }}
)
SELECT
    refreshed_at AS as_of,
    if(raw_last.total_rows_unmerged = 0, NULL, raw_last.last_event_time) AS last_event_time,
    if(raw_last.total_rows_unmerged = 0, NULL,
       dateDiff('second', raw_last.last_event_time, refreshed_at)) AS seconds_since_last_event,
    raw_recent.events_last_hour AS events_last_hour,
    raw_recent.events_last_24h AS events_last_24h,
{%- if has_inserted_at %}
    toNullable(raw_recent.ingestion_lag_p50_seconds) AS ingestion_lag_p50_seconds,
    toNullable(raw_recent.ingestion_lag_p95_seconds) AS ingestion_lag_p95_seconds,
{%- else %}
    CAST(NULL AS Nullable(Float64)) AS ingestion_lag_p50_seconds,
    CAST(NULL AS Nullable(Float64)) AS ingestion_lag_p95_seconds,
{%- endif %}
    if(sync.courses_synced = 0, NULL, sync.last_course_sync_at) AS last_course_sync_at,
    sync.courses_synced AS courses_synced
FROM raw_recent, raw_last, sync
