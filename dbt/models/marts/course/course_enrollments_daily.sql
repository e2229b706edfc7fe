{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.int_course_enrollments_mv']),
    engine='MergeTree',
    order_by='(org, course_key, enrollment_date, enrollment_mode)',
) }}
-- One row per course run, day and track with any enrollment change: learners
-- who joined the track (enrolled, re-enrolled or switched to it), left it
-- (unenrolled or switched away), and running totals. cumulative_enrollments
-- is the number of learners in the track at the end of the day, so the change
-- over a period is its value at the end minus its value before the start.
WITH moves AS (
    SELECT org, course_key, toDate(changed_at) AS enrollment_date, enrollment_mode,
           toInt32(1) AS change, is_first AS is_new
    FROM {{ ref('int_course_enrollments') }}
    WHERE is_active
    UNION ALL
    SELECT org, course_key, toDate(changed_at), previous_mode, toInt32(-1), false
    FROM {{ ref('int_course_enrollments') }}
    WHERE was_active
),
daily AS (
    SELECT org, course_key, enrollment_date, enrollment_mode,
           toUInt32(countIf(is_new)) AS new_enrollments,
           toUInt32(countIf(change > 0)) AS track_joins,
           toUInt32(countIf(change < 0)) AS track_leaves,
           toInt32(sum(change)) AS net_change
    FROM moves
    GROUP BY org, course_key, enrollment_date, enrollment_mode
)
SELECT
    org, course_key, enrollment_date, enrollment_mode,
    new_enrollments, track_joins, track_leaves, net_change,
    toInt64(sum(net_change) OVER track_to_date) AS cumulative_enrollments,
    toUInt64(sum(new_enrollments) OVER track_to_date) AS cumulative_new_enrollments
FROM daily
WINDOW track_to_date AS (PARTITION BY org, course_key, enrollment_mode ORDER BY enrollment_date
                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
