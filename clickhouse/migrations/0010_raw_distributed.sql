-- Cluster mode only (CLICKHOUSE_CLUSTER_NAME set): the raw table Ralph writes
-- becomes a Distributed table over one Replicated table per shard. Each line
-- below starts with $${CLUSTER_ONLY}, which is empty on a cluster and turns
-- the line into a comment on a single server: there this migration runs
-- nothing, and the raw table stays as 0002 made it.
--
-- The table 0002 created (ReplicatedReplacingMergeTree on a cluster, its
-- Keeper path from the table's UUID, so a rename keeps it) becomes the shard's
-- local table; staging materialized views read that one (dbt's raw_xapi_table
-- var), since an insert into the Distributed table lands in a local table.
--
-- Sharding key: the statement's course, as the staging models parse it
-- (dbt/macros/xapi.sql, xapi_course_key). Every mart is per course (learner
-- marts per learner and course), so one shard holds all of a course's
-- statements, and within it all of each learner's: per-course marts are
-- complete on their shard. A re-sent statement goes to the same shard, where
-- ReplacingMergeTree merges it away. Cost: a very large course is one shard's.
${CLUSTER_ONLY}RENAME TABLE ${XAPI_DATABASE}.${RAW_XAPI_TABLE} TO ${XAPI_DATABASE}.${RAW_XAPI_LOCAL_TABLE} ${ON_CLUSTER};
${CLUSTER_ONLY}CREATE TABLE IF NOT EXISTS ${XAPI_DATABASE}.${RAW_XAPI_TABLE} ${ON_CLUSTER}
${CLUSTER_ONLY}AS ${XAPI_DATABASE}.${RAW_XAPI_LOCAL_TABLE}
${CLUSTER_ONLY}ENGINE = Distributed(${CLUSTER}, '${XAPI_DATABASE}', '${RAW_XAPI_LOCAL_TABLE}', cityHash64(
${CLUSTER_ONLY}    if(match(event, 'course-v1:'),
${CLUSTER_ONLY}       extract(event, 'course-v1:[^/"+]+\\+[^/"+]+\\+[^/"+?#]+'),
${CLUSTER_ONLY}       concat('course-v1:', extract(event, 'block-v1:([^/"+]+\\+[^/"+]+\\+[^/"+]+)\\+')))))
${CLUSTER_ONLY}COMMENT 'xAPI statements written by the Ralph LRS: every shard''s local table, sharded by course';
