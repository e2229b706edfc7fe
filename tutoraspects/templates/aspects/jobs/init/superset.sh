{% if RUN_SUPERSET -%}
# Superset's metadata: migrations, the admin account (its password kept in sync
# with config.yml), roles and permissions. Idempotent. The assets are imported
# afterwards by the aspects task (`aspects init`), through Superset's API.
set -e
superset db upgrade
superset fab create-admin --username "{{ SUPERSET_ADMIN_USERNAME }}" --firstname Aspects --lastname Admin \
    --email "{{ SUPERSET_ADMIN_EMAIL }}" --password "{{ SUPERSET_ADMIN_PASSWORD }}"
superset fab reset-password --username "{{ SUPERSET_ADMIN_USERNAME }}" --password "{{ SUPERSET_ADMIN_PASSWORD }}"
superset init
{%- else -%}
echo "RUN_SUPERSET is off"
{%- endif %}
