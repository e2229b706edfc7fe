{{ config(order_by='(org, course_key, problem_id, question_id, actor_id, emission_time, event_id)') }}
-- What learners answered (the Studio problem dashboard's initial responses):
-- one row per answer to one question, from the evaluated statements ERB makes
-- of the server's problem_check: the problem itself when it has one question,
-- each question's child statement when it has several (the GroupActivity
-- parent only repeats its first question's answer, so it is left out).
-- `response` is the answer as ERB sends it: the text, or a JSON list of the
-- choices picked (checkbox problems).
SELECT
    {{ xapi_common_columns() }},
    {{ problem_keys() }},
    JSONExtractString(event, 'object', 'definition', 'description', 'en-US') AS question,
    JSONExtractString(event, 'result', 'response') AS response,
    JSONExtractBool(event, 'result', 'success') AS success
FROM {{ source('xapi', 'xapi_events_all') }}
WHERE {{ verb_in(['https://w3id.org/xapi/acrossx/verbs/evaluated']) }}
  AND match(JSONExtractString(event, 'object', 'id'), 'type@problem')
  AND JSONExtractString(event, 'object', 'objectType') != 'GroupActivity'
