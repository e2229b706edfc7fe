-- One row per (org, course_key, enrollment_date, enrollment_mode) in course_enrollments_daily.
SELECT org, course_key, enrollment_date, enrollment_mode, count() AS n
FROM {{ ref('course_enrollments_daily') }}
GROUP BY org, course_key, enrollment_date, enrollment_mode
HAVING n > 1
