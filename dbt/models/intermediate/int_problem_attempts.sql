{{ config(
    refreshable=mart_refresh(),
    engine='MergeTree',
    order_by='(org, course_key, problem_id, actor_id)',
) }}
-- One row per learner and problem tried: answers (one per server evaluation of
-- the problem: neither the `attempted` statements that come with each answer
-- nor a multi-question problem's per-question statements add one), whether
-- the latest answer was right, whether the first one was, and the latest score. Any statement on the problem
-- (a browser `attempted` too) counts the learner as having tried it.
SELECT
    org,
    course_key,
    problem_id,
    actor_id,
    toUInt32(countIf(is_answer)) AS attempts,
    argMaxIf(answered_correctly, (emission_time, event_id), is_answer) AS is_correct,
    countIf(is_answer AND answered_correctly) > 0 AS ever_correct,
    countIf(is_answer) > 0 AND argMinIf(answered_correctly, (emission_time, event_id), is_answer) AS first_correct,
    if(countIf(is_answer) = 0, NULL, argMaxIf(score_scaled, (emission_time, event_id), is_answer)) AS last_score_scaled,
    min(emission_time) AS first_attempted_at,
    max(emission_time) AS last_attempted_at
FROM {{ ref('stg_problem_events') }}
GROUP BY org, course_key, problem_id, actor_id
SETTINGS final = 1
