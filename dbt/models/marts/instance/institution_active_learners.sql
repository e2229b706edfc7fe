{{ config(
    refreshable=mart_refresh(),
    engine='MergeTree',
    order_by='(org, period, period_start)',
) }}
-- Institutional and operator dashboards, "Active Users Per Organization":
-- distinct learners active in an org's courses per day, week (from Monday) and
-- month. Active = visited a page, played a video, answered a problem or
-- posted in the forum. Not additive across orgs (a learner can be in several):
-- instance-wide figures are in instance_active_learners.
{{ active_learners_per_period(by_org=true) }}
