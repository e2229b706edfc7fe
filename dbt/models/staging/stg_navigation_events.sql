-- Unit-level navigation (docs/data-model.md, "Pages").
-- Sequence tab/next/previous: the Learning MFE names the unit the learner is ON
-- (object {LMS}/xblock/<unit key>), the legacy courseware the subsection
-- (object {LMS}/xblock/<subsection key>); starting-position is the 1-based
-- position of the unit the learner is on in its subsection, ending-point the
-- destination's position (tab) or "next unit" / "previous unit".
-- Outline clicks: object {LMS}/courses/<course>/jump_to/<block key>, type module.
-- Other navigated statements (links clicked) are kept with navigation = 'other'.
SELECT
    {{ xapi_common_columns() }},
    JSONExtractString(event, 'object', 'id') AS object_id,
    {{ block_key('object_id') }} AS block_id,
    extract(block_id, 'type@([^+]+)') AS block_type,
    toUInt16(JSONExtractUInt(event, 'context', 'extensions', 'http://id.tincanapi.com/extension/starting-position')) AS starting_position,
    JSONExtractRaw(event, 'context', 'extensions', 'http://id.tincanapi.com/extension/ending-point') AS ending_point_raw,
    toUInt16OrZero(trim(BOTH '"' FROM ending_point_raw)) AS target_position,
    multiIf(
        JSONExtractString(event, 'object', 'definition', 'type') = 'http://adlnet.gov/expapi/activities/module', 'outline',
        ending_point_raw = '"next unit"', 'next',
        ending_point_raw = '"previous unit"', 'previous',
        target_position > 0, 'tab',
        'other'
    ) AS navigation
FROM {{ source('xapi', 'xapi_events_all') }}
WHERE {{ verb_in(['https://w3id.org/xapi/dod-isd/verbs/navigated']) }}
