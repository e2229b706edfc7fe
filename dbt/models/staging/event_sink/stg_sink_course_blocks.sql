-- The course outline of each course's newest publish: platform-plugin-aspects
-- dumps every block at each publish with one dump_id, so blocks deleted or
-- moved since are left out by keeping only that dump. Outline numbers,
-- graded and the video's start and end times come from xblock_data_json;
-- detached blocks (not in the tree) have section, subsection and unit 0.
WITH latest AS (
    SELECT org, course_key, argMax(dump_id, time_last_dumped) AS dump_id
    FROM {{ source('event_sink', 'course_blocks') }}
    GROUP BY org, course_key
)
SELECT
    blocks.org AS org,
    blocks.course_key AS course_key,
    blocks.location AS location,
    blocks.display_name AS display_name,
    JSONExtractString(blocks.xblock_data_json, 'block_type') AS block_type,
    toUInt16(JSONExtractUInt(blocks.xblock_data_json, 'section')) AS section_number,
    toUInt16(JSONExtractUInt(blocks.xblock_data_json, 'subsection')) AS subsection_number,
    toUInt16(JSONExtractUInt(blocks.xblock_data_json, 'unit')) AS unit_number,
    toUInt32(blocks.`order`) AS display_order,
    JSONExtractUInt(blocks.xblock_data_json, 'graded') = 1 AS graded,
    JSONExtractUInt(blocks.xblock_data_json, 'detached') = 1 AS detached,
    -- the subsection's grading format: not sent by platform-plugin-aspects 2.1.0 (empty then)
    JSONExtractString(blocks.xblock_data_json, 'format') AS assignment_type,
    JSONExtractFloat(blocks.xblock_data_json, 'video_start_time') AS video_start_time,
    JSONExtractFloat(blocks.xblock_data_json, 'video_end_time') AS video_end_time,
    blocks.time_last_dumped AS time_last_dumped
FROM {{ source('event_sink', 'course_blocks') }} AS blocks FINAL
INNER JOIN latest
    ON latest.org = blocks.org AND latest.course_key = blocks.course_key AND latest.dump_id = blocks.dump_id
