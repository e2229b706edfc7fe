-- One row per (org, course_key, actor_id, unit_id) in int_page_visits.
SELECT org, course_key, actor_id, unit_id, count() AS n
FROM {{ ref('int_page_visits') }}
GROUP BY org, course_key, actor_id, unit_id
HAVING n > 1
