{{ config(
    refreshable=mart_refresh(),
    engine='MergeTree',
    order_by='(org, course_key, problem_id, actor_id)',
) }}
-- One row per learner and problem tried: submissions (server "evaluated"
-- statements, one per attempt), whether the latest one was right, and the
-- latest score. A browser "attempted" without a result still counts as tried.
SELECT
    org,
    course_key,
    problem_id,
    actor_id,
    toUInt32(countIf(has_result)) AS attempts,
    argMaxIf(success, (emission_time, event_id), has_result) AS is_correct,
    countIf(has_result AND success) > 0 AS ever_correct,
    argMaxIf(score_scaled, (emission_time, event_id), has_result) AS last_score_scaled,
    min(emission_time) AS first_attempted_at,
    max(emission_time) AS last_attempted_at
FROM {{ ref('stg_problem_events') }}
GROUP BY org, course_key, problem_id, actor_id
SETTINGS final = 1
