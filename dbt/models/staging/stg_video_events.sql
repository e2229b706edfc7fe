{{ config(order_by='(org, course_key, video_id, actor_id, emission_time, event_id)') }}
-- Video player: loaded (initialized), played, paused, stopped (terminated),
-- completed, seeked. Mobile edx.video.* events arrive with the same shapes.
SELECT
    {{ xapi_common_columns() }},
    {{ block_key("JSONExtractString(event, 'object', 'id')") }} AS video_id,
    JSONExtractFloat(event, 'context', 'extensions', 'https://w3id.org/xapi/video/extensions/length') AS video_length,
    if(verb = 'seeked',
       JSONExtractFloat(event, 'result', 'extensions', 'https://w3id.org/xapi/video/extensions/time-to'),
       JSONExtractFloat(event, 'result', 'extensions', 'https://w3id.org/xapi/video/extensions/time')) AS video_time,
    JSONExtractFloat(event, 'result', 'extensions', 'https://w3id.org/xapi/video/extensions/time-from') AS video_time_from
FROM {{ source('xapi', 'xapi_events_all') }}
WHERE {{ verb_in([
    'http://adlnet.gov/expapi/verbs/initialized',
    'https://w3id.org/xapi/video/verbs/played',
    'https://w3id.org/xapi/video/verbs/paused',
    'http://adlnet.gov/expapi/verbs/terminated',
    'http://adlnet.gov/expapi/verbs/completed',
    'https://w3id.org/xapi/video/verbs/seeked',
]) }}
