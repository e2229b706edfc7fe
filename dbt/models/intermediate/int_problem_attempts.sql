{{ config(
    refreshable=mart_refresh(),
    engine='MergeTree',
    order_by='(org, course_key, problem_id, actor_id)',
) }}
-- One row per learner and problem tried: answers (one per server evaluation of
-- the problem: neither the `attempted` statements that come with each answer
-- nor a multi-question problem's per-question statements add one), whether
-- the latest answer was right, whether the first one was, and the latest score. Any statement on the problem
-- (a browser `attempted` too) counts the learner as having tried it. Read from the
-- states kept on insert (int_problem_attempt_states).
SELECT
    org,
    course_key,
    problem_id,
    actor_id,
    toUInt32(uniqExactIfMerge(answers)) AS attempts,
    tupleElement(argMaxIfMerge(latest_answer), 1) AS is_correct,
    maxMerge(ever_correct) AS ever_correct,
    attempts > 0 AND argMinIfMerge(first_answer_correct) AS first_correct,
    if(attempts = 0, NULL, tupleElement(argMaxIfMerge(latest_answer), 2)) AS last_score_scaled,
    minMerge(first_at) AS first_attempted_at,
    maxMerge(last_at) AS last_attempted_at
FROM {{ ref('int_problem_attempt_states') }}
GROUP BY org, course_key, problem_id, actor_id
