{#- A problem statement's block keys: its object (the problem, or one question of a
    multi-question problem, whose context parent is then the problem), the problem
    and the question (empty for a one-question problem). stg_problem_responses uses
    it; stg_problem_events spells the same columns out, and should call this the
    next time it changes anyway (changing it re-parses every problem statement of
    an install: docs/data-model.md, Responses). -#}
{% macro problem_keys() -%}
    {{ block_key("JSONExtractString(event, 'object', 'id')") }} AS object_block_id,
    {{ block_key("JSONExtractString(event, 'context', 'contextActivities', 'parent', 1, 'id')") }} AS parent_block_id,
    match(parent_block_id, 'type@problem\\+') AS is_question,
    if(is_question, parent_block_id, object_block_id) AS problem_id,
    if(is_question, object_block_id, '') AS question_id
{%- endmacro %}
