{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.int_course_blocks_mv', this.schema ~ '.int_video_intervals_mv',
                                         this.schema ~ '.int_learner_course_state_mv']),
    engine='MergeTree',
    order_by='(org, course_key, video_id, segment, actor_id)',
) }}
-- Heat map along each video for one learner or a group: per learner, video
-- and segment (20 of 5% of the video), how many watched stretches overlap the
-- segment (course_video_segments is the same for the whole course). Sparse:
-- no row where the learner never watched. Individual learner dashboard
-- filters one learner; learner groups dashboard filters is_at_risk.
WITH
watched AS (
    -- per learner and video, stretches overlapping each of the 20 segments
    SELECT org, course_key, video_id, actor_id,
           sumForEach({{ video_segment_flags('start_position', 'end_position', 'video_length') }}) AS per_segment
    FROM {{ ref('int_video_intervals') }}
    GROUP BY org, course_key, video_id, actor_id
),
counts AS (
    SELECT org, course_key, video_id, actor_id, toUInt8(position - 1) AS segment, toUInt32(views) AS views
    FROM watched
    ARRAY JOIN per_segment AS views, arrayEnumerate(per_segment) AS position
    WHERE views > 0
),
learners AS ({{ learners_at_risk_flags() }}),
videos AS (
    SELECT org, course_key, location AS video_id,
           if(display_name = '', location,
              concat(toString(section_number), '.', toString(subsection_number), ' ', display_name)) AS video_name
    FROM {{ ref('int_course_blocks') }}
    WHERE block_type = 'video'
)
SELECT
    counts.org AS org,
    counts.course_key AS course_key,
    counts.video_id AS video_id,
    if(videos.video_name = '', counts.video_id, videos.video_name) AS video_name,
    counts.actor_id AS actor_id,
    learners.username AS username,
    learners.is_at_risk AS is_at_risk,
    counts.segment AS segment,
    toUInt8(counts.segment * 5) AS segment_start_pct,
    counts.views AS views,
    learners.as_of AS as_of
FROM counts
INNER JOIN learners USING (org, course_key, actor_id)
LEFT JOIN videos ON videos.org = counts.org AND videos.course_key = counts.course_key AND videos.video_id = counts.video_id
SETTINGS join_use_nulls = 0
