-- One row per (org, course_key, video_id, segment) in course_video_segments.
SELECT org, course_key, video_id, segment, count() AS n
FROM {{ ref('course_video_segments') }}
GROUP BY org, course_key, video_id, segment
HAVING n > 1
