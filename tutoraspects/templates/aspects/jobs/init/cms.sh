# Aspects: the course structure of every course not yet in the event sink (or
# changed since its last dump), through platform-plugin-aspects. Later
# publishes are sent by Studio as they happen. Idempotent.
./manage.py cms dump_data_to_clickhouse --object course_overviews
