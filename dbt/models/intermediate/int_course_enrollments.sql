{{ config(
    refreshable=mart_refresh(),
    engine='MergeTree',
    order_by='(org, course_key, actor_id, changed_at)',
) }}
-- One row per enrollment statement of a learner, with the state before and
-- after it: a registered statement enrolls (or changes the track), an
-- unregistered one unenrolls. A learner leaves their previous track and
-- joins the new one; the daily mart sums these moves per track.
WITH events AS (
    SELECT
        org, course_key, actor_id, emission_time, event_id,
        verb = 'registered' AS is_active,
        enrollment_mode,
        lagInFrame(verb = 'registered') OVER w AS was_active,
        lagInFrame(enrollment_mode) OVER w AS previous_mode,
        row_number() OVER w AS sequence
    FROM {{ ref('stg_enrollment_events') }}
    WINDOW w AS (PARTITION BY org, course_key, actor_id ORDER BY emission_time, event_id
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT
    org, course_key, actor_id,
    emission_time AS changed_at,
    toUInt32(sequence) AS sequence,
    sequence = 1 AS is_first,
    is_active,
    enrollment_mode,
    sequence > 1 AND was_active AS was_active,
    if(sequence > 1, previous_mode, '') AS previous_mode
FROM events
SETTINGS final = 1
