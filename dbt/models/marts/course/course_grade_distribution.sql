{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.int_course_learner_grades_mv',
                                         this.schema ~ '.int_learner_course_state_mv']),
    engine='MergeTree',
    order_by='(org, course_key, grade_bucket)',
) }}
-- Distribution of current course grades in 10 buckets of 10 points
-- (0-9%, 10-19%, ..., 90-100%), and bucket 10, "No grade yet": enrolled
-- learners with no course grade (not graded 0). Every bucket has a row.
WITH
ungraded AS (
    SELECT org, course_key, toUInt32(countIf(is_enrolled AND course_grade IS NULL)) AS learners
    FROM {{ ref('int_learner_course_state') }}
    GROUP BY org, course_key
),
courses AS (
    SELECT DISTINCT org, course_key FROM {{ ref('int_course_learner_grades') }} WHERE has_grade
    UNION DISTINCT
    SELECT org, course_key FROM ungraded WHERE learners > 0
),
buckets AS (
    SELECT org, course_key, arrayJoin(range(toUInt8(11))) AS grade_bucket FROM courses
),
counts AS (
    SELECT org, course_key, assumeNotNull(grade_bucket) AS grade_bucket,
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
    multiIf(buckets.grade_bucket = 10, 'No grade yet',
            buckets.grade_bucket = 9, '90-100%',
            concat(toString(buckets.grade_bucket * 10), '-', toString(buckets.grade_bucket * 10 + 9), '%'))
        AS grade_range,
    if(buckets.grade_bucket = 10, ungraded.learners, counts.learners) AS learners,
    counts.learners_passing AS learners_passing
FROM buckets
LEFT JOIN counts
    ON counts.org = buckets.org AND counts.course_key = buckets.course_key
   AND counts.grade_bucket = buckets.grade_bucket
LEFT JOIN ungraded ON ungraded.org = buckets.org AND ungraded.course_key = buckets.course_key
SETTINGS join_use_nulls = 0
