-- The LMS user behind each anonymous xAPI actor id (newest dump).
SELECT external_user_id, external_id_type, user_id, username, time_last_dumped
FROM {{ source('event_sink', 'external_id') }} FINAL
WHERE external_id_type = 'xapi'
