{{ config(
    engine='AggregatingMergeTree',
    order_by='(org, course_key, video_id)',
) }}
-- Kept current on insert: the longest length the video player reported for
-- each video (what int_course_blocks uses when Studio gives no end time).
-- Read with maxMerge(video_length) ... GROUP BY.
SELECT org, course_key, video_id, maxState(video_length) AS video_length
FROM {{ ref('stg_video_events') }}
GROUP BY org, course_key, video_id
