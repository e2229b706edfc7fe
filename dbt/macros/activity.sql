{#- The statements that make a learner active in a course (a "visit"): unit
    navigation (item: the block named; links clicked do not count), a video
    played or completed, a problem answered (server evaluation of the problem),
    a forum post. One definition for the learner
    state, the daily course activity and the active-learner counts. Read with
    SETTINGS final = 1 so a re-sent statement counts once. -#}
{% macro activity_statements() -%}
    SELECT org, course_key, actor_id, emission_time, 'page' AS activity, block_id AS item
    FROM {{ ref('stg_navigation_events') }}
    WHERE navigation != 'other'
    UNION ALL
    SELECT org, course_key, actor_id, emission_time, 'video', video_id
    FROM {{ ref('stg_video_events') }}
    WHERE verb IN ('played', 'completed')
    UNION ALL
    SELECT org, course_key, actor_id, emission_time, 'problem', problem_id
    FROM {{ ref('stg_problem_events') }}
    WHERE is_answer
    UNION ALL
    SELECT org, course_key, actor_id, emission_time, 'forum', post_id
    FROM {{ ref('stg_forum_events') }}
{%- endmacro %}


{#- Distinct learners (and courses) active per day, week (from Monday) and
    month, instance-wide or per org (by_org): the whole query of
    instance_active_learners and institution_active_learners. -#}
{% macro active_learners_per_period(by_org=false) -%}
{%- set org = 'org, ' if by_org else '' -%}
WITH active_days AS (
    SELECT DISTINCT org, course_key, actor_id, toDate(emission_time) AS day
    FROM ({{ activity_statements() }})
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
SETTINGS final = 1
{%- endmacro %}
