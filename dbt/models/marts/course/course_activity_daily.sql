{{ config(
    refreshable=mart_refresh(),
    engine='MergeTree',
    order_by='(org, course_key, activity_date, activity)',
) }}
-- One row per course run, day (UTC) and kind of activity: learners active
-- that way that day and their activity statements (the learner-state
-- definition of a visit: unit navigation, video played or completed, problem
-- answered, forum post). Course dashboard, "Page Engagement Over Time" and
-- "Cumulative Interactions"; statements without a course are left out.
WITH activity AS ({{ activity_statements() }})
SELECT
    org, course_key, toDate(emission_time) AS activity_date, activity,
    toUInt32(uniqExact(actor_id)) AS learners,
    toUInt64(count()) AS interactions
FROM activity
WHERE course_key != ''
GROUP BY org, course_key, activity_date, activity
SETTINGS final = 1
