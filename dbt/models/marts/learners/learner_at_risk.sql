{{ config(
    refreshable=mart_refresh(depends_on=[target.schema ~ '.int_learner_course_state_mv']),
    engine='MergeTree',
    order_by='(org, course_key, username, actor_id)',
) }}
{%- set pii = var('enable_pii') in [true, 'true', 'True', 'TRUE', 1, '1', 'yes'] %}
{#- dbt unit tests replace inputs with CTEs, which FINAL cannot be applied to -#}
{%- set final = '' if model.resource_type == 'unit_test' else 'FINAL' %}
-- Learner groups dashboard: the at-risk group, one row per learner and course.
-- At risk = enrolled AND no visit in the 7 days (or more) before the refresh
-- (as_of) AND not passed AND has engaged (visited a page, watched a video,
-- answered a problem or posted in the forum). There is no course-home view
-- event, so every visit counted is to a page other than the course home.
-- Names and emails are read from the event sink only when PII is enabled.
WITH
at_risk AS (
    SELECT *
    FROM {{ ref('int_learner_course_state') }}
    WHERE {{ is_at_risk() }}
),
courses AS (
    SELECT course_key, display_name
    FROM {{ source('event_sink', 'course_overviews') }} {{ final }}
),
-- latest evaluation of each problem an at-risk learner answered
problem_results AS (
    SELECT org, course_key, actor_id, countIf(latest_success) AS problems_correct
    FROM (
        SELECT org, course_key, actor_id, problem_id, argMax(success, emission_time) AS latest_success
        FROM {{ ref('stg_problem_events') }} {{ final }}
        WHERE verb = 'evaluated'
          AND (org, course_key, actor_id) IN (SELECT org, course_key, actor_id FROM at_risk)
        GROUP BY org, course_key, actor_id, problem_id
    )
    GROUP BY org, course_key, actor_id
){% if pii %},
profiles AS (
    SELECT user_id, name, email
    FROM {{ source('event_sink', 'user_profiles') }} {{ final }}
){% endif %}
SELECT
    at_risk.org AS org,
    at_risk.course_key AS course_key,
    courses.display_name AS course_name,
    at_risk.actor_id AS actor_id,
    at_risk.user_id AS user_id,
    at_risk.username AS username,
{%- if pii %}
    profiles.name AS name,
    profiles.email AS email,
{%- else %}
    '' AS name,
    '' AS email,
{%- endif %}
    at_risk.enrollment_mode AS enrollment_mode,
    at_risk.enrolled_at AS enrolled_at,
    at_risk.last_visit_at AS last_visit_at,
    toUInt32(intDiv(dateDiff('second', at_risk.last_visit_at, at_risk.as_of), 86400)) AS days_since_last_visit,
    at_risk.course_grade AS course_grade,
    at_risk.pages_visited AS pages_visited,
    at_risk.videos_viewed AS videos_viewed,
    at_risk.problems_attempted AS problems_attempted,
    problem_results.problems_correct AS problems_correct,
    if(at_risk.problems_attempted = 0, NULL,
       round(100 * problem_results.problems_correct / at_risk.problems_attempted, 1)) AS pct_correct,
    at_risk.forum_posts AS forum_posts,
    at_risk.as_of AS as_of
FROM at_risk
LEFT JOIN courses ON courses.course_key = at_risk.course_key
LEFT JOIN problem_results
    ON problem_results.org = at_risk.org AND problem_results.course_key = at_risk.course_key
   AND problem_results.actor_id = at_risk.actor_id
{%- if pii %}
LEFT JOIN profiles ON profiles.user_id = at_risk.user_id
{%- endif %}
SETTINGS join_use_nulls = 0
