-- One row per (org, course_key, location) in int_course_blocks.
SELECT org, course_key, location, count() AS n
FROM {{ ref('int_course_blocks') }}
GROUP BY org, course_key, location
HAVING n > 1
