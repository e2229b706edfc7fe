{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.int_course_learner_grades_mv']),
    engine='MergeTree',
    order_by='(org, course_key)',
) }}
-- One row per course run with graded learners: how many are at or above the
-- passing grade now, and how many ever passed (a "passed" statement).
SELECT
    org,
    course_key,
    any(lowest_passing_grade) AS lowest_passing_grade,
    toUInt32(countIf(has_grade)) AS learners_with_grade,
    toUInt32(countIf(is_passing)) AS learners_passing,
    toUInt32(countIf(has_passed)) AS learners_passed,
    round(100 * if(countIf(has_grade) = 0, 0, countIf(is_passing) / countIf(has_grade)), 2) AS passing_pct,
    round(avgIf(course_grade, has_grade), 4) AS average_grade
FROM {{ ref('int_course_learner_grades') }}
GROUP BY org, course_key
