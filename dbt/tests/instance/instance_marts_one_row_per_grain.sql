-- Every operator and institutional mart has one row per its grain.
{%- set grains = [
    ('instance_events_per_hour', 'org, hour, event_family'),
    ('instance_data_quality', 'day, event_family'),
    ('instance_health', 'as_of'),
    ('instance_summary', 'as_of'),
    ('instance_courses', 'org, course_key'),
    ('instance_enrollments', 'org, course_key, enrollment_mode'),
    ('instance_active_learners', 'period, period_start'),
    ('institution_active_learners', 'org, period, period_start'),
    ('institution_enrollments_daily', 'org, course_key, enrollment_date, enrollment_mode'),
    ('institution_course_performance', 'org, course_key'),
    ('institution_org_summary', 'org'),
] %}
{%- for model, grain in grains %}
SELECT '{{ model }}' AS model, toString(tuple({{ grain }})) AS grain_key, count() AS rows
FROM {{ ref(model) }}
GROUP BY {{ grain }}
HAVING count() > 1
{{ "UNION ALL" if not loop.last }}
{%- endfor %}
UNION ALL
SELECT 'instance_health', 'single row', count() FROM {{ ref('instance_health') }} HAVING count() != 1
UNION ALL
SELECT 'instance_summary', 'single row', count() FROM {{ ref('instance_summary') }} HAVING count() != 1
