{{ config(
    refreshable=mart_refresh(depends_on=[target.schema ~ '.learner_activity_daily_mv']),
    engine='MergeTree',
    order_by='(org, course_key, activity_date, activity)',
) }}
-- One row per course run, day (UTC) and kind of activity: learners active
-- that way that day and their activity statements (the learner-state
-- definition of a visit: unit navigation, video played or completed, problem
-- answered, forum post). Course dashboard, "Page Engagement Over Time" and
-- "Cumulative Interactions"; statements without a course are left out.
-- Added up from learner_activity_daily (one row per learner and day).
SELECT
    org, course_key, activity_date, activity,
    toUInt32(uniqExact(actor_id)) AS learners,
    toUInt64(sum(interactions)) AS interactions
FROM {{ ref('learner_activity_daily') }}
GROUP BY org, course_key, activity_date, activity
