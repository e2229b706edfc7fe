{{ config(
    refreshable=mart_refresh(),
    engine='MergeTree',
    order_by='(period, period_start)',
) }}
-- Operator dashboard, "Active Learners": distinct learners active on the
-- instance per day, week (from Monday) and month. Active = visited a page,
-- played a video, answered a problem or posted in the forum (the same
-- activity as int_learner_course_state's visits).
{{ active_learners_per_period(by_org=false) }}
