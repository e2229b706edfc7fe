{{ config(
    refreshable=mart_refresh(depends_on=[target.schema ~ '.int_learner_course_state_mv']),
    engine='MergeTree',
    order_by='(org, course_key, enrollment_date, enrollment_mode)',
) }}
-- Institutional and operator dashboards, enrollment trends ("Course
-- Enrollments Over Time"): learners who enrolled per course, day (of their
-- first registration) and current track; how many of them are still
-- enrolled. Weekly/monthly trends: a coarser time grain over this mart;
-- cumulative: a running sum.
SELECT
    org,
    course_key,
    toDate(enrolled_at) AS enrollment_date,
    enrollment_mode,
    count() AS enrollments,
    countIf(is_enrolled) AS still_enrolled,
    any(as_of) AS as_of
FROM {{ ref('int_learner_course_state') }}
WHERE enrolled_at > toDateTime64(0, 6, 'UTC')
GROUP BY org, course_key, enrollment_date, enrollment_mode
