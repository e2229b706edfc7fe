-- One row per (org, course_key, section_id) in course_section_engagement.
SELECT org, course_key, section_id, count() AS n
FROM {{ ref('course_section_engagement') }}
GROUP BY org, course_key, section_id
HAVING n > 1
