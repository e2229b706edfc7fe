{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.int_course_blocks_mv', this.schema ~ '.int_problem_attempts_mv']),
    engine='MergeTree',
    order_by='(org, course_key, section_number, subsection_number)',
) }}
-- One row per graded subsection (assignment): learners who tried at least one
-- of its problems, and of all (learner, problem) results, the share whose
-- latest submission is correct vs incorrect.
WITH
assignments AS (
    SELECT org, course_key, location AS subsection_id, display_name AS subsection_name, display_order,
           section_number, subsection_number, section_id, assignment_type
    FROM {{ ref('int_course_blocks') }}
    WHERE block_type = 'sequential' AND graded
),
problems AS (
    SELECT org, course_key, location AS problem_id, subsection_id
    FROM {{ ref('int_course_blocks') }}
    WHERE block_type = 'problem' AND graded
),
problem_counts AS (
    SELECT org, course_key, subsection_id, toUInt32(count()) AS problems
    FROM problems
    GROUP BY org, course_key, subsection_id
),
results AS (
    SELECT problems.org AS org, problems.course_key AS course_key, problems.subsection_id AS subsection_id,
           toUInt32(uniqExact(attempts.actor_id)) AS learners_attempted,
           toUInt32(count()) AS results,
           toUInt32(countIf(attempts.is_correct)) AS correct_results,
           toUInt32(countIf(NOT attempts.is_correct)) AS incorrect_results,
           toUInt32(sum(attempts.attempts)) AS attempts
    FROM {{ ref('int_problem_attempts') }} AS attempts
    INNER JOIN problems
        ON problems.org = attempts.org AND problems.course_key = attempts.course_key
       AND problems.problem_id = attempts.problem_id
    GROUP BY org, course_key, subsection_id
)
SELECT
    assignments.org AS org,
    assignments.course_key AS course_key,
    assignments.section_number AS section_number,
    assignments.subsection_number AS subsection_number,
    assignments.section_id AS section_id,
    assignments.subsection_id AS subsection_id,
    assignments.subsection_name AS subsection_name,
    assignments.assignment_type AS assignment_type,
    assignments.display_order AS display_order,
    problem_counts.problems AS problems,
    results.learners_attempted AS learners_attempted,
    results.results AS results,
    results.correct_results AS correct_results,
    results.incorrect_results AS incorrect_results,
    round(100 * if(results.results = 0, 0, results.correct_results / results.results), 2) AS pct_correct,
    round(100 * if(results.results = 0, 0, results.incorrect_results / results.results), 2) AS pct_incorrect,
    results.attempts AS attempts
FROM assignments
LEFT JOIN problem_counts
    ON problem_counts.org = assignments.org AND problem_counts.course_key = assignments.course_key
   AND problem_counts.subsection_id = assignments.subsection_id
LEFT JOIN results
    ON results.org = assignments.org AND results.course_key = assignments.course_key
   AND results.subsection_id = assignments.subsection_id
SETTINGS join_use_nulls = 0
