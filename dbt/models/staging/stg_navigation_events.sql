-- Unit-level navigation: sequence tab/next/previous (object: the subsection,
-- positions: 1-based unit numbers) and outline clicks (object: the link target).
SELECT
    {{ xapi_common_columns() }},
    JSONExtractString(event, 'object', 'id') AS object_id,
    {{ block_key('object_id') }} AS subsection_id,
    JSONExtractString(event, 'object', 'definition', 'type') = 'http://adlnet.gov/expapi/activities/module' AS is_outline_click,
    JSONExtractInt(event, 'context', 'extensions', 'http://id.tincanapi.com/extension/starting-position') AS starting_position,
    JSONExtractRaw(event, 'context', 'extensions', 'http://id.tincanapi.com/extension/ending-point') AS ending_point_raw,
    toUInt16(multiIf(
        is_outline_click, 1,
        ending_point_raw = '"next unit"', starting_position + 1,
        ending_point_raw = '"previous unit"', greatest(starting_position - 1, 1),
        toInt64OrZero(ending_point_raw) > 0, toInt64OrZero(ending_point_raw),
        1
    )) AS unit_position
FROM {{ source('xapi', 'xapi_events_all') }}
WHERE {{ verb_in(['https://w3id.org/xapi/dod-isd/verbs/navigated']) }}
