{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.course_problem_results_mv']),
    engine='MergeTree',
    order_by='(org, course_key, block_id, problem_id)',
) }}
-- Studio's graded-subsection dashboard, "Final Response Results": the problems
-- of each graded subsection with course_problem_results' figures, keyed by the
-- subsection's block id (the column the in-context dashboards filter on).
SELECT
    org, course_key, subsection_id,
    {{ short_block_id('subsection_id') }} AS block_id,
    problem_id, problem_name, display_order,
    learners_attempted, learners_correct, learners_incorrect, learners_first_correct
FROM {{ ref('course_problem_results') }}
WHERE graded AND subsection_id != ''
