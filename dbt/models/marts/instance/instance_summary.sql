{{ config(
    refreshable=mart_refresh(depends_on=[target.schema ~ '.int_learner_course_state_mv']),
    engine='MergeTree',
    order_by='as_of',
) }}
-- Operator dashboard headline figures (one row): courses, organizations,
-- currently enrolled users (distinct learners with an active enrollment),
-- enrollments, and distinct learners active in the last day, 7 and 30 days
-- before the refresh (not additive across courses, hence computed here).
WITH
state AS (
    SELECT * FROM {{ ref('int_learner_course_state') }}
),
catalog AS (
    SELECT org, course_key FROM {{ ref('stg_sink_course_overviews') }}
    UNION DISTINCT
    SELECT org, course_key FROM state
),
figures AS (
    SELECT
        countIf(enrolled_at > toDateTime64(0, 6, 'UTC')) AS enrollments,
        countIf(is_enrolled) AS active_enrollments,
        uniqExactIf(actor_id, is_enrolled) AS enrolled_users,
        uniqExact(actor_id) AS learners,
        uniqExactIf(actor_id, last_visit_at >= as_of - INTERVAL 1 DAY) AS active_learners_1d,
        uniqExactIf(actor_id, last_visit_at >= as_of - INTERVAL 7 DAY) AS active_learners_7d,
        uniqExactIf(actor_id, last_visit_at >= as_of - INTERVAL 30 DAY) AS active_learners_30d,
        uniqExactIf(course_key, last_visit_at >= as_of - INTERVAL 7 DAY) AS active_courses_7d,
        uniqExactIf(course_key, last_visit_at >= as_of - INTERVAL 30 DAY) AS active_courses_30d,
        coalesce(max(as_of), now()) AS refreshed_at
    FROM state
)
SELECT
    (SELECT uniqExact(course_key) FROM catalog) AS courses,
    (SELECT uniqExact(org) FROM catalog) AS organizations,
    enrollments, active_enrollments, enrolled_users, learners,
    active_learners_1d, active_learners_7d, active_learners_30d,
    active_courses_7d, active_courses_30d,
    refreshed_at AS as_of
FROM figures
