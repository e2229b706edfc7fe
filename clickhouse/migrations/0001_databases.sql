-- The databases Aspects owns. Placeholders such as $${XAPI_DATABASE} are filled
-- from the install's settings at run time (tutoraspects/migrations.py), so
-- one file serves a single server and a cluster.
CREATE DATABASE IF NOT EXISTS ${XAPI_DATABASE} ${ON_CLUSTER};
CREATE DATABASE IF NOT EXISTS ${EVENT_SINK_DATABASE} ${ON_CLUSTER};
CREATE DATABASE IF NOT EXISTS ${REPORTING_DATABASE} ${ON_CLUSTER};
