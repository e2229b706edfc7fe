{#- The at-risk learner group (BRIEF.md), over int_learner_course_state
    columns (`prefix` names a table alias, e.g. 'state.'): enrolled AND no
    visit in 7 or more days before the refresh AND not passed AND engaged
    (visited a page, watched a video, answered a problem or posted). -#}
{% macro is_at_risk(prefix='') -%}
({{ prefix }}is_enrolled
 AND ({{ prefix }}last_visit_at IS NULL OR {{ prefix }}last_visit_at <= {{ prefix }}as_of - INTERVAL 7 DAY)
 AND NOT {{ prefix }}has_passed
 AND {{ prefix }}has_engaged)
{%- endmacro %}
