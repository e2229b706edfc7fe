{#- A model has one row per `grain` (a list of columns): returns the keys
    that appear more than once. -#}
{% test one_row_per(model, grain) %}
SELECT {{ grain | join(', ') }}, count() AS rows
FROM {{ model }}
GROUP BY {{ grain | join(', ') }}
HAVING count() > 1
{% endtest %}
