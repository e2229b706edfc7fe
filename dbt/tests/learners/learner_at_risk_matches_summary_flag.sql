-- The at-risk group and learner_summary.is_at_risk name the same learners
-- (compared at the same learner-state refresh).
WITH
summary AS (SELECT org, course_key, actor_id, as_of FROM {{ ref('learner_summary') }} WHERE is_at_risk),
at_risk AS (SELECT org, course_key, actor_id, as_of FROM {{ ref('learner_at_risk') }}),
same_refresh AS (
    SELECT (SELECT max(as_of) FROM summary) = (SELECT max(as_of) FROM at_risk) AS same
)
SELECT 'only in learner_summary' AS side, org, course_key, actor_id
FROM summary
WHERE (org, course_key, actor_id) NOT IN (SELECT org, course_key, actor_id FROM at_risk)
  AND (SELECT same FROM same_refresh)
UNION ALL
SELECT 'only in learner_at_risk', org, course_key, actor_id
FROM at_risk
WHERE (org, course_key, actor_id) NOT IN (SELECT org, course_key, actor_id FROM summary)
  AND (SELECT same FROM same_refresh)
