-- One row per (org, course_key, actor_id, sequence) in int_course_enrollments.
SELECT org, course_key, actor_id, sequence, count() AS n
FROM {{ ref('int_course_enrollments') }}
GROUP BY org, course_key, actor_id, sequence
HAVING n > 1
