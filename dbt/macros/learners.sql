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

{#- Each learner's username and at-risk flag per course, for the per-learner
    marts to join: learners AS ({{ learners_at_risk_flags() }}). -#}
{% macro learners_at_risk_flags() -%}
    SELECT org, course_key, actor_id, username, {{ is_at_risk() }} AS is_at_risk, as_of
    FROM {{ ref('int_learner_course_state') }}
{%- endmacro %}

{#- Whether learners' PII (names, emails, usernames) may reach the marts: the
    enable_pii var, which init sets from ASPECTS_ENABLE_PII. -#}
{% macro pii_enabled() -%}
{{ return(var('enable_pii') in [true, 'true', 'True', 'TRUE', 1, '1', 'yes']) }}
{%- endmacro %}
