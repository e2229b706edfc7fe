{{ config(
    refreshable=mart_refresh(depends_on=[
        this.schema ~ '.int_course_blocks_mv', this.schema ~ '.course_engagement_days_mv']),
    engine='MergeTree',
    order_by='(org, course_key, section_number)',
) }}
-- Engagement drop-off per section: of the section's pages (units),
-- videos and problems, how many learners opened / watched part of /
-- attempted at least one, and how many did all of them.
WITH
sections AS (
    SELECT org, course_key, section_number, section_id, section_name, display_order
    FROM {{ ref('int_course_blocks') }}
    WHERE block_type = 'chapter'
),
{{ engagement_dropoff_ctes('section_id') }}
SELECT
    sections.org AS org,
    sections.course_key AS course_key,
    sections.section_number AS section_number,
    sections.section_id AS section_id,
    sections.section_name AS section_name,
    sections.display_order AS display_order,
{{ engagement_dropoff_columns() }}
FROM sections
{{ engagement_dropoff_joins('sections', 'section_id') }}
SETTINGS join_use_nulls = 0
