{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.int_course_blocks_mv', this.schema ~ '.int_problem_attempts_mv']),
    engine='MergeTree',
    order_by='(org, course_key, problem_id)',
) }}
-- One row per problem of the outline, graded or not: learners who tried it,
-- how many have it right now (latest submission correct) or not, and the
-- average number of submissions per learner who tried; how many had it right
-- at their first answer.
WITH
problems AS (
    SELECT org, course_key, location AS problem_id, display_name AS problem_name, display_order,
           section_number, subsection_number, unit_number, section_id, subsection_id, unit_id,
           graded, assignment_type
    FROM {{ ref('int_course_blocks') }}
    WHERE block_type = 'problem'
),
results AS (
    SELECT org, course_key, problem_id,
           toUInt32(count()) AS learners_attempted,
           toUInt32(countIf(is_correct)) AS learners_correct,
           toUInt32(countIf(NOT is_correct)) AS learners_incorrect,
           toUInt32(countIf(first_correct)) AS learners_first_correct,
           toUInt32(sum(attempts)) AS attempts
    FROM {{ ref('int_problem_attempts') }}
    GROUP BY org, course_key, problem_id
)
SELECT
    problems.org AS org,
    problems.course_key AS course_key,
    problems.problem_id AS problem_id,
    {{ short_block_id('problems.problem_id') }} AS block_id,
    problems.problem_name AS problem_name,
    problems.display_order AS display_order,
    problems.section_number AS section_number,
    problems.subsection_number AS subsection_number,
    problems.unit_number AS unit_number,
    problems.section_id AS section_id,
    problems.subsection_id AS subsection_id,
    problems.unit_id AS unit_id,
    problems.graded AS graded,
    problems.assignment_type AS assignment_type,
    results.learners_attempted AS learners_attempted,
    results.learners_correct AS learners_correct,
    results.learners_incorrect AS learners_incorrect,
    round(100 * if(results.learners_attempted = 0, 0, results.learners_correct / results.learners_attempted), 2) AS pct_correct,
    round(100 * if(results.learners_attempted = 0, 0, results.learners_incorrect / results.learners_attempted), 2) AS pct_incorrect,
    results.learners_first_correct AS learners_first_correct,
    round(100 * if(results.learners_attempted = 0, 0, results.learners_first_correct / results.learners_attempted), 2)
        AS first_attempt_pct_correct,
    results.attempts AS attempts,
    round(if(results.learners_attempted = 0, 0, results.attempts / results.learners_attempted), 2) AS avg_attempts
FROM problems
LEFT JOIN results
    ON results.org = problems.org AND results.course_key = problems.course_key
   AND results.problem_id = problems.problem_id
SETTINGS join_use_nulls = 0
