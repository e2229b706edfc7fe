-- Every learner mart has one row per its grain; returns the duplicated keys.
{%- set grains = [
    ('learner_at_risk', 'org, course_key, actor_id'),
    ('learner_summary', 'org, course_key, actor_id'),
    ('learner_subsection_engagement', 'org, course_key, actor_id, section_number, subsection_number'),
    ('learner_problem_results', 'org, course_key, actor_id, problem_id'),
    ('learner_video_views', 'org, course_key, actor_id, video_id'),
] %}
{%- for model, grain in grains %}
SELECT '{{ model }}' AS model, toString(tuple({{ grain }})) AS grain_key, count() AS rows
FROM {{ ref(model) }}
GROUP BY {{ grain }}
HAVING count() > 1
{{ "UNION ALL" if not loop.last }}
{%- endfor %}
