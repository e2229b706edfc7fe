-- One row per (org, course_key, subsection_id) in course_assignment_results.
SELECT org, course_key, subsection_id, count() AS n
FROM {{ ref('course_assignment_results') }}
GROUP BY org, course_key, subsection_id
HAVING n > 1
