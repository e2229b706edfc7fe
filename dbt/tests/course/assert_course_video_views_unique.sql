-- One row per (org, course_key, video_id) in course_video_views.
SELECT org, course_key, video_id, count() AS n
FROM {{ ref('course_video_views') }}
GROUP BY org, course_key, video_id
HAVING n > 1
