{#- A learner's current course grade over stg_grade_events rows: the latest
    `earned` with the course as object (0-1), NULL when none was sent yet
    ("no grade yet" is not a grade of 0). For a GROUP BY per learner. -#}
{% macro latest_course_grade() -%}
if(countIf(grade_type = 'course') = 0, NULL,
   argMaxIf(score_scaled, (emission_time, event_id), grade_type = 'course'))
{%- endmacro %}

{#- The median of the course grades where `condition` holds (learners with no
    grade yet are left out, not counted as 0): the mean of the two middle
    grades when their number is even; NULL when nobody has a grade. For a
    GROUP BY per course. -#}
{% macro median_course_grade(grade, condition) -%}
if(countIf({{ condition }} AND {{ grade }} IS NOT NULL) = 0, NULL,
   round(quantileExactInclusiveIf(0.5)(assumeNotNull({{ grade }}), {{ condition }} AND {{ grade }} IS NOT NULL), 4))
{%- endmacro %}
