-- Completion rates are proportions and passing learners never exceed enrollments.
SELECT 'course' AS level, course_key AS key, completion_rate
FROM {{ ref('institution_course_performance') }}
WHERE completion_rate < 0 OR completion_rate > 1 OR passed_learners > enrollments
   OR active_enrollments > enrollments OR avg_course_grade < 0 OR avg_course_grade > 1
UNION ALL
SELECT 'org', org, completion_rate
FROM {{ ref('institution_org_summary') }}
WHERE completion_rate < 0 OR completion_rate > 1 OR passed_enrollments > enrollments
