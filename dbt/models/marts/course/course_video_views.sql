{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.int_course_blocks_mv', this.schema ~ '.int_video_views_mv']),
    engine='MergeTree',
    order_by='(org, course_key, video_id)',
) }}
-- One row per video of the course outline: learners who watched part of it,
-- all of it (completed, or 95% covered), and only part of it.
WITH
videos AS (
    SELECT org, course_key, location AS video_id, display_name AS video_name, display_order,
           section_number, subsection_number, unit_number, section_id, subsection_id, unit_id,
           duration_seconds
    FROM {{ ref('int_course_blocks') }}
    WHERE block_type = 'video'
),
views AS (
    SELECT org, course_key, video_id,
           toUInt32(count()) AS learners_watched_part,
           toUInt32(countIf(watched_full)) AS learners_watched_full,
           toUInt32(sum(plays)) AS plays,
           sum(watched_seconds) AS watched_seconds
    FROM {{ ref('int_video_views') }}
    GROUP BY org, course_key, video_id
)
SELECT
    videos.org AS org,
    videos.course_key AS course_key,
    videos.video_id AS video_id,
    {{ short_block_id('videos.video_id') }} AS block_id,
    videos.video_name AS video_name,
    videos.display_order AS display_order,
    videos.section_number AS section_number,
    videos.subsection_number AS subsection_number,
    videos.unit_number AS unit_number,
    videos.section_id AS section_id,
    videos.subsection_id AS subsection_id,
    videos.unit_id AS unit_id,
    videos.duration_seconds AS duration_seconds,
    views.learners_watched_part AS learners_watched_part,
    views.learners_watched_full AS learners_watched_full,
    toUInt32(views.learners_watched_part - views.learners_watched_full) AS learners_watched_part_only,
    views.plays AS plays,
    views.watched_seconds AS watched_seconds
FROM videos
LEFT JOIN views
    ON views.org = videos.org AND views.course_key = videos.course_key AND views.video_id = videos.video_id
SETTINGS join_use_nulls = 0
