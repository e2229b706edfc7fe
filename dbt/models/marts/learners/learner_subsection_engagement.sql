{{ config(
    refreshable=mart_refresh(depends_on=[target.schema ~ '.int_learner_course_state_mv', target.schema ~ '.int_problem_attempts_mv']),
    engine='MergeTree',
    order_by='(org, course_key, section_number, subsection_number, actor_id)',
) }}
-- Page, video and problem engagement of each learner in each subsection they
-- touched (sparse: no row for a subsection without activity). The individual
-- learner dashboard filters one learner; the learner groups dashboard filters
-- is_at_risk and counts learners who opened at least one page
-- (pages_visited > 0) vs all pages (pages_visited = pages_total), and the same
-- for videos and problems. Section figures: sum the subsections of a section.
WITH
learners AS ({{ learners_at_risk_flags() }}),
blocks AS (
    SELECT course_key, location, parent_location, block_type, display_name,
           section_number, subsection_number, unit_number, display_order, graded, assignment_type
    FROM {{ source('event_sink', 'course_blocks') }} FINAL
),
subsections AS (
    SELECT
        s.course_key AS course_key, s.section_number AS section_number, s.subsection_number AS subsection_number,
        s.location AS subsection_id, s.display_name AS subsection_name, c.display_name AS section_name,
        s.graded AS graded, s.assignment_type AS assignment_type
    FROM blocks AS s
    LEFT JOIN blocks AS c ON c.location = s.parent_location
    WHERE s.block_type = 'sequential'
),
totals AS (
    SELECT course_key, section_number, subsection_number,
           countIf(block_type = 'vertical') AS pages_total,
           countIf(block_type = 'video') AS videos_total,
           countIf(block_type = 'problem') AS problems_total
    FROM blocks
    WHERE subsection_number > 0
    GROUP BY course_key, section_number, subsection_number
),
activity AS (
    -- pages: the units int_page_visits resolved; videos and problems: by block
    SELECT org, course_key, actor_id, section_number, subsection_number, 'page' AS kind, unit_id AS item
    FROM {{ ref('int_page_visits') }}
    UNION ALL
    SELECT v.org, v.course_key, v.actor_id, b.section_number, b.subsection_number, 'video', v.video_id
    FROM {{ ref('stg_video_events') }} AS v FINAL
    INNER JOIN blocks AS b ON b.location = v.video_id
    WHERE v.verb IN ('played', 'completed')
    UNION ALL
    SELECT p.org, p.course_key, p.actor_id, b.section_number, b.subsection_number, 'problem', p.problem_id
    FROM {{ ref('int_problem_attempts') }} AS p
    INNER JOIN blocks AS b ON b.location = p.problem_id
),
per_learner AS (
    SELECT org, course_key, actor_id, section_number, subsection_number,
           uniqExactIf(item, kind = 'page') AS pages_visited,
           uniqExactIf(item, kind = 'video') AS videos_viewed,
           uniqExactIf(item, kind = 'problem') AS problems_attempted
    FROM activity
    GROUP BY org, course_key, actor_id, section_number, subsection_number
)
SELECT
    per_learner.org AS org,
    per_learner.course_key AS course_key,
    per_learner.actor_id AS actor_id,
    learners.username AS username,
    per_learner.section_number AS section_number,
    subsections.section_name AS section_name,
    per_learner.subsection_number AS subsection_number,
    subsections.subsection_name AS subsection_name,
    subsections.subsection_id AS subsection_id,
    subsections.graded AS graded,
    subsections.assignment_type AS assignment_type,
    per_learner.pages_visited AS pages_visited,
    totals.pages_total AS pages_total,
    per_learner.videos_viewed AS videos_viewed,
    totals.videos_total AS videos_total,
    per_learner.problems_attempted AS problems_attempted,
    totals.problems_total AS problems_total,
    learners.is_at_risk AS is_at_risk,
    learners.as_of AS as_of
FROM per_learner
INNER JOIN learners USING (org, course_key, actor_id)
LEFT JOIN subsections
    ON subsections.course_key = per_learner.course_key
   AND subsections.section_number = per_learner.section_number
   AND subsections.subsection_number = per_learner.subsection_number
LEFT JOIN totals
    ON totals.course_key = per_learner.course_key
   AND totals.section_number = per_learner.section_number
   AND totals.subsection_number = per_learner.subsection_number
SETTINGS join_use_nulls = 0
