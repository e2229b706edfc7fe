{{ config(
    refreshable=mart_refresh(depends_on=[target.schema ~ '.int_learner_course_state_mv']),
    engine='MergeTree',
    order_by='(org, course_key)',
) }}
-- Operator dashboard, "Courses", "Courses Per Organization", "Active Courses",
-- "Last course synchronized": one row per course run known from the course
-- catalog (event sink) or from learner activity, with its last
-- synchronization and last learner activity. A course is active when a
-- learner visited it in the 7 days before the refresh.
WITH
catalog AS (
    SELECT org, course_key, display_name, course_start, course_end, self_paced,
           time_last_dumped AS last_synced_at
    FROM {{ ref('stg_sink_course_overviews') }}
),
activity AS (
    SELECT org, course_key,
           countIf(enrolled_at > toDateTime64(0, 6, 'UTC')) AS enrollments,
           countIf(is_enrolled) AS active_enrollments,
           max(last_visit_at) AS last_visit_at,
           max(as_of) AS as_of
    FROM {{ ref('int_learner_course_state') }}
    GROUP BY org, course_key
),
keys AS (
    SELECT org, course_key FROM catalog
    UNION DISTINCT
    SELECT org, course_key FROM activity
)
SELECT
    keys.org AS org,
    keys.course_key AS course_key,
    catalog.display_name AS course_name,
    catalog.course_key != '' AS in_catalog,
    catalog.course_start AS course_start,
    catalog.course_end AS course_end,
    catalog.self_paced AS self_paced,
    if(catalog.course_key = '', NULL, catalog.last_synced_at) AS last_synced_at,
    activity.enrollments AS enrollments,
    activity.active_enrollments AS active_enrollments,
    activity.last_visit_at AS last_visit_at,
    coalesce(activity.last_visit_at >= refreshed_at - INTERVAL 7 DAY, false) AS is_active_7d,
    coalesce(activity.last_visit_at >= refreshed_at - INTERVAL 30 DAY, false) AS is_active_30d,
    refreshed_at AS as_of
FROM keys
LEFT JOIN catalog ON catalog.org = keys.org AND catalog.course_key = keys.course_key
LEFT JOIN activity ON activity.org = keys.org AND activity.course_key = keys.course_key
CROSS JOIN (SELECT coalesce(max(as_of), now()) AS refreshed_at FROM {{ ref('int_learner_course_state') }}) AS r
SETTINGS join_use_nulls = 0
