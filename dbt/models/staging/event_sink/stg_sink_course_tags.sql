-- One row per course run and tag applied to it (newest dumps): the course
-- overview's course_data_json lists the ids of its tags and of their parents
-- (platform-plugin-aspects's get_tags_for_block); the tag and taxonomy sinks
-- give their names.
WITH
course_tag_ids AS (
    SELECT org, course_key, arrayJoin(JSONExtract(course_data_json, 'tags', 'Array(Int64)')) AS tag_id
    FROM {{ source('event_sink', 'course_overviews') }} FINAL
)
SELECT
    course_tag_ids.org AS org,
    course_tag_ids.course_key AS course_key,
    course_tag_ids.tag_id AS tag_id,
    tags.value AS tag,
    taxonomies.name AS taxonomy
FROM course_tag_ids
INNER JOIN (SELECT id, taxonomy, value FROM {{ source('event_sink', 'tag') }} FINAL) AS tags
    ON tags.id = course_tag_ids.tag_id
LEFT JOIN (SELECT id, name FROM {{ source('event_sink', 'taxonomy') }} FINAL) AS taxonomies
    ON taxonomies.id = tags.taxonomy
SETTINGS join_use_nulls = 0
