-- registered / unregistered; an upgrade is another registered with the new mode
SELECT
    {{ xapi_common_columns() }},
    JSONExtractString(event, 'object', 'definition', 'extensions',
                      'https://w3id.org/xapi/acrossx/extensions/type') AS enrollment_mode
FROM {{ source('xapi', 'xapi_events_all') }}
WHERE {{ verb_in(['http://adlnet.gov/expapi/verbs/registered', 'http://id.tincanapi.com/verb/unregistered']) }}
