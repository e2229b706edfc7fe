-- One row per (org, course_key, subsection_id) in course_subsection_engagement.
SELECT org, course_key, subsection_id, count() AS n
FROM {{ ref('course_subsection_engagement') }}
GROUP BY org, course_key, subsection_id
HAVING n > 1
