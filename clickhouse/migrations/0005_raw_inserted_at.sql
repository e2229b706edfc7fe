-- When each statement was stored, so the operator dashboard can show
-- ingestion lag (inserted_at - emission_time). Rows stored before this
-- migration read as the time of reading; marts look at recent rows only.
ALTER TABLE ${XAPI_DATABASE}.${RAW_XAPI_TABLE} ${ON_CLUSTER}
    ADD COLUMN IF NOT EXISTS inserted_at DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(DoubleDelta, ZSTD)
    COMMENT 'time the statement was stored';
