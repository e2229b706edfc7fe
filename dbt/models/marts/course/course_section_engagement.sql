{{ config(
    refreshable=mart_refresh(depends_on=[
        this.schema ~ '.int_course_blocks_mv', this.schema ~ '.int_page_visits_mv',
        this.schema ~ '.int_video_views_mv', this.schema ~ '.int_problem_attempts_mv']),
    engine='MergeTree',
    order_by='(org, course_key, section_number)',
) }}
-- Engagement drop-off per section: of the section's pages (units),
-- videos and problems, how many learners opened / watched part of /
-- attempted at least one, and how many did all of them.
WITH
blocks AS (
    SELECT org, course_key, location, block_type, section_number, section_id
    FROM {{ ref('int_course_blocks') }}
    WHERE block_type IN ('vertical', 'video', 'problem') AND section_id != ''
),
sections AS (
    SELECT org, course_key, section_number, section_id, section_name, display_order
    FROM {{ ref('int_course_blocks') }}
    WHERE block_type = 'chapter'
),
totals AS (
    SELECT org, course_key, section_id,
           toUInt32(countIf(block_type = 'vertical')) AS pages,
           toUInt32(countIf(block_type = 'video')) AS videos,
           toUInt32(countIf(block_type = 'problem')) AS problems
    FROM blocks
    GROUP BY org, course_key, section_id
),
learner_items AS (
    SELECT org, course_key, actor_id, unit_id AS location FROM {{ ref('int_page_visits') }}
    UNION ALL
    SELECT org, course_key, actor_id, video_id FROM {{ ref('int_video_views') }}
    UNION ALL
    SELECT org, course_key, actor_id, problem_id FROM {{ ref('int_problem_attempts') }}
),
learner_counts AS (
    SELECT learner_items.org AS org, learner_items.course_key AS course_key, learner_items.actor_id AS actor_id,
           blocks.section_id AS section_id,
           uniqExactIf(learner_items.location, blocks.block_type = 'vertical') AS pages_done,
           uniqExactIf(learner_items.location, blocks.block_type = 'video') AS videos_done,
           uniqExactIf(learner_items.location, blocks.block_type = 'problem') AS problems_done
    FROM learner_items
    INNER JOIN blocks
        ON blocks.org = learner_items.org AND blocks.course_key = learner_items.course_key
       AND blocks.location = learner_items.location
    GROUP BY org, course_key, actor_id, section_id
),
engagement AS (
    SELECT learner_counts.org AS org, learner_counts.course_key AS course_key,
           learner_counts.section_id AS section_id,
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
       AND totals.section_id = learner_counts.section_id
    GROUP BY org, course_key, section_id
)
SELECT
    sections.org AS org,
    sections.course_key AS course_key,
    sections.section_number AS section_number,
    sections.section_id AS section_id,
    sections.section_name AS section_name,
    sections.display_order AS display_order,
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
FROM sections
LEFT JOIN totals
    ON totals.org = sections.org AND totals.course_key = sections.course_key
   AND totals.section_id = sections.section_id
LEFT JOIN engagement
    ON engagement.org = sections.org AND engagement.course_key = sections.course_key
   AND engagement.section_id = sections.section_id
SETTINGS join_use_nulls = 0
