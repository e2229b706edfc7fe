{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.int_course_learner_grades_mv']),
    engine='MergeTree',
    order_by='(org, course_key, grade_bucket)',
) }}
-- Distribution of current course grades in 10 buckets of 10 points
-- (0-9%, 10-19%, ..., 90-100%); every bucket has a row, zeros included.
WITH
courses AS (
    SELECT DISTINCT org, course_key FROM {{ ref('int_course_learner_grades') }} WHERE has_grade
),
buckets AS (
    SELECT org, course_key, arrayJoin(range(toUInt8(10))) AS grade_bucket FROM courses
),
counts AS (
    SELECT org, course_key, grade_bucket,
           toUInt32(count()) AS learners,
           toUInt32(countIf(is_passing)) AS learners_passing
    FROM {{ ref('int_course_learner_grades') }}
    WHERE has_grade
    GROUP BY org, course_key, grade_bucket
)
SELECT
    buckets.org AS org,
    buckets.course_key AS course_key,
    buckets.grade_bucket AS grade_bucket,
    concat(toString(buckets.grade_bucket * 10), '-', if(buckets.grade_bucket = 9, '100', toString(buckets.grade_bucket * 10 + 9)), '%')
        AS grade_range,
    counts.learners AS learners,
    counts.learners_passing AS learners_passing
FROM buckets
LEFT JOIN counts
    ON counts.org = buckets.org AND counts.course_key = buckets.course_key
   AND counts.grade_bucket = buckets.grade_bucket
SETTINGS join_use_nulls = 0
