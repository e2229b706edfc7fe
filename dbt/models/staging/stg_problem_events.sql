{{ config(order_by='(org, course_key, problem_id, actor_id, emission_time, event_id)') }}
-- Problem statements (docs/data-model.md, "Problems"). Each answer gives one
-- `evaluated` (server problem_check: success, score, attempt number) plus
-- `attempted` statements for the same answer (edx.grades.problem.submitted,
-- and the browser's problem_check); a problem with several questions gives a
-- parent GroupActivity plus one child statement per question, whose object is
-- the question and whose context parent is the problem.
SELECT
    {{ xapi_common_columns() }},
    {{ block_key("JSONExtractString(event, 'object', 'id')") }} AS object_block_id,
    {{ block_key("JSONExtractString(event, 'context', 'contextActivities', 'parent', 1, 'id')") }} AS parent_block_id,
    match(parent_block_id, 'type@problem\\+') AS is_question,
    if(is_question, parent_block_id, object_block_id) AS problem_id,
    if(is_question, object_block_id, '') AS question_id,
    verb = 'evaluated' AND NOT is_question AS is_answer,
    JSONExtractString(event, 'object', 'objectType') = 'GroupActivity' AS is_multi_question,
    JSONExtractString(event, 'object', 'definition', 'interactionType') AS interaction_type,
    JSONHas(event, 'result', 'success') AS has_result,
    JSONExtractBool(event, 'result', 'success') AS success,
    JSONExtractFloat(event, 'result', 'score', 'raw') AS score_raw,
    JSONExtractFloat(event, 'result', 'score', 'max') AS score_max,
    JSONExtractFloat(event, 'result', 'score', 'scaled') AS score_scaled,
    -- a multi-question parent's success is its first question's: the score says whether all are right
    if(is_multi_question, score_max > 0 AND score_raw >= score_max, success) AS answered_correctly,
    toUInt32(JSONExtractInt(event, 'object', 'definition', 'extensions', 'http://id.tincanapi.com/extension/attempt-id')) AS attempt
FROM {{ source('xapi', 'xapi_events_all') }}
WHERE {{ verb_in(['https://w3id.org/xapi/acrossx/verbs/evaluated', 'http://adlnet.gov/expapi/verbs/attempted']) }}
  AND match(JSONExtractString(event, 'object', 'id'), 'type@problem')
