-- One row per (org, course_key) in course_enrollment_summary.
SELECT org, course_key, count() AS n
FROM {{ ref('course_enrollment_summary') }}
GROUP BY org, course_key
HAVING n > 1
