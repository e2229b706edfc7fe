{{ config(
    refreshable=mart_refresh(depends_on=[target.schema ~ '.int_learner_course_state_mv']),
    engine='MergeTree',
    order_by='org',
) }}
-- Institutional dashboard, organization-level learner figures, one row per
-- org: courses, enrollments, distinct learners (a learner in two of the org's
-- courses counts once), active learners, passing and completion rate.
WITH
state AS (
    SELECT * FROM {{ ref('int_learner_course_state') }}
    WHERE enrolled_at > toDateTime64(0, 6, 'UTC')
),
catalog AS (
    SELECT org, uniqExact(course_key) AS courses
    FROM {{ ref('stg_sink_course_overviews') }}
    GROUP BY org
),
figures AS (
    SELECT
        org,
        uniqExact(course_key) AS courses_with_enrollments,
        count() AS enrollments,
        countIf(is_enrolled) AS active_enrollments,
        uniqExact(actor_id) AS learners,
        uniqExactIf(actor_id, is_enrolled) AS enrolled_learners,
        uniqExactIf(actor_id, last_visit_at >= as_of - INTERVAL 7 DAY) AS active_learners_7d,
        uniqExactIf(actor_id, last_visit_at >= as_of - INTERVAL 30 DAY) AS active_learners_30d,
        countIf(has_passed) AS passed_enrollments,
        uniqExactIf(actor_id, has_passed) AS passing_learners,
        avg(course_grade) AS avg_course_grade,
        max(as_of) AS refreshed_at
    FROM state
    GROUP BY org
)
SELECT
    figures.org AS org,
    greatest(catalog.courses, figures.courses_with_enrollments) AS courses,
    figures.courses_with_enrollments AS courses_with_enrollments,
    figures.enrollments AS enrollments,
    figures.active_enrollments AS active_enrollments,
    figures.learners AS learners,
    figures.enrolled_learners AS enrolled_learners,
    figures.active_learners_7d AS active_learners_7d,
    figures.active_learners_30d AS active_learners_30d,
    figures.passed_enrollments AS passed_enrollments,
    figures.passing_learners AS passing_learners,
    figures.passed_enrollments / figures.enrollments AS completion_rate,
    figures.avg_course_grade AS avg_course_grade,
    figures.refreshed_at AS as_of
FROM figures
LEFT JOIN catalog ON catalog.org = figures.org
SETTINGS join_use_nulls = 0
