-- PII: learner profiles (newest dump). Read only where PII is enabled.
-- The plugin sends a missing year of birth as a quoted "", which ClickHouse reads as 0.
SELECT user_id, username, name, email, country, nullIf(year_of_birth, 0) AS year_of_birth, gender,
       level_of_education, time_last_dumped
FROM {{ source('event_sink', 'user_profile') }} FINAL
