{{ config(
    refreshable=mart_refresh(depends_on=[target.schema ~ '.int_learner_course_state_mv']),
    engine='MergeTree',
    order_by='(org, course_key)',
) }}
-- Institutional dashboard, course catalog performance and completion rates,
-- one row per course run: enrollments, active learners, passing learners,
-- completion rate and average grade. There is no course-completion event:
-- completing a course means passing it. Rates use the learners who ever
-- enrolled (a learner who passed and then unenrolled still completed).
WITH
state AS (
    SELECT * FROM {{ ref('int_learner_course_state') }}
    WHERE enrolled_at > toDateTime64(0, 6, 'UTC')
),
courses AS (
    SELECT course_key, display_name, lowest_passing_grade
    FROM {{ ref('stg_sink_course_overviews') }}
),
figures AS (
    SELECT
        org,
        course_key,
        count() AS enrollments,
        countIf(is_enrolled) AS active_enrollments,
        countIf(has_engaged) AS engaged_learners,
        countIf(last_visit_at >= as_of - INTERVAL 7 DAY) AS active_learners_7d,
        countIf(last_visit_at >= as_of - INTERVAL 30 DAY) AS active_learners_30d,
        countIf(has_passed) AS passed_learners,
        avg(course_grade) AS avg_course_grade,
        max(as_of) AS refreshed_at
    FROM state
    GROUP BY org, course_key
)
SELECT
    figures.org AS org,
    figures.course_key AS course_key,
    courses.display_name AS course_name,
    round(toFloat64(courses.lowest_passing_grade), 4) AS lowest_passing_grade,
    figures.enrollments AS enrollments,
    figures.active_enrollments AS active_enrollments,
    figures.engaged_learners AS engaged_learners,
    figures.active_learners_7d AS active_learners_7d,
    figures.active_learners_30d AS active_learners_30d,
    figures.passed_learners AS passed_learners,
    figures.passed_learners / figures.enrollments AS completion_rate,
    figures.avg_course_grade AS avg_course_grade,
    figures.refreshed_at AS as_of
FROM figures
LEFT JOIN courses ON courses.course_key = figures.course_key
SETTINGS join_use_nulls = 0
