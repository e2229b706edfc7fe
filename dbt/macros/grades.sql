{#- A learner's current course grade over stg_grade_events rows: the latest
    `earned` with the course as object (0-1), NULL when none was sent yet
    ("no grade yet" is not a grade of 0). For a GROUP BY per learner. -#}
{% macro latest_course_grade() -%}
if(countIf(grade_type = 'course') = 0, NULL,
   argMaxIf(score_scaled, (emission_time, event_id), grade_type = 'course'))
{%- endmacro %}
