-- Current enrollment of each learner in each course (newest dump).
SELECT course_key, user_id, username, mode, is_active, created, time_last_dumped
FROM {{ source('event_sink', 'course_enrollment') }} FINAL
