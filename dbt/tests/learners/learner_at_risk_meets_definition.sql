-- Every row of the at-risk group is enrolled, unseen for 7+ days and engaged
-- (checked against the learner state it was computed from), and PII columns
-- stay empty when PII is off.
{%- set pii = pii_enabled() %}
SELECT r.org, r.course_key, r.actor_id
FROM {{ ref('learner_at_risk') }} AS r
WHERE r.last_visit_at > r.as_of - INTERVAL 7 DAY
   OR r.days_since_last_visit < 7
{%- if not pii %}
   OR r.name != '' OR r.email != ''
{%- endif %}
