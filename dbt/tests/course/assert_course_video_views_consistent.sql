-- Full viewers are a subset of viewers; no segment has more viewers than the video.
SELECT org, course_key, video_id
FROM {{ ref('course_video_views') }}
WHERE learners_watched_full > learners_watched_part
UNION ALL
SELECT segments.org, segments.course_key, segments.video_id
FROM {{ ref('course_video_segments') }} AS segments
INNER JOIN {{ ref('course_video_views') }} AS videos
    ON videos.org = segments.org AND videos.course_key = segments.course_key AND videos.video_id = segments.video_id
WHERE segments.viewers > videos.learners_watched_part OR segments.viewers > segments.views
