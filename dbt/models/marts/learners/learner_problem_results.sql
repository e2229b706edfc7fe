{{ config(
    refreshable=mart_refresh(depends_on=[target.schema ~ '.int_learner_course_state_mv', target.schema ~ '.int_problem_attempts_mv',
                                         target.schema ~ '.course_problem_results_mv']),
    engine='MergeTree',
    order_by='(org, course_key, problem_id, actor_id)',
) }}
-- Each learner's results on each problem they answered (graded and ungraded):
-- attempts, latest result, score. The individual learner dashboard filters one
-- learner; the learner groups dashboard filters is_at_risk and aggregates per
-- problem or per graded subsection (assignment): learners who attempted,
-- % correct vs incorrect (latest answer), average attempts. Each row carries
-- the problem's course-wide figures (every learner who tried it) to compare with.
WITH
learners AS ({{ learners_at_risk_flags() }}),
blocks AS (
    SELECT course_key, location, display_name, section_number, subsection_number, unit_number, subsection_id,
           subsection_name, graded, assignment_type
    FROM {{ ref('int_course_blocks') }}
    WHERE block_type = 'problem'
),
results AS (
    SELECT org, course_key, actor_id, problem_id, attempts, is_correct, ever_correct,
           last_score_scaled AS score_scaled, first_attempted_at AS first_attempt_at,
           last_attempted_at AS last_attempt_at
    FROM {{ ref('int_problem_attempts') }}
    WHERE attempts > 0
),
course AS (
    SELECT org, course_key, problem_id, pct_correct, avg_attempts
    FROM {{ ref('course_problem_results') }}
)
SELECT
    results.org AS org,
    results.course_key AS course_key,
    results.problem_id AS problem_id,
    blocks.display_name AS problem_name,
    blocks.section_number AS section_number,
    blocks.subsection_number AS subsection_number,
    blocks.subsection_id AS subsection_id,
    blocks.subsection_name AS subsection_name,
    blocks.unit_number AS unit_number,
    blocks.graded AS graded,
    blocks.assignment_type AS assignment_type,
    results.actor_id AS actor_id,
    learners.username AS username,
    results.attempts AS attempts,
    results.is_correct AS is_correct,
    results.ever_correct AS ever_correct,
    results.score_scaled AS score_scaled,
    results.first_attempt_at AS first_attempt_at,
    results.last_attempt_at AS last_attempt_at,
    course.pct_correct AS course_pct_correct,
    course.avg_attempts AS course_avg_attempts,
    learners.is_at_risk AS is_at_risk,
    learners.as_of AS as_of
FROM results
INNER JOIN learners USING (org, course_key, actor_id)
LEFT JOIN blocks ON blocks.course_key = results.course_key AND blocks.location = results.problem_id
LEFT JOIN course
    ON course.org = results.org AND course.course_key = results.course_key AND course.problem_id = results.problem_id
SETTINGS join_use_nulls = 0
