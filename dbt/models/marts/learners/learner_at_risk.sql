{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.learner_summary_mv']),
    engine='MergeTree',
    order_by='(org, course_key, username, actor_id)',
) }}
-- Learner groups dashboard: the at-risk group, one row per learner and course,
-- with the figures its table shows. At risk = enrolled AND no visit in the 7
-- days (or more) before the refresh (as_of) AND not passed AND has engaged
-- (visited a page, watched a video, answered a problem or posted in the
-- forum): learner_summary's is_at_risk, the one definition (macro is_at_risk).
-- Names and emails come from learner_summary, filled only when PII is enabled.
SELECT
    org, course_key, course_name, actor_id, user_id, username, name, email,
    enrollment_mode, enrolled_at, last_visit_at, days_since_last_visit, course_grade,
    pages_visited, videos_viewed, problems_attempted, problems_correct, pct_correct, forum_posts, as_of
FROM {{ ref('learner_summary') }}
WHERE is_at_risk
