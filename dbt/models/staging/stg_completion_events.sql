-- Block completion (progressed): the course has no completion event of its own.
SELECT
    {{ xapi_common_columns() }},
    {{ block_key("JSONExtractString(event, 'object', 'id')") }} AS block_id,
    JSONExtractBool(event, 'result', 'completion') AS completed,
    JSONExtractFloat(event, 'result', 'extensions', 'https://w3id.org/xapi/cmi5/result/extensions/progress') AS progress
FROM {{ source('xapi', 'xapi_events_all') }}
WHERE {{ verb_in(['http://adlnet.gov/expapi/verbs/progressed']) }}
