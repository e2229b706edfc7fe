-- Event sink in the layout platform-plugin-aspects writes from the LMS and
-- Studio: `INSERT INTO event_sink.<table> FORMAT CSV` with no column list, so
-- the columns are matched by POSITION and must stay in this order. Values
-- that may be None arrive as "" and stay String here (dbt staging parses
-- them); booleans arrive as True/False; time_last_dumped as
-- "YYYY-MM-DD hh:mm:ss.ffffff+00:00" (the sink user's profile reads dates
-- best-effort). Every table keeps the newest dump of each row
-- (ReplacingMergeTree on time_last_dumped). Existing installs: the tables of
-- 0003 are copied over and dropped.

RENAME TABLE ${EVENT_SINK_DATABASE}.course_overviews TO ${EVENT_SINK_DATABASE}.course_overviews_0003,
             ${EVENT_SINK_DATABASE}.course_blocks TO ${EVENT_SINK_DATABASE}.course_blocks_0003 ${ON_CLUSTER};

CREATE TABLE IF NOT EXISTS ${EVENT_SINK_DATABASE}.course_overviews ${ON_CLUSTER}
(
    org String,
    course_key String,
    display_name String,
    course_start String,
    course_end String,
    enrollment_start String,
    enrollment_end String,
    self_paced Bool,
    course_data_json String COMMENT 'lowest_passing_grade, language, tags, ...',
    created DateTime64(6, 'UTC'),
    modified DateTime64(6, 'UTC'),
    dump_id UUID,
    time_last_dumped DateTime64(6, 'UTC')
)
ENGINE = ${REPLICATED}ReplacingMergeTree(time_last_dumped)
ORDER BY (org, course_key)
COMMENT 'platform-plugin-aspects: one row per course run, newest dump wins';

CREATE TABLE IF NOT EXISTS ${EVENT_SINK_DATABASE}.course_blocks ${ON_CLUSTER}
(
    org String,
    course_key String,
    location String COMMENT 'block usage key',
    display_name String,
    xblock_data_json String COMMENT 'block_type, section, subsection, unit (1-based outline numbers), graded, detached, completion_mode, tags, video times',
    `order` Int32 COMMENT '1-based depth-first position in the course; detached blocks after the tree',
    edited_on String,
    dump_id UUID COMMENT 'one id per course publish',
    time_last_dumped DateTime64(6, 'UTC')
)
ENGINE = ${REPLICATED}ReplacingMergeTree(time_last_dumped)
ORDER BY (org, course_key, location)
COMMENT 'platform-plugin-aspects: course structure, every block at every course publish';

CREATE TABLE IF NOT EXISTS ${EVENT_SINK_DATABASE}.course_enrollment ${ON_CLUSTER}
(
    id Int64,
    course_key String,
    created DateTime64(6, 'UTC'),
    is_active Bool,
    mode String COMMENT 'enrollment track: audit, verified, ...',
    username String,
    user_id Int64,
    dump_id UUID,
    time_last_dumped DateTime64(6, 'UTC')
)
ENGINE = ${REPLICATED}ReplacingMergeTree(time_last_dumped)
ORDER BY (course_key, user_id)
COMMENT 'platform-plugin-aspects: current enrollment of each learner in each course';

CREATE TABLE IF NOT EXISTS ${EVENT_SINK_DATABASE}.user_profile ${ON_CLUSTER}
(
    id Int64,
    user_id Int64,
    name String COMMENT 'PII: full name',
    username String,
    email String COMMENT 'PII: email address',
    meta String,
    courseware String,
    language String,
    location String,
    year_of_birth Nullable(Int16),
    gender String,
    level_of_education String,
    mailing_address String,
    city String,
    country String,
    state String,
    goals String,
    bio String,
    profile_image_uploaded_at String,
    phone_number String,
    dump_id UUID,
    time_last_dumped DateTime64(6, 'UTC')
)
ENGINE = ${REPLICATED}ReplacingMergeTree(time_last_dumped)
ORDER BY user_id
COMMENT 'platform-plugin-aspects, PII: learner profiles, read only where PII is enabled';

CREATE TABLE IF NOT EXISTS ${EVENT_SINK_DATABASE}.external_id ${ON_CLUSTER}
(
    external_user_id String COMMENT 'the id xAPI statements carry as actor account name',
    external_id_type String COMMENT 'xapi, lti, ...',
    username String,
    user_id Int64,
    dump_id UUID,
    time_last_dumped DateTime64(6, 'UTC')
)
ENGINE = ${REPLICATED}ReplacingMergeTree(time_last_dumped)
ORDER BY (external_id_type, external_user_id)
COMMENT 'platform-plugin-aspects: maps anonymous xAPI actor ids to LMS users';

CREATE TABLE IF NOT EXISTS ${EVENT_SINK_DATABASE}.tag ${ON_CLUSTER}
(
    id Int64,
    taxonomy Int64,
    parent Nullable(Int64),
    value String,
    external_id String,
    lineage String COMMENT 'JSON list of the tag values from the root',
    dump_id UUID,
    time_last_dumped DateTime64(6, 'UTC')
)
ENGINE = ${REPLICATED}ReplacingMergeTree(time_last_dumped)
ORDER BY id
COMMENT 'platform-plugin-aspects: course tags';

CREATE TABLE IF NOT EXISTS ${EVENT_SINK_DATABASE}.taxonomy ${ON_CLUSTER}
(
    id Int64,
    name String,
    dump_id UUID,
    time_last_dumped DateTime64(6, 'UTC')
)
ENGINE = ${REPLICATED}ReplacingMergeTree(time_last_dumped)
ORDER BY id
COMMENT 'platform-plugin-aspects: tag taxonomies';

CREATE TABLE IF NOT EXISTS ${EVENT_SINK_DATABASE}.object_tag ${ON_CLUSTER}
(
    id Int64,
    object_id String COMMENT 'usage or course key tagged',
    taxonomy Nullable(Int64),
    tag Nullable(Int64),
    _value String,
    _export_id String,
    lineage String,
    dump_id UUID,
    time_last_dumped DateTime64(6, 'UTC')
)
ENGINE = ${REPLICATED}ReplacingMergeTree(time_last_dumped)
ORDER BY (object_id, id)
COMMENT 'platform-plugin-aspects: tags on courses and blocks';

INSERT INTO ${EVENT_SINK_DATABASE}.course_overviews
SELECT org, course_key, display_name,
       ifNull(toString(course_start), ''), ifNull(toString(course_end), ''),
       ifNull(toString(enrollment_start), ''), ifNull(toString(enrollment_end), ''),
       self_paced,
       if(JSONHas(course_data_json, 'lowest_passing_grade'), course_data_json,
          concat('{"lowest_passing_grade": ', toString(round(toFloat64(lowest_passing_grade), 6)), '}')),
       created, modified, dump_id, time_last_dumped
FROM ${EVENT_SINK_DATABASE}.course_overviews_0003 FINAL;

INSERT INTO ${EVENT_SINK_DATABASE}.course_blocks
SELECT org, course_key, location, display_name,
       concat('{"block_type": "', block_type, '", "detached": 0, "graded": ', toString(toUInt8(graded)),
              ', "section": ', toString(section_number), ', "subsection": ', toString(subsection_number),
              ', "unit": ', toString(unit_number), '}'),
       toInt32(display_order), toString(edited_on), dump_id, time_last_dumped
FROM ${EVENT_SINK_DATABASE}.course_blocks_0003 FINAL;

INSERT INTO ${EVENT_SINK_DATABASE}.course_enrollment
SELECT toInt64(e.id), e.course_key, e.created, e.is_active, e.mode, ifNull(p.username, ''), toInt64(e.user_id),
       e.dump_id, e.time_last_dumped
FROM ${EVENT_SINK_DATABASE}.course_enrollments AS e FINAL
LEFT JOIN (SELECT user_id, username FROM ${EVENT_SINK_DATABASE}.user_profiles FINAL) AS p ON p.user_id = e.user_id
SETTINGS join_use_nulls = 1;

INSERT INTO ${EVENT_SINK_DATABASE}.user_profile
    (id, user_id, name, username, email, year_of_birth, gender, level_of_education, country, dump_id, time_last_dumped)
SELECT toInt64(user_id), toInt64(user_id), name, username, email, year_of_birth, gender, level_of_education, country,
       dump_id, time_last_dumped
FROM ${EVENT_SINK_DATABASE}.user_profiles FINAL;

INSERT INTO ${EVENT_SINK_DATABASE}.external_id
SELECT external_user_id, external_id_type, username, toInt64(user_id), dump_id, time_last_dumped
FROM ${EVENT_SINK_DATABASE}.external_ids FINAL;

DROP TABLE IF EXISTS ${EVENT_SINK_DATABASE}.course_overviews_0003 ${ON_CLUSTER} SYNC;
DROP TABLE IF EXISTS ${EVENT_SINK_DATABASE}.course_blocks_0003 ${ON_CLUSTER} SYNC;
DROP TABLE IF EXISTS ${EVENT_SINK_DATABASE}.course_enrollments ${ON_CLUSTER} SYNC;
DROP TABLE IF EXISTS ${EVENT_SINK_DATABASE}.user_profiles ${ON_CLUSTER} SYNC;
DROP TABLE IF EXISTS ${EVENT_SINK_DATABASE}.external_ids ${ON_CLUSTER} SYNC;
