-- The running total of a track on its last day is the track's current active enrollees.
WITH last_day AS (
    SELECT org, course_key, enrollment_mode, argMax(cumulative_enrollments, enrollment_date) AS running_total
    FROM {{ ref('course_enrollments_daily') }}
    GROUP BY org, course_key, enrollment_mode
)
SELECT last_day.*, tracks.active_enrollees
FROM last_day
LEFT JOIN {{ ref('course_enrollments_by_track') }} AS tracks
    ON tracks.org = last_day.org AND tracks.course_key = last_day.course_key
   AND tracks.enrollment_mode = last_day.enrollment_mode
WHERE last_day.running_total != tracks.active_enrollees
SETTINGS join_use_nulls = 0
