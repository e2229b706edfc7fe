{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.int_course_enrollments_mv']),
    engine='MergeTree',
    order_by='(org, course_key, enrollment_mode)',
) }}
-- One row per course run and enrollment track (the learner's current track).
WITH learners AS (
    SELECT org, course_key, actor_id,
           argMax(is_active, sequence) AS is_active,
           argMax(enrollment_mode, sequence) AS enrollment_mode
    FROM {{ ref('int_course_enrollments') }}
    GROUP BY org, course_key, actor_id
)
SELECT
    org,
    course_key,
    enrollment_mode,
    toUInt32(count()) AS enrollees,
    toUInt32(countIf(is_active)) AS active_enrollees,
    round(100 * count() / sum(count()) OVER (PARTITION BY org, course_key), 2) AS pct_of_total_enrollees,
    round(100 * if(sum(countIf(is_active)) OVER (PARTITION BY org, course_key) = 0, 0,
                   countIf(is_active) / sum(countIf(is_active)) OVER (PARTITION BY org, course_key)), 2)
        AS pct_of_active_enrollees
FROM learners
GROUP BY org, course_key, enrollment_mode
