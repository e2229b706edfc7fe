{{ config(
    engine='AggregatingMergeTree',
    order_by='(org, course_key, problem_id, actor_id)',
) }}
-- Kept current on insert: one row per learner and problem with every
-- statement on it folded into aggregate states (answers by statement id, the
-- latest and first answer by time then id, first and last statement time).
-- int_problem_attempts reads it with the -Merge combinators.
SELECT
    org, course_key, problem_id, actor_id,
    uniqExactIfState(event_id, is_answer) AS answers,
    argMaxIfState(tuple(answered_correctly, score_scaled), (emission_time, event_id), is_answer) AS latest_answer,
    argMinIfState(answered_correctly, (emission_time, event_id), is_answer) AS first_answer_correct,
    maxState(is_answer AND answered_correctly) AS ever_correct,
    minState(emission_time) AS first_at,
    maxState(emission_time) AS last_at
FROM {{ ref('stg_problem_events') }}
GROUP BY org, course_key, problem_id, actor_id
