-- The statement's verb IRI, parsed once as the row is stored: each staging
-- materialized view picks its verb family by this column instead of parsing
-- the JSON again (seven views, one parse). Rows stored before this
-- migration compute it when read.
ALTER TABLE ${XAPI_DATABASE}.${RAW_XAPI_TABLE} ${ON_CLUSTER}
    ADD COLUMN IF NOT EXISTS verb_id LowCardinality(String) MATERIALIZED JSONExtractString(event, 'verb', 'id')
    COMMENT 'xAPI verb IRI (parsed on insert)';
