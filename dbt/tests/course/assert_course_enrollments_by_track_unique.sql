-- One row per (org, course_key, enrollment_mode) in course_enrollments_by_track.
SELECT org, course_key, enrollment_mode, count() AS n
FROM {{ ref('course_enrollments_by_track') }}
GROUP BY org, course_key, enrollment_mode
HAVING n > 1
