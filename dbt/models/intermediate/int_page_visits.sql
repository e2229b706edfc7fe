{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.int_course_blocks_mv']),
    engine='MergeTree',
    order_by='(org, course_key, actor_id, unit_id, visit_date)',
) }}
-- One row per learner, page (unit) and day visited (docs/data-model.md, "Pages").
-- A sequence navigation statement shows the learner on one unit (the origin:
-- the object itself in the Learning MFE; the starting-position-th unit of the
-- object subsection in the legacy courseware) and sends them to another (the
-- destination: the target_position-th unit of the same subsection for a tab,
-- the next or previous unit in course order, so "next" from a subsection's last
-- unit enters the next subsection). Both count as visited. An outline click
-- opens the first unit of the subsection (or section) it links to, where a
-- learner's first visit of a subsection lands; a link to a unit opens that unit.
WITH
blocks AS (
    SELECT org, course_key, location, block_type, unit_index, section_id, subsection_id
    FROM {{ ref('int_course_blocks') }}
    WHERE block_type IN ('chapter', 'sequential', 'vertical')
),
units AS (
    SELECT org, course_key, location AS unit_id, unit_index, section_number, subsection_number,
           unit_number, section_id, subsection_id
    FROM {{ ref('int_course_blocks') }}
    WHERE block_type = 'vertical'
),
subsection_units AS (
    SELECT org, course_key, subsection_id, min(unit_index) AS first_unit_index, toUInt32(count()) AS unit_count
    FROM units
    GROUP BY org, course_key, subsection_id
),
section_units AS (
    SELECT org, course_key, section_id, min(unit_index) AS first_unit_index
    FROM units
    GROUP BY org, course_key, section_id
),
resolved AS (
    SELECT nav.org AS org, nav.course_key AS course_key, nav.actor_id AS actor_id,
           nav.emission_time AS emission_time, nav.navigation AS navigation, blocks.block_type AS block_type,
           blocks.unit_index AS block_unit_index, nav.starting_position AS starting_position,
           nav.target_position AS target_position,
           subsection_units.first_unit_index AS subsection_first, subsection_units.unit_count AS subsection_size,
           section_units.first_unit_index AS section_first
    FROM {{ ref('stg_navigation_events') }} AS nav
    INNER JOIN blocks
        ON blocks.org = nav.org AND blocks.course_key = nav.course_key AND blocks.location = nav.block_id
    LEFT JOIN subsection_units
        ON subsection_units.org = nav.org AND subsection_units.course_key = nav.course_key
       AND subsection_units.subsection_id = blocks.subsection_id
    LEFT JOIN section_units
        ON section_units.org = nav.org AND section_units.course_key = nav.course_key
       AND section_units.section_id = blocks.section_id
    WHERE nav.navigation != 'other'
),
positions AS (
    SELECT org, course_key, actor_id, emission_time,
        -- course-wide unit_index of the unit the learner is on (0: none)
        toUInt32(multiIf(
            navigation = 'outline', 0,
            block_type = 'vertical', block_unit_index,
            block_type = 'sequential' AND starting_position BETWEEN 1 AND subsection_size,
                subsection_first + starting_position - 1,
            0)) AS origin,
        toUInt32(multiIf(
            navigation = 'outline',
                multiIf(block_type = 'vertical', block_unit_index, block_type = 'sequential', subsection_first,
                        section_first),
            navigation = 'tab' AND target_position BETWEEN 1 AND subsection_size, subsection_first + target_position - 1,
            navigation = 'next' AND origin > 0, origin + 1,
            navigation = 'previous' AND origin > 1, origin - 1,
            0)) AS destination
    FROM resolved
),
navigation AS (
    -- (unit, arrived here): the origin only shows the learner was there
    SELECT org, course_key, actor_id, emission_time, toDate(emission_time) AS visit_date,
           visit.1 AS unit_index, visit.2 AS is_arrival
    FROM positions
    ARRAY JOIN arrayFilter(v -> v.1 > 0, [(origin, 0), (destination, 1)]) AS visit
)
SELECT
    navigation.org AS org,
    navigation.course_key AS course_key,
    navigation.actor_id AS actor_id,
    units.unit_id AS unit_id,
    navigation.visit_date AS visit_date,
    any(units.section_number) AS section_number,
    any(units.subsection_number) AS subsection_number,
    any(units.unit_number) AS unit_number,
    any(units.section_id) AS section_id,
    any(units.subsection_id) AS subsection_id,
    toUInt32(countIf(navigation.is_arrival = 1)) AS visits,
    min(navigation.emission_time) AS first_visited_at,
    max(navigation.emission_time) AS last_visited_at
FROM navigation
INNER JOIN units
    ON units.org = navigation.org AND units.course_key = navigation.course_key
   AND units.unit_index = navigation.unit_index
GROUP BY org, course_key, actor_id, unit_id, visit_date
SETTINGS final = 1, join_use_nulls = 0
