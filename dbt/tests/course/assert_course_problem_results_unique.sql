-- One row per (org, course_key, problem_id) in course_problem_results.
SELECT org, course_key, problem_id, count() AS n
FROM {{ ref('course_problem_results') }}
GROUP BY org, course_key, problem_id
HAVING n > 1
