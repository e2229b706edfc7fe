{{ config(
    refreshable=mart_refresh(),
    engine='MergeTree',
    order_by='(period, period_start)',
) }}
-- Operator dashboard, "Active Learners": distinct learners active on the
-- instance per day, week (from Monday) and month. Active = visited a page,
-- played a video, answered a problem or posted in the forum (the same
-- activity as int_learner_course_state's visits).
WITH
active_days AS (
    {%- for model, condition in [
        ("stg_navigation_events", "1"), ("stg_video_events", "verb IN (\x27played\x27, \x27completed\x27)"),
        ("stg_problem_events", "verb = \x27evaluated\x27"), ("stg_forum_events", "1")] %}
    SELECT DISTINCT org, course_key, actor_id, toDate(emission_time) AS day
    FROM {{ ref(model) }} FINAL
    WHERE {{ condition }}
    {{ "UNION DISTINCT" if not loop.last }}
    {%- endfor %}
)
SELECT
    period,
    period_start,
    uniqExact(actor_id) AS active_learners,
    uniqExact(course_key) AS active_courses,
    now() AS as_of
FROM active_days
ARRAY JOIN
    ['day', 'week', 'month'] AS period,
    [day, toMonday(day), toStartOfMonth(day)] AS period_start
GROUP BY period, period_start
