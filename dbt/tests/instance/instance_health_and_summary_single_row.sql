-- instance_health and instance_summary hold exactly one row each.
SELECT 'instance_health' AS model, count() AS rows FROM {{ ref('instance_health') }} HAVING count() != 1
UNION ALL
SELECT 'instance_summary', count() FROM {{ ref('instance_summary') }} HAVING count() != 1
