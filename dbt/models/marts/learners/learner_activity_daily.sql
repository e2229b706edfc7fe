{{ config(
    refreshable=mart_refresh(depends_on=[target.schema ~ '.int_learner_course_state_mv']),
    engine='MergeTree',
    order_by='(org, course_key, activity_date, activity, actor_id)',
) }}
-- One row per learner, course run, day (UTC) and kind of activity (a visit
-- in the learner-state sense: unit navigation, video played or completed,
-- problem answered, forum post) with the learner's statements of that kind
-- that day. Learner groups dashboard, "At-Risk Page Engagement Over Time" and
-- "At-Risk Cumulative Interactions" (is_at_risk); course_activity_daily adds
-- it up per course, so the statements are read once for both.
WITH
learners AS ({{ learners_at_risk_flags() }}),
daily AS (
    SELECT org, course_key, actor_id, activity_date, activity,
           toUInt64(uniqExactMerge(statements)) AS interactions
    FROM {{ ref('int_learner_activity_days') }}
    WHERE course_key != ''
    GROUP BY org, course_key, actor_id, activity_date, activity
)
SELECT
    daily.org AS org,
    daily.course_key AS course_key,
    daily.actor_id AS actor_id,
    learners.username AS username,
    learners.is_at_risk AS is_at_risk,
    daily.activity_date AS activity_date,
    daily.activity AS activity,
    daily.interactions AS interactions,
    learners.as_of AS as_of
FROM daily
LEFT JOIN learners
    ON learners.org = daily.org AND learners.course_key = daily.course_key AND learners.actor_id = daily.actor_id
SETTINGS final = 1, join_use_nulls = 0
