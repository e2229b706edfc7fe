{{ config(
    refreshable=mart_refresh(depends_on=[
        this.schema ~ '.int_course_blocks_mv', this.schema ~ '.course_engagement_days_mv']),
    engine='MergeTree',
    order_by='(org, course_key, section_number, subsection_number)',
) }}
-- Engagement drop-off per subsection: of the subsection's pages (units),
-- videos and problems, how many learners opened / watched part of /
-- attempted at least one, and how many did all of them.
WITH
subsections AS (
    SELECT org, course_key, section_number, subsection_number, section_id, subsection_id,
           subsection_name, graded, assignment_type, display_order
    FROM {{ ref('int_course_blocks') }}
    WHERE block_type = 'sequential'
),
{{ engagement_dropoff_ctes('subsection_id') }}
SELECT
    subsections.org AS org,
    subsections.course_key AS course_key,
    subsections.section_number AS section_number,
    subsections.subsection_number AS subsection_number,
    subsections.section_id AS section_id,
    subsections.subsection_id AS subsection_id,
    subsections.subsection_name AS subsection_name,
    subsections.graded AS graded,
    subsections.assignment_type AS assignment_type,
    subsections.display_order AS display_order,
{{ engagement_dropoff_columns() }}
FROM subsections
{{ engagement_dropoff_joins('subsections', 'subsection_id') }}
SETTINGS join_use_nulls = 0
