-- One row per (org, course_key, grade_bucket) in course_grade_distribution.
SELECT org, course_key, grade_bucket, count() AS n
FROM {{ ref('course_grade_distribution') }}
GROUP BY org, course_key, grade_bucket
HAVING n > 1
