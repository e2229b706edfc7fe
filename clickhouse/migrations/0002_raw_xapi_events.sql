-- Raw xAPI statements as the LRS writes them. A statement re-sent with the
-- same id and timestamp (retries, replayed backfills) shares the sorting key
-- and is merged away; models downstream also deduplicate on event_id.
-- The TTL is (re)applied by every init from ASPECTS_DATA_TTL_DAYS.
CREATE TABLE IF NOT EXISTS ${XAPI_DATABASE}.${RAW_XAPI_TABLE} ${ON_CLUSTER}
(
    event_id UUID COMMENT 'xAPI statement id',
    emission_time DateTime64(6, 'UTC') COMMENT 'statement timestamp',
    event String COMMENT 'the statement as JSON'
)
ENGINE = ${REPLICATED}ReplacingMergeTree
PARTITION BY toYYYYMM(emission_time)
ORDER BY (emission_time, event_id)
COMMENT 'xAPI statements written by the Ralph LRS';
