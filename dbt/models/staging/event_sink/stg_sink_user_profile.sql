-- PII: learner profiles (newest dump). Read only where PII is enabled.
SELECT user_id, username, name, email, country, year_of_birth, gender, level_of_education, time_last_dumped
FROM {{ source('event_sink', 'user_profile') }} FINAL
