{#- Cluster mode: the dbt profile names the cluster (tutoraspects/dbt_runner.py), and dbt-clickhouse then
    creates every table, view and materialized view ON CLUSTER. The models name plain engines (MergeTree,
    ReplacingMergeTree): on a cluster this override of dbt-clickhouse's engine_clause makes each one
    Replicated*, with no arguments, so its Keeper path and replica name come from the servers'
    default_replica_path and default_replica_name (clickhouse/cluster.xml). On one server it changes nothing.
    tests/test_dbt_cluster.py runs dbt in cluster mode and checks every CREATE it sends. -#}
{% macro engine_clause() %}
  engine = {{ aspects_engine(config.get('engine', default='MergeTree()')) }}
{%- endmacro %}

{% macro aspects_engine(engine) -%}
  {%- if adapter.get_clickhouse_cluster_name() and 'MergeTree' in engine and not engine.startswith('Replicated') -%}
    Replicated{{ engine }}
  {%- else -%}
    {{ engine }}
  {%- endif -%}
{%- endmacro %}
