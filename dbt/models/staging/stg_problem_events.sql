{{ config(order_by='(org, course_key, problem_id, actor_id, emission_time, event_id)') }}
-- problem_check: 'evaluated' (server: success, score, attempt) and
-- 'attempted' (browser: no result).
SELECT
    {{ xapi_common_columns() }},
    {{ block_key("JSONExtractString(event, 'object', 'id')") }} AS problem_id,
    JSONExtractString(event, 'object', 'definition', 'interactionType') AS interaction_type,
    JSONHas(event, 'result', 'success') AS has_result,
    JSONExtractBool(event, 'result', 'success') AS success,
    JSONExtractFloat(event, 'result', 'score', 'raw') AS score_raw,
    JSONExtractFloat(event, 'result', 'score', 'max') AS score_max,
    JSONExtractFloat(event, 'result', 'score', 'scaled') AS score_scaled,
    toUInt32(JSONExtractInt(event, 'object', 'definition', 'extensions', 'http://id.tincanapi.com/extension/attempt-id')) AS attempt
FROM {{ source('xapi', 'xapi_events_all') }}
WHERE {{ verb_in(['https://w3id.org/xapi/acrossx/verbs/evaluated', 'http://adlnet.gov/expapi/verbs/attempted']) }}
  AND match(JSONExtractString(event, 'object', 'id'), 'type@problem')
