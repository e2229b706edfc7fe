{{ config(
    refreshable=mart_refresh(),
    engine='MergeTree',
    order_by='(day, event_family)',
) }}
-- Operator dashboard, data quality: statements that parsed but lack what the
-- marts need are kept (in the raw and staging tables) and counted here, per
-- day and verb family: no course key (or one that is not course-v1:ORG+NUM+RUN),
-- no actor, no object block (videos, problems, block completion). Family
-- 'unsupported' counts stored statements no staging model takes (other verbs,
-- 'attempted'/'evaluated' on non-problem blocks).
WITH
staged AS (
    {%- for family, model, object_column in [
        ('enrollment', 'stg_enrollment_events', none), ('navigation', 'stg_navigation_events', none),
        ('video', 'stg_video_events', 'video_id'), ('problem', 'stg_problem_events', 'problem_id'),
        ('grade', 'stg_grade_events', none), ('forum', 'stg_forum_events', none),
        ('completion', 'stg_completion_events', 'block_id')] %}
    SELECT
        toDate(emission_time) AS day,
        '{{ family }}' AS event_family,
        count() AS statements,
        countIf(NOT match(course_key, '^course-v1:[^+]+[+][^+]+[+][^+]+$')) AS missing_course_key,
        countIf(actor_id = '') AS missing_actor,
        {{ "countIf(" ~ object_column ~ " = '')" if object_column else "toUInt64(0)" }} AS missing_object
    FROM {{ ref(model) }} FINAL
    GROUP BY day
    {{ "UNION ALL" if not loop.last }}
    {%- endfor %}
),
raw AS (
    SELECT toDate(emission_time) AS day, count() AS statements
    FROM {{ source('xapi', 'xapi_events_all') }} FINAL
    GROUP BY day
),
unsupported AS (
    SELECT raw.day AS day, 'unsupported' AS event_family,
           toUInt64(raw.statements - coalesce(s.statements, 0)) AS statements,
           toUInt64(0) AS missing_course_key, toUInt64(0) AS missing_actor, toUInt64(0) AS missing_object
    FROM raw
    LEFT JOIN (SELECT day, sum(statements) AS statements FROM staged GROUP BY day) AS s ON s.day = raw.day
    WHERE raw.statements > coalesce(s.statements, 0)
)
SELECT
    day, event_family, statements, missing_course_key, missing_actor, missing_object,
    now() AS as_of
FROM (
    SELECT * FROM staged
    UNION ALL
    SELECT * FROM unsupported
)
SETTINGS join_use_nulls = 1
