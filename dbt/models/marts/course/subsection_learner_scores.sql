{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.int_course_blocks_mv', this.schema ~ '.int_problem_attempts_mv']),
    engine='MergeTree',
    order_by='(org, course_key, block_id, actor_id)',
) }}
-- Studio's graded-subsection dashboard, "Score Distribution": each learner who
-- answered a problem of a graded subsection, with their score there: the
-- latest scores of its problems summed over the problems it holds (unanswered
-- ones count 0; every problem weighs the same), 0-1.
WITH
problems AS (
    SELECT org, course_key, location AS problem_id, subsection_id, subsection_name
    FROM {{ ref('int_course_blocks') }}
    WHERE block_type = 'problem' AND graded AND subsection_id != ''
),
totals AS (
    SELECT org, course_key, subsection_id, toUInt32(count()) AS problems_total
    FROM problems
    GROUP BY org, course_key, subsection_id
),
answers AS (
    SELECT org, course_key, problem_id, actor_id, is_correct, last_score_scaled
    FROM {{ ref('int_problem_attempts') }}
    WHERE attempts > 0
)
SELECT
    problems.org AS org,
    problems.course_key AS course_key,
    problems.subsection_id AS subsection_id,
    {{ short_block_id('problems.subsection_id') }} AS block_id,
    any(problems.subsection_name) AS subsection_name,
    answers.actor_id AS actor_id,
    toUInt32(count()) AS problems_answered,
    toUInt32(countIf(answers.is_correct)) AS problems_correct,
    any(totals.problems_total) AS problems_total,
    round(sum(ifNull(answers.last_score_scaled, 0)) / any(totals.problems_total), 4) AS score
FROM problems
INNER JOIN answers
    ON answers.org = problems.org AND answers.course_key = problems.course_key AND answers.problem_id = problems.problem_id
INNER JOIN totals
    ON totals.org = problems.org AND totals.course_key = problems.course_key AND totals.subsection_id = problems.subsection_id
GROUP BY org, course_key, subsection_id, actor_id
