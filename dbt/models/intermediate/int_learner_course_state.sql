{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.int_page_visits_mv']),
    engine='MergeTree',
    order_by='(org, course_key, actor_id)',
) }}
-- One row per learner and course: enrollment, activity, grade, pass state.
-- A "visit" is any learner activity in the course: a page (unit) visit, a
-- video played, a problem answered, a forum post (there is no course-home
-- view event, so every visit is to a page other than the course home).
WITH
enrollment AS (
    SELECT
        org, course_key, actor_id,
        argMax(enrollment_mode, emission_time) AS enrollment_mode,
        argMax(verb, emission_time) = 'registered' AS is_enrolled,
        minIf(emission_time, verb = 'registered') AS enrolled_at
    FROM {{ ref('stg_enrollment_events') }}
    GROUP BY org, course_key, actor_id
),
engagement AS (
    SELECT
        org, course_key, actor_id,
        min(first_at) AS first_activity_at,
        max(last_at) AS last_visit_at,
        sum(pages) AS pages_visited,
        sum(videos) AS videos_viewed,
        sum(problems) AS problems_attempted,
        sum(posts) AS forum_posts
    FROM (
        SELECT org, course_key, actor_id, minMerge(first_at) AS first_at, maxMerge(last_at) AS last_at,
               toUInt64(0) AS pages,
               uniqExactMergeIf(items, activity = 'video') AS videos,
               uniqExactMergeIf(items, activity = 'problem') AS problems,
               uniqExactMergeIf(statements, activity = 'forum') AS posts
        FROM {{ ref('int_learner_activity_days') }}
        GROUP BY org, course_key, actor_id
        UNION ALL
        -- pages counted: the units int_page_visits resolved from subsection + position
        SELECT org, course_key, actor_id, min(last_visited_at), max(last_visited_at), uniqExact(unit_id), 0, 0, 0
        FROM {{ ref('int_page_visits') }}
        GROUP BY org, course_key, actor_id
    )
    GROUP BY org, course_key, actor_id
),
grades AS (
    SELECT
        org, course_key, actor_id,
        {{ latest_course_grade() }} AS course_grade,
        argMaxIf(grade_type, emission_time, grade_type IN ('passed', 'failed')) = 'passed' AS has_passed,
        max(emission_time) AS last_grade_at
    FROM {{ ref('stg_grade_events') }}
    GROUP BY org, course_key, actor_id
),
learners AS (
    SELECT org, course_key, actor_id FROM enrollment
    UNION DISTINCT
    SELECT org, course_key, actor_id FROM engagement
    UNION DISTINCT
    SELECT org, course_key, actor_id FROM grades
),
users AS (
    SELECT external_user_id, user_id, username
    FROM {{ ref('stg_sink_external_id') }}
    WHERE external_id_type = 'xapi'
)
SELECT
    learners.org AS org,
    learners.course_key AS course_key,
    learners.actor_id AS actor_id,
    users.user_id AS user_id,
    -- usernames are PII: shown only when PII is enabled (docs/access.md)
    {{ "users.username" if pii_enabled() else "''" }} AS username,
    enrollment.enrollment_mode AS enrollment_mode,
    enrollment.is_enrolled AS is_enrolled,
    enrollment.enrolled_at AS enrolled_at,
    if(engagement.actor_id = '', NULL, engagement.first_activity_at) AS first_activity_at,
    if(engagement.actor_id = '', NULL, engagement.last_visit_at) AS last_visit_at,
    greatest(coalesce(last_visit_at, toDateTime64(0, 6, 'UTC')), enrollment.enrolled_at, grades.last_grade_at) AS last_activity_at,
    engagement.pages_visited AS pages_visited,
    engagement.videos_viewed AS videos_viewed,
    engagement.problems_attempted AS problems_attempted,
    engagement.forum_posts AS forum_posts,
    grades.course_grade AS course_grade,
    grades.has_passed AS has_passed,
    (engagement.pages_visited + engagement.videos_viewed + engagement.problems_attempted + engagement.forum_posts) > 0
        AS has_engaged,
    now() AS as_of
FROM learners
LEFT JOIN enrollment USING (org, course_key, actor_id)
LEFT JOIN engagement USING (org, course_key, actor_id)
LEFT JOIN grades USING (org, course_key, actor_id)
LEFT JOIN users ON users.external_user_id = learners.actor_id
-- final: staging tables are ReplacingMergeTree, so duplicates count once
SETTINGS join_use_nulls = 0, final = 1
