-- Forum posts: threads and responses (object id from the discussion API path).
SELECT
    {{ xapi_common_columns() }},
    JSONExtractString(event, 'object', 'id') AS post_id,
    if(match(post_id, '/threads/'), 'thread', 'response') AS post_type
FROM {{ source('xapi', 'xapi_events_all') }}
WHERE {{ verb_in(['https://w3id.org/xapi/acrossx/verbs/posted']) }}
