{#- Shared parsing of xAPI statements: every staging model selects these first. -#}

{% macro xapi_common_columns() -%}
    event_id,
    emission_time,
    JSONExtractString(event, 'actor', 'account', 'name') AS actor_id,
    {{ xapi_course_key('event') }} AS course_key,
    extract(course_key, '^course-v1:([^+]+)') AS org,
    -- the verb's name: the last segment of its IRI (the display map is optional in xAPI)
    extract(CAST(verb_id AS String), '[^/]+$') AS verb
{%- endmacro %}

{#- The course of a statement: the first course key in it (the object for
    enrollment and course-grade statements, the parent context otherwise),
    or the course part of the first block key. -#}
{% macro xapi_course_key(column) -%}
    if(
        match({{ column }}, 'course-v1:'),
        extract({{ column }}, 'course-v1:[^/"+]+\\+[^/"+]+\\+[^/"+?#]+'),
        concat('course-v1:', extract({{ column }}, 'block-v1:([^/"+]+\\+[^/"+]+\\+[^/"+]+)\\+'))
    )
{%- endmacro %}

{#- The block usage key inside an activity id, e.g. .../xblock/block-v1:Org+C+R+type@video+block@abc -#}
{% macro block_key(column) -%}
    extract({{ column }}, 'block-v1:[^/"?#]+')
{%- endmacro %}

{#- Only statements of these verbs, by the verb IRI the raw table parses on
    insert (verb_id, migration 0006): the JSON is not parsed again per view. -#}
{% macro verb_in(verb_iris) -%}
    verb_id IN ({% for iri in verb_iris %}'{{ iri }}'{{ ", " if not loop.last }}{% endfor %})
{%- endmacro %}

{#- A refreshable materialized view's REFRESH clause, from the mart_refresh_seconds var. -#}
{% macro mart_refresh(depends_on=[]) -%}
    {{ return({"interval": "EVERY " ~ var("mart_refresh_seconds") ~ " SECOND", "depends_on": depends_on}) }}
{%- endmacro %}

{#- The block id of a usage key (its last part, `abc` of ...+type@video+block@abc): what Studio's
    in-context dashboards filter on (platform-plugin-aspects's IN_CONTEXT_DASHBOARD_BLOCK_ID_COLUMN). -#}
{% macro short_block_id(column) -%}
    extract({{ column }}, 'block@([^@+/]+)$')
{%- endmacro %}
