{% if RUN_SUPERSET and not SUPERSET_SQLALCHEMY_URI -%}
# Superset's metadata database and user (idempotent). Runs before Tutor's own
# MySQL task (it precedes the superset task), so it waits for MySQL too.
attempt=0
until mysql -u {{ MYSQL_ROOT_USERNAME }} --password="{{ MYSQL_ROOT_PASSWORD }}" --host "{{ SUPERSET_DB_HOST }}" --port {{ SUPERSET_DB_PORT }} -e 'exit'
do
    attempt=$(expr $attempt + 1)
    if [ $attempt -ge 30 ]; then echo "MySQL at {{ SUPERSET_DB_HOST }}:{{ SUPERSET_DB_PORT }} did not answer" 1>&2; exit 1; fi
    echo "    [$attempt/30] Waiting for MySQL ..."
    sleep 5
done
mysql -u {{ MYSQL_ROOT_USERNAME }} --password="{{ MYSQL_ROOT_PASSWORD }}" --host "{{ SUPERSET_DB_HOST }}" --port {{ SUPERSET_DB_PORT }} -e "CREATE DATABASE IF NOT EXISTS \`{{ SUPERSET_DB_NAME }}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
mysql -u {{ MYSQL_ROOT_USERNAME }} --password="{{ MYSQL_ROOT_PASSWORD }}" --host "{{ SUPERSET_DB_HOST }}" --port {{ SUPERSET_DB_PORT }} -e "CREATE USER IF NOT EXISTS '{{ SUPERSET_DB_USERNAME }}';" || true
mysql -u {{ MYSQL_ROOT_USERNAME }} --password="{{ MYSQL_ROOT_PASSWORD }}" --host "{{ SUPERSET_DB_HOST }}" --port {{ SUPERSET_DB_PORT }} -e "ALTER USER '{{ SUPERSET_DB_USERNAME }}'@'%' IDENTIFIED BY '{{ SUPERSET_DB_PASSWORD }}';"
mysql -u {{ MYSQL_ROOT_USERNAME }} --password="{{ MYSQL_ROOT_PASSWORD }}" --host "{{ SUPERSET_DB_HOST }}" --port {{ SUPERSET_DB_PORT }} -e "GRANT ALL ON \`{{ SUPERSET_DB_NAME }}\`.* TO '{{ SUPERSET_DB_USERNAME }}'@'%';"
echo "Superset database {{ SUPERSET_DB_NAME }} ready"
{%- else -%}
echo "Superset metadata database: nothing to do here"
{%- endif %}
