{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.int_course_blocks_mv']),
    engine='MergeTree',
    order_by='(org, course_key, actor_id, unit_id)',
) }}
-- One row per learner and page (unit) visited. A navigation statement names
-- a subsection and a 1-based unit position in it; the unit is the
-- subsection's first unit + position - 1 in course order, so "next" from the
-- last unit of a subsection is the first unit of the next subsection.
WITH
units AS (
    SELECT org, course_key, location AS unit_id, unit_index, section_number, subsection_number,
           unit_number, section_id, subsection_id
    FROM {{ ref('int_course_blocks') }}
    WHERE block_type = 'vertical'
),
subsection_starts AS (
    SELECT org, course_key, subsection_id, min(unit_index) AS first_unit_index
    FROM units
    GROUP BY org, course_key, subsection_id
),
navigation AS (
    SELECT nav.org AS org, nav.course_key AS course_key, nav.actor_id AS actor_id,
           nav.emission_time AS emission_time,
           toUInt32(starts.first_unit_index + nav.unit_position - 1) AS unit_index
    FROM {{ ref('stg_navigation_events') }} AS nav
    INNER JOIN subsection_starts AS starts
        ON starts.org = nav.org AND starts.course_key = nav.course_key AND starts.subsection_id = nav.subsection_id
    WHERE nav.unit_position >= 1
)
SELECT
    navigation.org AS org,
    navigation.course_key AS course_key,
    navigation.actor_id AS actor_id,
    units.unit_id AS unit_id,
    any(units.section_number) AS section_number,
    any(units.subsection_number) AS subsection_number,
    any(units.unit_number) AS unit_number,
    any(units.section_id) AS section_id,
    any(units.subsection_id) AS subsection_id,
    toUInt32(count()) AS visits,
    min(navigation.emission_time) AS first_visited_at,
    max(navigation.emission_time) AS last_visited_at
FROM navigation
INNER JOIN units
    ON units.org = navigation.org AND units.course_key = navigation.course_key
   AND units.unit_index = navigation.unit_index
GROUP BY org, course_key, actor_id, unit_id
SETTINGS final = 1
