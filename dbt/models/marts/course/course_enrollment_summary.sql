{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.int_course_enrollments_mv']),
    engine='MergeTree',
    order_by='(org, course_key)',
) }}
-- One row per course run: learners enrolled to date, currently enrolled, unenrolled.
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
    max(learners.first_enrolled_at) AS last_enrollment_at
FROM learners
LEFT JOIN courses ON courses.org = learners.org AND courses.course_key = learners.course_key
GROUP BY org, course_key
SETTINGS final = 1, join_use_nulls = 0
