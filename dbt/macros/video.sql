{#- The segments of a video (20 of 5% of its length each) that a watched
    stretch [start, end) overlaps: segment k covers [k * L / 20, (k + 1) * L / 20),
    so the stretch overlaps segments first .. end - 1. Shared by the course and
    learner heat maps. -#}
{% macro video_segment_first(start, length) -%}
toUInt8(least(floor({{ start }} * 20 / {{ length }}), 19))
{%- endmacro %}

{% macro video_segment_end(end, length) -%}
toUInt8(least(ceil({{ end }} * 20 / {{ length }}), 20))
{%- endmacro %}

{#- The overlapped segments' numbers. -#}
{% macro video_segments_overlapped(start, end, length) -%}
range({{ video_segment_first(start, length) }}, {{ video_segment_end(end, length) }})
{%- endmacro %}

{#- The same as 20 flags (1: overlapped), one per segment: summed with sumForEach,
    a learner's stretches add up without a row per segment. -#}
{% macro video_segment_flags(start, end, length) -%}
arrayMap(k -> toUInt32(k >= {{ video_segment_first(start, length) }} AND k < {{ video_segment_end(end, length) }}),
         range(toUInt8(20)))
{%- endmacro %}
