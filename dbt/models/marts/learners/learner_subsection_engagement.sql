{{ config(
    refreshable=mart_refresh(depends_on=[target.schema ~ '.int_learner_course_state_mv',
                                         target.schema ~ '.course_engagement_days_mv']),
    engine='MergeTree',
    order_by='(org, course_key, section_number, subsection_number, actor_id)',
) }}
-- Page, video and problem engagement of each learner in each subsection they
-- touched (sparse: no row for a subsection without activity), counted over
-- course_engagement_days (the items the course drop-off counts). The
-- individual learner dashboard filters one learner; the learner groups
-- dashboard filters is_at_risk and counts learners who opened at least one
-- page (pages_visited > 0) vs all pages (pages_visited = pages_total), and the
-- same for videos and problems. Section figures: sum the subsections of a section.
WITH
learners AS ({{ learners_at_risk_flags() }}),
subsections AS (
    SELECT org, course_key, location AS subsection_id, graded, assignment_type
    FROM {{ ref('int_course_blocks') }}
    WHERE block_type = 'sequential'
),
per_learner AS (
    SELECT org, course_key, actor_id, section_number, subsection_number, subsection_id,
           any(section_name) AS section_name,
           any(subsection_name) AS subsection_name,
           uniqExactIf(location, block_type = 'vertical') AS pages_visited,
           uniqExactIf(location, block_type = 'video') AS videos_viewed,
           uniqExactIf(location, block_type = 'problem') AS problems_attempted,
           any(subsection_pages) AS pages_total,
           any(subsection_videos) AS videos_total,
           any(subsection_problems) AS problems_total
    FROM {{ ref('course_engagement_days') }}
    GROUP BY org, course_key, actor_id, section_number, subsection_number, subsection_id
)
SELECT
    per_learner.org AS org,
    per_learner.course_key AS course_key,
    per_learner.actor_id AS actor_id,
    learners.username AS username,
    per_learner.section_number AS section_number,
    per_learner.section_name AS section_name,
    per_learner.subsection_number AS subsection_number,
    per_learner.subsection_name AS subsection_name,
    per_learner.subsection_id AS subsection_id,
    subsections.graded AS graded,
    subsections.assignment_type AS assignment_type,
    per_learner.pages_visited AS pages_visited,
    per_learner.pages_total AS pages_total,
    per_learner.videos_viewed AS videos_viewed,
    per_learner.videos_total AS videos_total,
    per_learner.problems_attempted AS problems_attempted,
    per_learner.problems_total AS problems_total,
    learners.is_at_risk AS is_at_risk,
    learners.as_of AS as_of
FROM per_learner
INNER JOIN learners USING (org, course_key, actor_id)
LEFT JOIN subsections
    ON subsections.org = per_learner.org AND subsections.course_key = per_learner.course_key
   AND subsections.subsection_id = per_learner.subsection_id
SETTINGS join_use_nulls = 0
