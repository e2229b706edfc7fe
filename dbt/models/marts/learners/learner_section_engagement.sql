{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.learner_subsection_engagement_mv',
                                         this.schema ~ '.course_section_engagement_mv']),
    engine='MergeTree',
    order_by='(org, course_key, section_number, actor_id)',
) }}
-- Page, video and problem engagement of each learner in each section they
-- touched: learner_subsection_engagement added up per section, against the
-- section's totals (every block of the section, as course_section_engagement
-- counts them). Individual learner and learner groups dashboards, per section.
WITH per_section AS (
    SELECT org, course_key, actor_id, section_number,
           any(username) AS username, any(is_at_risk) AS is_at_risk, any(section_name) AS section_name,
           toUInt32(sum(pages_visited)) AS pages_visited,
           toUInt32(sum(videos_viewed)) AS videos_viewed,
           toUInt32(sum(problems_attempted)) AS problems_attempted,
           any(as_of) AS as_of
    FROM {{ ref('learner_subsection_engagement') }}
    GROUP BY org, course_key, actor_id, section_number
)
SELECT
    per_section.org AS org,
    per_section.course_key AS course_key,
    per_section.actor_id AS actor_id,
    per_section.username AS username,
    per_section.is_at_risk AS is_at_risk,
    per_section.section_number AS section_number,
    per_section.section_name AS section_name,
    per_section.pages_visited AS pages_visited,
    totals.pages AS pages_total,
    per_section.videos_viewed AS videos_viewed,
    totals.videos AS videos_total,
    per_section.problems_attempted AS problems_attempted,
    totals.problems AS problems_total,
    per_section.as_of AS as_of
FROM per_section
LEFT JOIN {{ ref('course_section_engagement') }} AS totals
    ON totals.org = per_section.org AND totals.course_key = per_section.course_key
   AND totals.section_number = per_section.section_number
SETTINGS join_use_nulls = 0
