{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.int_course_enrollments_mv',
                                         this.schema ~ '.int_learner_course_state_mv']),
    engine='MergeTree',
    order_by='(org, course_key)',
) }}
-- One row per course run: learners enrolled to date, currently enrolled,
-- unenrolled; enrolled learners active in the last 7 days (a visit, as the
-- at-risk group counts them) and their median course grade.
WITH
learners AS (
    SELECT org, course_key, actor_id,
           argMax(is_active, sequence) AS is_active,
           min(changed_at) AS first_enrolled_at
    FROM {{ ref('int_course_enrollments') }}
    GROUP BY org, course_key, actor_id
),
courses AS (
    SELECT org, course_key, display_name
    FROM {{ ref('stg_sink_course_overviews') }}
),
states AS (
    SELECT org, course_key,
           toUInt32(countIf(is_enrolled AND last_visit_at >= as_of - INTERVAL 7 DAY)) AS active_last_7_days,
           {{ median_course_grade('course_grade', 'is_enrolled') }} AS median_grade
    FROM {{ ref('int_learner_course_state') }}
    GROUP BY org, course_key
)
SELECT
    learners.org AS org,
    learners.course_key AS course_key,
    any(courses.display_name) AS course_name,
    toUInt32(count()) AS total_enrollees,
    toUInt32(countIf(learners.is_active)) AS active_enrollees,
    toUInt32(countIf(NOT learners.is_active)) AS unenrolled,
    round(100 * countIf(learners.is_active) / count(), 2) AS active_pct,
    min(learners.first_enrolled_at) AS first_enrollment_at,
    max(learners.first_enrolled_at) AS last_enrollment_at,
    any(states.active_last_7_days) AS active_last_7_days,
    any(states.median_grade) AS median_grade
FROM learners
LEFT JOIN courses ON courses.org = learners.org AND courses.course_key = learners.course_key
LEFT JOIN states ON states.org = learners.org AND states.course_key = learners.course_key
GROUP BY org, course_key
SETTINGS final = 1, join_use_nulls = 0
