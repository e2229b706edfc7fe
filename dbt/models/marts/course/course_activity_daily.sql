{{ config(
    refreshable=mart_refresh(),
    engine='MergeTree',
    order_by='(org, course_key, activity_date, activity)',
) }}
-- One row per course run, day (UTC) and kind of activity: learners active
-- that way that day and the statements they sent. Course dashboard, "Page
-- Engagement Over Time" and "Cumulative Interactions"; read from staging
-- (duplicates count once), statements without a course are left out.
WITH activity AS (
    SELECT org, course_key, actor_id, toDate(emission_time) AS activity_date, 'page' AS activity
    FROM {{ ref('stg_navigation_events') }}
    UNION ALL
    SELECT org, course_key, actor_id, toDate(emission_time), 'video'
    FROM {{ ref('stg_video_events') }}
    UNION ALL
    SELECT org, course_key, actor_id, toDate(emission_time), 'problem'
    FROM {{ ref('stg_problem_events') }}
    UNION ALL
    SELECT org, course_key, actor_id, toDate(emission_time), 'forum'
    FROM {{ ref('stg_forum_events') }}
)
SELECT
    org, course_key, activity_date, activity,
    toUInt32(uniqExact(actor_id)) AS learners,
    toUInt64(count()) AS interactions
FROM activity
WHERE course_key != ''
GROUP BY org, course_key, activity_date, activity
SETTINGS final = 1
