-- Event sink: state the LMS and Studio publish besides xAPI. Every table keeps
-- the newest dump of each row (ReplacingMergeTree on time_last_dumped).

CREATE TABLE IF NOT EXISTS ${EVENT_SINK_DATABASE}.course_overviews ${ON_CLUSTER}
(
    org LowCardinality(String),
    course_key String,
    display_name String,
    course_start Nullable(DateTime),
    course_end Nullable(DateTime),
    enrollment_start Nullable(DateTime),
    enrollment_end Nullable(DateTime),
    self_paced Bool,
    lowest_passing_grade Float32 COMMENT 'course grade (0-1) needed to pass',
    course_data_json String,
    created DateTime,
    modified DateTime,
    dump_id UUID,
    time_last_dumped DateTime64(6, 'UTC')
)
ENGINE = ${REPLICATED}ReplacingMergeTree(time_last_dumped)
ORDER BY (org, course_key)
COMMENT 'one row per course run, newest dump wins';

CREATE TABLE IF NOT EXISTS ${EVENT_SINK_DATABASE}.course_blocks ${ON_CLUSTER}
(
    org LowCardinality(String),
    course_key String,
    location String COMMENT 'block usage key',
    parent_location String COMMENT 'usage key of the parent block, empty for the course',
    block_type LowCardinality(String) COMMENT 'course, chapter, sequential, vertical, html, video, problem, ...',
    display_name String,
    section_number UInt16 COMMENT '1-based position of the section (chapter)',
    subsection_number UInt16 COMMENT '1-based position of the subsection in its section, 0 for a section',
    unit_number UInt16 COMMENT '1-based position of the unit in its subsection, 0 above units',
    display_order UInt32 COMMENT 'position of the block in a depth-first walk of the course',
    graded Bool COMMENT 'the block is (or is inside) a graded subsection',
    assignment_type LowCardinality(String) COMMENT 'grading format of a graded subsection, e.g. Homework',
    duration_seconds Float32 COMMENT 'video length, 0 for other blocks',
    xblock_data_json String,
    edited_on DateTime,
    dump_id UUID,
    time_last_dumped DateTime64(6, 'UTC')
)
ENGINE = ${REPLICATED}ReplacingMergeTree(time_last_dumped)
ORDER BY (org, course_key, location)
COMMENT 'course structure: sections > subsections > units > components';

CREATE TABLE IF NOT EXISTS ${EVENT_SINK_DATABASE}.course_enrollments ${ON_CLUSTER}
(
    id UInt64,
    user_id UInt64,
    course_key String,
    created DateTime,
    is_active Bool,
    mode LowCardinality(String) COMMENT 'enrollment track: audit, verified, ...',
    dump_id UUID,
    time_last_dumped DateTime64(6, 'UTC')
)
ENGINE = ${REPLICATED}ReplacingMergeTree(time_last_dumped)
ORDER BY (course_key, user_id)
COMMENT 'current enrollment of each learner in each course';

CREATE TABLE IF NOT EXISTS ${EVENT_SINK_DATABASE}.user_profiles ${ON_CLUSTER}
(
    user_id UInt64,
    username String,
    name String COMMENT 'PII: full name',
    email String COMMENT 'PII: email address',
    country LowCardinality(String),
    year_of_birth Nullable(UInt16),
    gender LowCardinality(String),
    level_of_education LowCardinality(String),
    dump_id UUID,
    time_last_dumped DateTime64(6, 'UTC')
)
ENGINE = ${REPLICATED}ReplacingMergeTree(time_last_dumped)
ORDER BY user_id
COMMENT 'PII: learner profiles, read only where PII is enabled';

CREATE TABLE IF NOT EXISTS ${EVENT_SINK_DATABASE}.external_ids ${ON_CLUSTER}
(
    external_user_id String COMMENT 'the id xAPI statements carry as actor account name',
    external_id_type LowCardinality(String) COMMENT 'xapi, ...',
    user_id UInt64,
    username String,
    dump_id UUID,
    time_last_dumped DateTime64(6, 'UTC')
)
ENGINE = ${REPLICATED}ReplacingMergeTree(time_last_dumped)
ORDER BY (external_id_type, external_user_id)
COMMENT 'maps anonymous xAPI actor ids to LMS users';
