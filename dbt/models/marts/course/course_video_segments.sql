{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.int_course_blocks_mv', this.schema ~ '.int_video_intervals_mv']),
    engine='MergeTree',
    order_by='(org, course_key, video_id, segment)',
) }}
-- Heat map along each video: the video split in 20 segments of 5% of its
-- length; views = watched stretches that overlap the segment (a learner who
-- re-watches counts again), viewers = distinct learners. Every segment of
-- every outline video has a row (zeros where nobody watched).
WITH
videos AS (
    SELECT org, course_key, location AS video_id, duration_seconds, section_number, subsection_number
    FROM {{ ref('int_course_blocks') }}
    WHERE block_type = 'video'
),
watched AS (
    SELECT org, course_key, video_id, actor_id,
           arrayJoin({{ video_segments_overlapped('start_position', 'end_position', 'video_length') }}) AS segment
    FROM {{ ref('int_video_intervals') }}
),
counts AS (
    SELECT org, course_key, video_id, segment,
           toUInt32(count()) AS views,
           toUInt32(uniqExact(actor_id)) AS viewers
    FROM watched
    GROUP BY org, course_key, video_id, segment
),
segments AS (
    SELECT org, course_key, video_id, duration_seconds, section_number, subsection_number,
           arrayJoin(range(toUInt8(20))) AS segment
    FROM videos
)
SELECT
    segments.org AS org,
    segments.course_key AS course_key,
    segments.video_id AS video_id,
    {{ short_block_id('segments.video_id') }} AS block_id,
    segments.section_number AS section_number,
    segments.subsection_number AS subsection_number,
    segments.segment AS segment,
    segments.segment * 5 AS segment_start_pct,
    round(segments.segment * segments.duration_seconds / 20, 1) AS segment_start_seconds,
    round((segments.segment + 1) * segments.duration_seconds / 20, 1) AS segment_end_seconds,
    counts.views AS views,
    counts.viewers AS viewers
FROM segments
LEFT JOIN counts
    ON counts.org = segments.org AND counts.course_key = segments.course_key
   AND counts.video_id = segments.video_id AND counts.segment = segments.segment
SETTINGS join_use_nulls = 0
