-- One row per (org, course_key, video_id, actor_id) in int_video_views.
SELECT org, course_key, video_id, actor_id, count() AS n
FROM {{ ref('int_video_views') }}
GROUP BY org, course_key, video_id, actor_id
HAVING n > 1
