{{ config(
    refreshable=mart_refresh(depends_on=[this.schema ~ '.int_learner_course_state_mv',
                                         this.schema ~ '.int_problem_attempts_mv',
                                         this.schema ~ '.int_video_views_mv',
                                         this.schema ~ '.course_video_segments_mv']),
    engine='MergeTree',
    order_by='(org, course_key)',
) }}
-- Course Comparison dashboard, one row per course run: its course and run,
-- tags, enrollments, learner performance and its breakdown, video engagement.
-- Every figure is kept as counts and sums, so the dashboard's course-level
-- charts add runs up exactly (ratios are computed from the sums; the median
-- grade from every run's grades).
WITH
courses AS (
    SELECT org, course_key, display_name FROM {{ ref('stg_sink_course_overviews') }}
),
course_tags AS (
    SELECT org, course_key,
           arraySort(groupUniqArray(if(taxonomy = '', tag, concat(taxonomy, ': ', tag)))) AS tags
    FROM {{ ref('stg_sink_course_tags') }}
    GROUP BY org, course_key
),
learners AS (
    SELECT org, course_key,
           toUInt32(count()) AS enrollments,
           toUInt32(countIf(is_enrolled)) AS active_enrollments,
           -- completed = passed, whether still enrolled or not (as the Institutional dashboard counts it)
           toUInt32(countIf(has_passed)) AS completed_learners,
           -- currently enrolled learners in four groups that add up to active_enrollments
           toUInt32(countIf(is_enrolled AND has_passed)) AS passed_learners,
           toUInt32(countIf({{ is_at_risk() }})) AS at_risk_learners,
           toUInt32(countIf(is_enrolled AND NOT has_passed AND NOT {{ is_at_risk() }} AND has_engaged))
               AS active_learners,
           toUInt32(countIf(is_enrolled AND NOT has_passed AND NOT has_engaged)) AS not_started_learners,
           toUInt32(countIf(is_enrolled AND last_visit_at >= as_of - INTERVAL 7 DAY)) AS active_last_7_days,
           toUInt32(countIf(is_enrolled AND course_grade IS NOT NULL)) AS graded_learners,
           sumIf(assumeNotNull(course_grade), is_enrolled AND course_grade IS NOT NULL) AS grade_sum,
           {{ median_course_grade('course_grade', 'is_enrolled') }} AS median_grade,
           groupArrayIf(assumeNotNull(course_grade), is_enrolled AND course_grade IS NOT NULL) AS grades,
           max(as_of) AS refreshed_at
    FROM {{ ref('int_learner_course_state') }}
    WHERE enrolled_at > toDateTime64(0, 6, 'UTC')
    GROUP BY org, course_key
),
problems AS (
    SELECT org, course_key,
           toUInt32(count()) AS first_attempts,
           toUInt32(countIf(first_correct)) AS first_attempts_correct
    FROM {{ ref('int_problem_attempts') }}
    GROUP BY org, course_key
),
videos AS (
    SELECT org, course_key,
           toUInt32(count()) AS videos,
           sum(duration_seconds) AS video_seconds
    FROM {{ ref('int_course_blocks') }}
    WHERE block_type = 'video'
    GROUP BY org, course_key
),
video_views AS (
    SELECT org, course_key,
           toUInt32(uniqExact(video_id)) AS videos_watched,
           toUInt32(count()) AS video_viewings,
           sum(watched_seconds) AS watched_seconds
    FROM {{ ref('int_video_views') }}
    GROUP BY org, course_key
),
segments AS (
    SELECT org, course_key,
           toUInt32(count()) AS video_segments,
           toUInt32(countIf(viewers > 0)) AS video_segments_watched,
           toUInt32(countIf(views > viewers)) AS video_segments_rewatched
    FROM {{ ref('course_video_segments') }}
    GROUP BY org, course_key
)
SELECT
    learners.org AS org,
    learners.course_key AS course_key,
    -- course-v1:Org+Number+Run (or Org/Number/Run): the course is Org+Number, the run is Run
    ifNull(nullIf(extract(learners.course_key, '^(?:course-v1:)?(.+)[+/][^+/]+$'), ''), learners.course_key) AS course,
    extract(learners.course_key, '[+/]([^+/]+)$') AS course_run,
    if(courses.display_name = '', learners.course_key, courses.display_name) AS course_name,
    course_tags.tags AS tags,
    arrayStringConcat(course_tags.tags, ', ') AS tag_list,
    learners.enrollments AS enrollments,
    learners.active_enrollments AS active_enrollments,
    learners.active_last_7_days AS active_last_7_days,
    learners.completed_learners AS completed_learners,
    learners.passed_learners AS passed_learners,
    learners.at_risk_learners AS at_risk_learners,
    learners.active_learners AS active_learners,
    learners.not_started_learners AS not_started_learners,
    learners.graded_learners AS graded_learners,
    learners.grade_sum AS grade_sum,
    if(learners.graded_learners = 0, NULL, round(learners.grade_sum / learners.graded_learners, 4)) AS avg_grade,
    learners.median_grade AS median_grade,
    learners.grades AS grades,
    problems.first_attempts AS first_attempts,
    problems.first_attempts_correct AS first_attempts_correct,
    round(100 * if(problems.first_attempts = 0, 0, problems.first_attempts_correct / problems.first_attempts), 2)
        AS first_attempt_pct_correct,
    videos.videos AS videos,
    videos.video_seconds AS video_seconds,
    video_views.videos_watched AS videos_watched,
    video_views.video_viewings AS video_viewings,
    video_views.watched_seconds AS watched_seconds,
    round(if(video_views.video_viewings = 0, 0, video_views.watched_seconds / video_views.video_viewings), 1)
        AS avg_watched_seconds,
    segments.video_segments AS video_segments,
    segments.video_segments_watched AS video_segments_watched,
    segments.video_segments_rewatched AS video_segments_rewatched,
    round(100 * if(segments.video_segments = 0, 0, segments.video_segments_watched / segments.video_segments), 2)
        AS watched_pct,
    round(100 * if(segments.video_segments = 0, 0, segments.video_segments_rewatched / segments.video_segments), 2)
        AS rewatched_pct,
    learners.refreshed_at AS as_of
FROM learners
LEFT JOIN courses ON courses.org = learners.org AND courses.course_key = learners.course_key
LEFT JOIN course_tags ON course_tags.org = learners.org AND course_tags.course_key = learners.course_key
LEFT JOIN problems ON problems.org = learners.org AND problems.course_key = learners.course_key
LEFT JOIN videos ON videos.org = learners.org AND videos.course_key = learners.course_key
LEFT JOIN video_views ON video_views.org = learners.org AND video_views.course_key = learners.course_key
LEFT JOIN segments ON segments.org = learners.org AND segments.course_key = learners.course_key
SETTINGS join_use_nulls = 0
