{{ config(
    refreshable=mart_refresh(),
    engine='MergeTree',
    order_by='(org, course_key, actor_id)',
) }}
-- One row per learner with a course grade or a pass/fail outcome: the latest
-- course grade (earned, the course as object, 0-1; NULL: no grade yet), whether it is at or above
-- the course's lowest passing grade, and whether a "passed" was ever sent.
WITH
grades AS (
    SELECT
        org, course_key, actor_id,
        countIf(grade_type = 'course') > 0 AS has_grade,
        {{ latest_course_grade() }} AS course_grade,
        maxIf(emission_time, grade_type = 'course') AS graded_at,
        countIf(grade_type = 'passed') > 0 AS has_passed
    FROM {{ ref('stg_grade_events') }}
    WHERE grade_type IN ('course', 'passed', 'failed')
    GROUP BY org, course_key, actor_id
),
courses AS (
    SELECT org, course_key,
           -- compared at 1e-6: grades are floats (0.55 may arrive as 0.55000001)
           round(toFloat64(lowest_passing_grade), 6) AS lowest_passing_grade
    FROM {{ ref('stg_sink_course_overviews') }}
)
SELECT
    grades.org AS org,
    grades.course_key AS course_key,
    grades.actor_id AS actor_id,
    grades.has_grade AS has_grade,
    grades.course_grade AS course_grade,
    if(grades.has_grade, grades.graded_at, NULL) AS graded_at,
    if(grades.has_grade, toUInt8(least(intDiv(toUInt32(round(coalesce(grades.course_grade, 0) * 100)), 10), 9)), NULL)
        AS grade_bucket,
    courses.lowest_passing_grade AS lowest_passing_grade,
    grades.has_grade AND courses.course_key != ''
        AND round(coalesce(grades.course_grade, 0), 6) >= courses.lowest_passing_grade AS is_passing,
    grades.has_passed AS has_passed
FROM grades
LEFT JOIN courses ON courses.org = grades.org AND courses.course_key = grades.course_key
SETTINGS final = 1, join_use_nulls = 0
