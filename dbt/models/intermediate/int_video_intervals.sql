{{ config(
    refreshable=mart_refresh(),
    engine='MergeTree',
    order_by='(org, course_key, video_id, actor_id, started_at)',
) }}
-- One row per stretch of video a learner watched: from a "played" statement
-- to the learner's next statement on the same video when that one is a
-- pause, stop or completion (its video time) or a seek (the time it left).
-- Positions are seconds along the video, clamped to its length.
WITH events AS (
    SELECT
        org, course_key, video_id, actor_id, emission_time, verb, video_time, video_length,
        leadInFrame(verb) OVER w AS next_verb,
        leadInFrame(if(verb = 'seeked', video_time_from, video_time)) OVER w AS next_time
    FROM {{ ref('stg_video_events') }}
    WINDOW w AS (PARTITION BY org, course_key, video_id, actor_id ORDER BY emission_time, event_id
                 ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING)
)
SELECT
    org, course_key, video_id, actor_id,
    emission_time AS started_at,
    video_length,
    greatest(video_time, 0) AS start_position,
    least(next_time, video_length) AS end_position,
    next_verb AS ended_by
FROM events
WHERE verb = 'played'
  AND next_verb IN ('paused', 'terminated', 'completed', 'seeked')
  AND video_length > 0
  AND least(next_time, video_length) > greatest(video_time, 0)
SETTINGS final = 1
