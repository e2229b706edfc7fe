{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.int_video_intervals_mv']),
    engine='MergeTree',
    order_by='(org, course_key, video_id, actor_id)',
) }}
-- One row per learner and video played: how much of it they covered and
-- whether they watched it in full (a "completed" statement, or watched
-- stretches that together cover at least 95% of the video).
WITH
statements AS (
    SELECT org, course_key, video_id, actor_id,
           countIf(verb = 'played') AS plays,
           countIf(verb = 'completed') > 0 AS completed,
           max(video_length) AS video_length,
           minIf(emission_time, verb IN ('played', 'completed')) AS first_watched_at,
           maxIf(emission_time, verb IN ('played', 'completed')) AS last_watched_at
    FROM {{ ref('stg_video_events') }}
    GROUP BY org, course_key, video_id, actor_id
    HAVING plays > 0 OR completed
),
ordered_intervals AS (
    SELECT org, course_key, video_id, actor_id, start_position, end_position,
           -- the furthest point any earlier stretch (by start) reached
           max(end_position) OVER (PARTITION BY org, course_key, video_id, actor_id
                                   ORDER BY start_position, end_position
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reached_before
    FROM {{ ref('int_video_intervals') }}
),
coverage AS (
    SELECT org, course_key, video_id, actor_id,
           sum(greatest(end_position - greatest(start_position, reached_before), 0)) AS watched_seconds
    FROM ordered_intervals
    GROUP BY org, course_key, video_id, actor_id
)
SELECT
    statements.org AS org,
    statements.course_key AS course_key,
    statements.video_id AS video_id,
    statements.actor_id AS actor_id,
    toUInt32(statements.plays) AS plays,
    statements.video_length AS video_length,
    coverage.watched_seconds AS watched_seconds,
    statements.completed AS completed,
    statements.completed OR coverage.watched_seconds >= 0.95 * statements.video_length AS watched_full,
    statements.first_watched_at AS first_watched_at,
    statements.last_watched_at AS last_watched_at
FROM statements
LEFT JOIN coverage
    ON coverage.org = statements.org AND coverage.course_key = statements.course_key
   AND coverage.video_id = statements.video_id AND coverage.actor_id = statements.actor_id
SETTINGS final = 1, join_use_nulls = 0
