{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.int_course_blocks_mv']),
    engine='MergeTree',
    order_by='(org, course_key, problem_id, question_id, response)',
) }}
-- Initial responses (the Studio problem dashboard): for each question of a
-- problem, what learners answered the first time, one row per response (a
-- checkbox answer counts once for each choice picked), with how many of them
-- had that first answer right.
WITH
firsts AS (
    SELECT org, course_key, problem_id, question_id, actor_id,
           argMin(question, (emission_time, event_id)) AS question,
           argMin(response, (emission_time, event_id)) AS response,
           argMin(success, (emission_time, event_id)) AS correct
    FROM {{ ref('stg_problem_responses') }}
    GROUP BY org, course_key, problem_id, question_id, actor_id
    SETTINGS final = 1
),
answered AS (
    SELECT org, course_key, problem_id, question_id, toUInt32(count()) AS learners_answered
    FROM firsts
    GROUP BY org, course_key, problem_id, question_id
),
responses AS (
    SELECT org, course_key, problem_id, question_id, actor_id, question, correct,
           -- a JSON list (checkbox problems): each choice; anything else: the text as it is
           arrayJoin(if(startsWith(response, '[') AND isValidJSON(response),
                        arrayMap(x -> if(startsWith(x, '"'), JSONExtractString(x), x), JSONExtractArrayRaw(response)),
                        [response])) AS response
    FROM firsts
),
problems AS (
    SELECT org, course_key, location AS problem_id, display_name AS problem_name
    FROM {{ ref('int_course_blocks') }}
    WHERE block_type = 'problem'
)
SELECT
    responses.org AS org,
    responses.course_key AS course_key,
    responses.problem_id AS problem_id,
    {{ short_block_id('responses.problem_id') }} AS block_id,
    if(problems.problem_name = '', responses.problem_id, problems.problem_name) AS problem_name,
    responses.question_id AS question_id,
    any(responses.question) AS question,
    responses.response AS response,
    toUInt32(uniqExact(responses.actor_id)) AS learners,
    toUInt32(uniqExactIf(responses.actor_id, responses.correct)) AS learners_correct,
    any(answered.learners_answered) AS learners_answered,
    round(100 * learners / learners_answered, 2) AS pct_of_learners
FROM responses
LEFT JOIN answered
    ON answered.org = responses.org AND answered.course_key = responses.course_key
   AND answered.problem_id = responses.problem_id AND answered.question_id = responses.question_id
LEFT JOIN problems
    ON problems.org = responses.org AND problems.course_key = responses.course_key
   AND problems.problem_id = responses.problem_id
GROUP BY org, course_key, problem_id, block_id, problem_name, question_id, response
SETTINGS join_use_nulls = 0
