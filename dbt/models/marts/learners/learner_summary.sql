{{ config(
    refreshable=mart_refresh(depends_on=[target.schema ~ '.int_learner_course_state_mv', target.schema ~ '.int_problem_attempts_mv',
                                     target.schema ~ '.int_video_views_mv']),
    engine='MergeTree',
    order_by='(org, course_key, username, actor_id)',
) }}
{%- set pii = pii_enabled() %}
-- Individual learner dashboard, "Learner Summary": one row per learner and
-- course with enrollment, last visit, grade, engagement and problem results,
-- and whether the learner is in the at-risk group (see learner_at_risk).
-- Names and emails are read from the event sink only when PII is enabled.
WITH
state AS (
    SELECT * FROM {{ ref('int_learner_course_state') }}
),
courses AS (
    SELECT course_key, display_name, lowest_passing_grade
    FROM {{ ref('stg_sink_course_overviews') }}
),
course_totals AS (
    SELECT
        course_key,
        countIf(block_type = 'vertical') AS pages_total,
        countIf(block_type = 'video') AS videos_total,
        countIf(block_type = 'problem') AS problems_total
    FROM {{ ref('int_course_blocks') }}
    GROUP BY course_key
),
-- latest answer of each problem a learner answered
problem_results AS (
    SELECT org, course_key, actor_id,
           countIf(is_correct) AS problems_correct,
           sum(attempts) AS problem_submissions
    FROM {{ ref('int_problem_attempts') }}
    GROUP BY org, course_key, actor_id
),
videos_completed AS (
    SELECT org, course_key, actor_id, countIf(completed) AS videos_completed
    FROM {{ ref('int_video_views') }}
    GROUP BY org, course_key, actor_id
){% if pii %},
profiles AS (
    SELECT user_id, name, email
    FROM {{ ref('stg_sink_user_profile') }}
){% endif %}
SELECT
    state.org AS org,
    state.course_key AS course_key,
    courses.display_name AS course_name,
    state.actor_id AS actor_id,
    state.user_id AS user_id,
    state.username AS username,
{%- if pii %}
    profiles.name AS name,
    profiles.email AS email,
{%- else %}
    '' AS name,
    '' AS email,
{%- endif %}
    state.enrollment_mode AS enrollment_mode,
    state.is_enrolled AS is_enrolled,
    state.enrolled_at AS enrolled_at,
    state.first_activity_at AS first_activity_at,
    state.last_visit_at AS last_visit_at,
    if(state.last_visit_at IS NULL, NULL,
       toUInt32(intDiv(dateDiff('second', state.last_visit_at, state.as_of), 86400))) AS days_since_last_visit,
    state.course_grade AS course_grade,
    round(toFloat64(courses.lowest_passing_grade), 4) AS lowest_passing_grade,
    state.has_passed AS has_passed,
    state.has_engaged AS has_engaged,
    {{ is_at_risk('state.') }} AS is_at_risk,
    state.pages_visited AS pages_visited,
    course_totals.pages_total AS pages_total,
    state.videos_viewed AS videos_viewed,
    videos_completed.videos_completed AS videos_completed,
    course_totals.videos_total AS videos_total,
    state.problems_attempted AS problems_attempted,
    problem_results.problems_correct AS problems_correct,
    problem_results.problem_submissions AS problem_submissions,
    course_totals.problems_total AS problems_total,
    if(state.problems_attempted = 0, NULL,
       round(100 * problem_results.problems_correct / state.problems_attempted, 1)) AS pct_correct,
    state.forum_posts AS forum_posts,
    state.as_of AS as_of
FROM state
LEFT JOIN courses ON courses.course_key = state.course_key
LEFT JOIN course_totals ON course_totals.course_key = state.course_key
LEFT JOIN problem_results
    ON problem_results.org = state.org AND problem_results.course_key = state.course_key
   AND problem_results.actor_id = state.actor_id
LEFT JOIN videos_completed
    ON videos_completed.org = state.org AND videos_completed.course_key = state.course_key
   AND videos_completed.actor_id = state.actor_id
{%- if pii %}
LEFT JOIN profiles ON profiles.user_id = state.user_id
{%- endif %}
SETTINGS join_use_nulls = 0
