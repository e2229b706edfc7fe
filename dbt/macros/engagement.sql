{#- Engagement drop-off shared by the section and subsection marts: of the
    pages (units), videos and problems under each `level_id` (section_id or
    subsection_id), how many learners opened / watched part of / attempted at
    least one, and how many did all of them.

    engagement_dropoff_ctes(level_id): the CTEs blocks, totals, learner_items,
    learner_counts, engagement (one row per org, course_key, level_id).
    engagement_dropoff_columns(containers): the figures, joined from `containers`
    (a CTE with org, course_key and level_id). -#}

{% macro engagement_dropoff_ctes(level_id) -%}
blocks AS (
    SELECT org, course_key, location, block_type, {{ level_id }}
    FROM {{ ref('int_course_blocks') }}
    WHERE block_type IN ('vertical', 'video', 'problem') AND {{ level_id }} != ''
),
totals AS (
    SELECT org, course_key, {{ level_id }},
           toUInt32(countIf(block_type = 'vertical')) AS pages,
           toUInt32(countIf(block_type = 'video')) AS videos,
           toUInt32(countIf(block_type = 'problem')) AS problems
    FROM blocks
    GROUP BY org, course_key, {{ level_id }}
),
learner_items AS (
    -- what a learner engaged with, any day: the same rows the date-filtered charts count
    SELECT DISTINCT org, course_key, actor_id, location FROM {{ ref('course_engagement_days') }}
),
learner_counts AS (
    SELECT learner_items.org AS org, learner_items.course_key AS course_key, learner_items.actor_id AS actor_id,
           blocks.{{ level_id }} AS {{ level_id }},
           uniqExactIf(learner_items.location, blocks.block_type = 'vertical') AS pages_done,
           uniqExactIf(learner_items.location, blocks.block_type = 'video') AS videos_done,
           uniqExactIf(learner_items.location, blocks.block_type = 'problem') AS problems_done
    FROM learner_items
    INNER JOIN blocks
        ON blocks.org = learner_items.org AND blocks.course_key = learner_items.course_key
       AND blocks.location = learner_items.location
    GROUP BY org, course_key, actor_id, {{ level_id }}
),
engagement AS (
    SELECT learner_counts.org AS org, learner_counts.course_key AS course_key,
           learner_counts.{{ level_id }} AS {{ level_id }},
           toUInt32(countIf(pages_done > 0)) AS learners_any_page,
           toUInt32(countIf(pages_done > 0 AND pages_done = totals.pages)) AS learners_all_pages,
           toUInt32(countIf(videos_done > 0)) AS learners_any_video,
           toUInt32(countIf(videos_done > 0 AND videos_done = totals.videos)) AS learners_all_videos,
           toUInt32(countIf(problems_done > 0)) AS learners_any_problem,
           toUInt32(countIf(problems_done > 0 AND problems_done = totals.problems)) AS learners_all_problems,
           toUInt32(count()) AS learners_any_activity
    FROM learner_counts
    INNER JOIN totals
        ON totals.org = learner_counts.org AND totals.course_key = learner_counts.course_key
       AND totals.{{ level_id }} = learner_counts.{{ level_id }}
    GROUP BY org, course_key, {{ level_id }}
)
{%- endmacro %}

{% macro engagement_dropoff_columns() -%}
    totals.pages AS pages,
    totals.videos AS videos,
    totals.problems AS problems,
    engagement.learners_any_page AS learners_any_page,
    engagement.learners_all_pages AS learners_all_pages,
    engagement.learners_any_video AS learners_any_video,
    engagement.learners_all_videos AS learners_all_videos,
    engagement.learners_any_problem AS learners_any_problem,
    engagement.learners_all_problems AS learners_all_problems,
    engagement.learners_any_activity AS learners_any_activity
{%- endmacro %}

{% macro engagement_dropoff_joins(containers, level_id) -%}
LEFT JOIN totals
    ON totals.org = {{ containers }}.org AND totals.course_key = {{ containers }}.course_key
   AND totals.{{ level_id }} = {{ containers }}.{{ level_id }}
LEFT JOIN engagement
    ON engagement.org = {{ containers }}.org AND engagement.course_key = {{ containers }}.course_key
   AND engagement.{{ level_id }} = {{ containers }}.{{ level_id }}
{%- endmacro %}
