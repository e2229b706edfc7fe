{{ config(
    refreshable=mart_refresh(depends_on=[target.schema ~ '.int_learner_course_state_mv']),
    engine='MergeTree',
    order_by='(org, course_key, enrollment_mode)',
) }}
-- Operator dashboard, "Current Active Enrollments By Mode": enrollments per
-- course and current track, and how many are active (not unenrolled).
-- Sum over courses for instance or org totals.
SELECT
    org,
    course_key,
    enrollment_mode,
    count() AS enrollments,
    countIf(is_enrolled) AS active_enrollments,
    any(as_of) AS as_of
FROM {{ ref('int_learner_course_state') }}
WHERE enrolled_at > toDateTime64(0, 6, 'UTC')
GROUP BY org, course_key, enrollment_mode
