-- Which version of each staging model parsed the rows its table holds, so
-- that a changed model is reported as needing a backfill (tutoraspects/backfill.py).
CREATE TABLE IF NOT EXISTS ${META_DATABASE}.dbt_staging_versions ${ON_CLUSTER}
(
    model String,
    checksum String,
    recorded_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ${REPLICATED}ReplacingMergeTree(recorded_at)
ORDER BY model;
