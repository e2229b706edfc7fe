-- One row per (org, course_key, actor_id) in int_course_learner_grades.
SELECT org, course_key, actor_id, count() AS n
FROM {{ ref('int_course_learner_grades') }}
GROUP BY org, course_key, actor_id
HAVING n > 1
