{{ config(
    refreshable=mart_refresh(depends_on=[
        this.schema ~ '.int_course_blocks_mv', this.schema ~ '.int_page_visits_mv']),
    engine='MergeTree',
    order_by='(org, course_key, day, section_number, subsection_number, actor_id)',
) }}
-- One row per learner, page / video / problem and day the learner engaged
-- with it: visited the page (int_page_visits), played or completed the video,
-- or sent any statement on the problem (as the drop-off marts count them).
-- The course dashboard's drop-off charts count learners over the rows of the
-- chosen date range: at least one item of a section or subsection vs all of
-- them (the section and subsection totals ride on every row).
WITH
blocks AS (
    SELECT org, course_key, location, block_type, section_id, section_number, section_name,
           subsection_id, subsection_number, subsection_name
    FROM {{ ref('int_course_blocks') }}
    WHERE block_type IN ('vertical', 'video', 'problem') AND subsection_id != ''
),
{%- for level in ['section', 'subsection'] %}
{{ level }}_totals AS (
    SELECT org, course_key, {{ level }}_id,
           toUInt32(countIf(block_type = 'vertical')) AS pages,
           toUInt32(countIf(block_type = 'video')) AS videos,
           toUInt32(countIf(block_type = 'problem')) AS problems
    FROM blocks
    GROUP BY org, course_key, {{ level }}_id
),
{%- endfor %}
engaged AS (
    SELECT org, course_key, actor_id, unit_id AS location, visit_date AS day
    FROM {{ ref('int_page_visits') }}
    UNION DISTINCT
    SELECT org, course_key, actor_id, video_id, toDate(emission_time)
    FROM {{ ref('stg_video_events') }}
    WHERE verb IN ('played', 'completed')
    UNION DISTINCT
    SELECT org, course_key, actor_id, problem_id, toDate(emission_time)
    FROM {{ ref('stg_problem_events') }}
)
SELECT
    engaged.org AS org,
    engaged.course_key AS course_key,
    engaged.day AS day,
    engaged.actor_id AS actor_id,
    CAST(blocks.block_type AS LowCardinality(String)) AS block_type,
    engaged.location AS location,
    -- integer keys for the dataset's per-learner counts (hashing strings per row at query time costs most)
    cityHash64(engaged.location) AS item_key,
    cityHash64(engaged.actor_id, blocks.section_id) AS learner_section_key,
    cityHash64(engaged.actor_id, blocks.subsection_id) AS learner_subsection_key,
    blocks.section_id AS section_id,
    blocks.section_number AS section_number,
    blocks.section_name AS section_name,
    blocks.subsection_id AS subsection_id,
    blocks.subsection_number AS subsection_number,
    blocks.subsection_name AS subsection_name,
    section_totals.pages AS section_pages,
    section_totals.videos AS section_videos,
    section_totals.problems AS section_problems,
    subsection_totals.pages AS subsection_pages,
    subsection_totals.videos AS subsection_videos,
    subsection_totals.problems AS subsection_problems
FROM engaged
INNER JOIN blocks
    ON blocks.org = engaged.org AND blocks.course_key = engaged.course_key AND blocks.location = engaged.location
INNER JOIN section_totals
    ON section_totals.org = blocks.org AND section_totals.course_key = blocks.course_key
   AND section_totals.section_id = blocks.section_id
INNER JOIN subsection_totals
    ON subsection_totals.org = blocks.org AND subsection_totals.course_key = blocks.course_key
   AND subsection_totals.subsection_id = blocks.subsection_id
SETTINGS final = 1
