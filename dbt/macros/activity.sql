{#- The statements that make a learner active in a course (a "visit"): unit
    navigation (item: the block named; links clicked do not count), a video
    played or completed, a problem answered (server evaluation of the problem),
    a forum post. One definition for the learner state, the daily activity and
    the active-learner counts: each source is a staging model, its kind of
    activity, the column naming the item and the statements that count. -#}
{% macro activity_sources() -%}
    {{ return([
        {"model": "stg_navigation_events", "activity": "page", "item": "block_id", "where": "navigation != 'other'"},
        {"model": "stg_video_events", "activity": "video", "item": "video_id", "where": "verb IN ('played', 'completed')"},
        {"model": "stg_problem_events", "activity": "problem", "item": "problem_id", "where": "is_answer"},
        {"model": "stg_forum_events", "activity": "forum", "item": "post_id", "where": "true"},
    ]) }}
{%- endmacro %}


{#- Distinct learners (and courses) active per day, week (from Monday) and
    month, instance-wide or per org (by_org): the whole query of
    instance_active_learners and institution_active_learners. -#}
{% macro active_learners_per_period(by_org=false) -%}
{%- set org = 'org, ' if by_org else '' -%}
WITH active_days AS (
    SELECT DISTINCT org, course_key, actor_id, activity_date AS day
    FROM {{ ref('int_learner_activity_days') }}
)
SELECT
    {{ org }}period,
    period_start,
    uniqExact(actor_id) AS active_learners,
    uniqExact(course_key) AS active_courses,
    now() AS as_of
FROM active_days
ARRAY JOIN
    ['day', 'week', 'month'] AS period,
    [day, toMonday(day), toStartOfMonth(day)] AS period_start
GROUP BY {{ org }}period, period_start
{%- endmacro %}
