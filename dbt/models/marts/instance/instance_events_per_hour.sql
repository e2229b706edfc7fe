{{ config(
    refreshable=mart_refresh(),
    engine='MergeTree',
    order_by='(org, hour, event_family)',
) }}
-- Operator dashboard, "Event Activity": statements per hour over the 30 days
-- before the refresh (as_of), by org and verb family, from the staging tables
-- (duplicates count once). Statements without a course are counted under org ''.
WITH now() AS refreshed_at
SELECT
    org,
    toStartOfHour(emission_time) AS hour,
    event_family,
    count() AS events,
    uniqExact(actor_id) AS actors,
    refreshed_at AS as_of
FROM (
    {%- for family, model in [
        ('enrollment', 'stg_enrollment_events'), ('navigation', 'stg_navigation_events'),
        ('video', 'stg_video_events'), ('problem', 'stg_problem_events'), ('grade', 'stg_grade_events'),
        ('forum', 'stg_forum_events'), ('completion', 'stg_completion_events')] %}
    SELECT org, actor_id, emission_time, '{{ family }}' AS event_family
    FROM {{ ref(model) }} FINAL
    WHERE emission_time >= toStartOfHour(refreshed_at - INTERVAL 30 DAY)
    {{ "UNION ALL" if not loop.last }}
    {%- endfor %}
)
GROUP BY org, hour, event_family
