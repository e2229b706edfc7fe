{% if RUN_SUPERSET -%}
# Superset's metadata database, migrations, the admin account (its password kept in
# sync with config.yml), roles and permissions: the embedded stack's own Python.
# Secrets come from the job's environment (apps/superset-init/init.env). Idempotent.
# The assets are imported afterwards by the aspects task, through Superset's API.
{{ aspects_services.SUPERSET_INIT_COMMAND|join(" ") }}
{%- else -%}
echo "RUN_SUPERSET is off"
{%- endif %}
