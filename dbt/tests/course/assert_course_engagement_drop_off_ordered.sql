-- Drop-off can only go down: "all" never exceeds "at least one", which never
-- exceeds the learners active in the section or subsection.
SELECT 'section' AS level, org, course_key, section_id AS id
FROM {{ ref('course_section_engagement') }}
WHERE learners_all_pages > learners_any_page OR learners_all_videos > learners_any_video
   OR learners_all_problems > learners_any_problem
   OR greatest(learners_any_page, learners_any_video, learners_any_problem) > learners_any_activity
UNION ALL
SELECT 'subsection', org, course_key, subsection_id
FROM {{ ref('course_subsection_engagement') }}
WHERE learners_all_pages > learners_any_page OR learners_all_videos > learners_any_video
   OR learners_all_problems > learners_any_problem
   OR greatest(learners_any_page, learners_any_video, learners_any_problem) > learners_any_activity
