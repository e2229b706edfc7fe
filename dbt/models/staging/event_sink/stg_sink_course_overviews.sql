-- One row per course run from the newest platform-plugin-aspects dump, its
-- strings parsed: dates, and the passing grade from course_data_json.
SELECT
    org,
    course_key,
    display_name,
    parseDateTime64BestEffortOrNull(course_start, 6, 'UTC') AS course_start,
    parseDateTime64BestEffortOrNull(course_end, 6, 'UTC') AS course_end,
    parseDateTime64BestEffortOrNull(enrollment_start, 6, 'UTC') AS enrollment_start,
    parseDateTime64BestEffortOrNull(enrollment_end, 6, 'UTC') AS enrollment_end,
    self_paced,
    JSONExtractFloat(course_data_json, 'lowest_passing_grade') AS lowest_passing_grade,
    JSONExtractString(course_data_json, 'language') AS language,
    created,
    modified,
    time_last_dumped
FROM {{ source('event_sink', 'course_overviews') }} FINAL
