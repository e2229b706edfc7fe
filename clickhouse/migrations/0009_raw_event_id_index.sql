-- Ralph checks every POSTed statement id against the raw table
-- (`event_id IN (...)`), whose sorting key starts with the time: without an
-- index that check reads the whole table. A bloom filter per granule lets it
-- skip every granule that holds none of the ids (a new statement's id is in
-- none, bar one false positive in 10,000). Existing rows are indexed by the
-- MATERIALIZE mutation, in the background.
ALTER TABLE ${XAPI_DATABASE}.${RAW_XAPI_TABLE} ${ON_CLUSTER}
    ADD INDEX IF NOT EXISTS event_id_bloom event_id TYPE bloom_filter(0.0001) GRANULARITY 1;
ALTER TABLE ${XAPI_DATABASE}.${RAW_XAPI_TABLE} ${ON_CLUSTER}
    MATERIALIZE INDEX event_id_bloom;
