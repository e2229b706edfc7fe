{{ config(
    refreshable=mart_refresh(),
    engine='MergeTree',
    order_by='(org, course_key, block_type, location)',
) }}
-- The course outline, flattened: every block of the newest publish with the
-- section, subsection and unit it belongs to (by the outline numbers the
-- event sink sends: a component carries the numbers of its unit), and for
-- units their position in the whole course (unit_index) so a "next unit" click
-- past the end of a subsection lands on the first unit of the next one.
-- A block is graded when it or its subsection is. A video's duration is its
-- Studio end - start time, or else the length its statements report.
WITH
blocks AS (
    SELECT org, course_key, location, block_type, display_name, section_number, subsection_number, unit_number,
           display_order, graded, assignment_type, video_start_time, video_end_time
    FROM {{ ref('stg_sink_course_blocks') }}
    WHERE NOT detached
),
sections AS (
    SELECT org, course_key, section_number, location AS section_id, display_name AS section_name
    FROM blocks WHERE block_type = 'chapter'
),
subsections AS (
    SELECT org, course_key, section_number, subsection_number, location AS subsection_id,
           display_name AS subsection_name, graded AS subsection_graded, assignment_type AS subsection_format
    FROM blocks WHERE block_type = 'sequential'
),
units AS (
    SELECT org, course_key, section_number, subsection_number, unit_number, location AS unit_id,
           toUInt32(row_number() OVER (PARTITION BY org, course_key ORDER BY display_order)) AS unit_index
    FROM blocks WHERE block_type = 'vertical'
),
video_lengths AS (
    SELECT org, course_key, video_id, maxMerge(video_length) AS video_length
    FROM {{ ref('int_video_lengths') }}
    GROUP BY org, course_key, video_id
)
SELECT
    blocks.org AS org,
    blocks.course_key AS course_key,
    blocks.location AS location,
    blocks.block_type AS block_type,
    blocks.display_name AS display_name,
    blocks.display_order AS display_order,
    blocks.section_number AS section_number,
    blocks.subsection_number AS subsection_number,
    blocks.unit_number AS unit_number,
    sections.section_id AS section_id,
    sections.section_name AS section_name,
    subsections.subsection_id AS subsection_id,
    subsections.subsection_name AS subsection_name,
    if(blocks.unit_number > 0, units.unit_id, '') AS unit_id,
    if(blocks.block_type = 'vertical', units.unit_index, toUInt32(0)) AS unit_index,
    blocks.graded OR subsections.subsection_graded AS graded,
    subsections.subsection_format AS assignment_type,
    toFloat32(if(blocks.block_type != 'video', 0,
                 if(blocks.video_end_time > blocks.video_start_time, blocks.video_end_time - blocks.video_start_time,
                    video_lengths.video_length))) AS duration_seconds
FROM blocks
LEFT JOIN sections
    ON sections.org = blocks.org AND sections.course_key = blocks.course_key
   AND sections.section_number = blocks.section_number
LEFT JOIN subsections
    ON subsections.org = blocks.org AND subsections.course_key = blocks.course_key
   AND subsections.section_number = blocks.section_number
   AND subsections.subsection_number = blocks.subsection_number
LEFT JOIN units
    ON units.org = blocks.org AND units.course_key = blocks.course_key
   AND units.section_number = blocks.section_number AND units.subsection_number = blocks.subsection_number
   AND units.unit_number = blocks.unit_number
LEFT JOIN video_lengths
    ON video_lengths.org = blocks.org AND video_lengths.course_key = blocks.course_key
   AND video_lengths.video_id = blocks.location
WHERE blocks.block_type != 'course'
SETTINGS final = 1, join_use_nulls = 0
