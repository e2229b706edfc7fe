{{ config(
    refreshable=mart_refresh(depends_on=[target.schema ~ '.int_learner_course_state_mv',
                                         target.schema ~ '.int_video_views_mv']),
    engine='MergeTree',
    order_by='(org, course_key, video_id, actor_id)',
) }}
-- Each learner's views of each video they played: in part (played) and in
-- full (completed, or 95% covered). Individual learner and learner groups dashboards,
-- "Partial and Full Video Views".
WITH
learners AS ({{ learners_at_risk_flags() }}),
blocks AS (
    SELECT course_key, location, display_name, section_number, subsection_number, duration_seconds
    FROM {{ ref('int_course_blocks') }}
    WHERE block_type = 'video'
),
views AS (
    -- in full: completed, or stretches covering 95% (int_video_views, as the course dashboard counts)
    SELECT org, course_key, actor_id, video_id, plays, watched_full AS watched_in_full, last_watched_at
    FROM {{ ref('int_video_views') }}
)
SELECT
    views.org AS org,
    views.course_key AS course_key,
    views.video_id AS video_id,
    blocks.display_name AS video_name,
    blocks.section_number AS section_number,
    blocks.subsection_number AS subsection_number,
    toFloat64(blocks.duration_seconds) AS video_duration,
    views.actor_id AS actor_id,
    learners.username AS username,
    views.plays AS plays,
    views.watched_in_full AS watched_in_full,
    views.last_watched_at AS last_watched_at,
    learners.is_at_risk AS is_at_risk,
    learners.as_of AS as_of
FROM views
INNER JOIN learners USING (org, course_key, actor_id)
LEFT JOIN blocks ON blocks.course_key = views.course_key AND blocks.location = views.video_id
SETTINGS join_use_nulls = 0
