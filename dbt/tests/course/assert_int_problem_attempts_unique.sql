-- One row per (org, course_key, problem_id, actor_id) in int_problem_attempts.
SELECT org, course_key, problem_id, actor_id, count() AS n
FROM {{ ref('int_problem_attempts') }}
GROUP BY org, course_key, problem_id, actor_id
HAVING n > 1
