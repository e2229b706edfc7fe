-- earned (subsection grade: object is the subsection; course grade: object is
-- the course, score 0-1), passed and failed (no score).
SELECT
    {{ xapi_common_columns() }},
    {{ block_key("JSONExtractString(event, 'object', 'id')") }} AS subsection_id,
    multiIf(verb = 'passed', 'passed', verb = 'failed', 'failed',
            subsection_id = '', 'course', 'subsection') AS grade_type,
    JSONExtractFloat(event, 'result', 'score', 'raw') AS score_raw,
    JSONExtractFloat(event, 'result', 'score', 'max') AS score_max,
    JSONExtractFloat(event, 'result', 'score', 'scaled') AS score_scaled,
    JSONExtractString(event, 'result', 'extensions',
                      'http://www.tincanapi.co.uk/activitytypes/grade_classification') AS grade_classification
FROM {{ source('xapi', 'xapi_events_all') }}
WHERE {{ verb_in(['http://id.tincanapi.com/verb/earned', 'http://adlnet.gov/expapi/verbs/passed', 'http://adlnet.gov/expapi/verbs/failed']) }}
