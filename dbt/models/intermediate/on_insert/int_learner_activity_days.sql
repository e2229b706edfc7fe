{{ config(
    engine='AggregatingMergeTree',
    order_by='(org, course_key, activity_date, activity, actor_id)',
) }}
-- Kept current on insert: one row per learner, course run, day (UTC) and kind
-- of activity (activity_sources(): page, video, problem, forum) with the
-- statements (their ids), the items and the first and last statement time, as
-- aggregate states. One materialized view per staging model adds each
-- inserted block; merges add rows of the same key up. Read with GROUP BY and
-- the -Merge combinators: a statement stored twice (a re-sent id) counts once,
-- and a late statement lands in its own day.
{%- for source in activity_sources() %}
--{{ source.activity }}:begin
SELECT
    org, course_key, actor_id,
    toDate(emission_time) AS activity_date,
    CAST('{{ source.activity }}' AS LowCardinality(String)) AS activity,
    uniqExactState(event_id) AS statements,
    uniqExactState({{ source.item }}) AS items,
    minState(emission_time) AS first_at,
    maxState(emission_time) AS last_at
FROM {{ ref(source.model) }}
WHERE {{ source.where }}
GROUP BY org, course_key, actor_id, activity_date
--{{ source.activity }}:end
{{ "UNION ALL" if not loop.last }}
{%- endfor %}
