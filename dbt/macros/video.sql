{#- The segments of a video (20 of 5% of its length each) that a watched
    stretch [start, end) overlaps: segment k covers [k * L / 20, (k + 1) * L / 20).
    Shared by the course and learner heat maps. -#}
{% macro video_segments_overlapped(start, end, length) -%}
range(toUInt8(least(floor({{ start }} * 20 / {{ length }}), 19)),
      toUInt8(least(ceil({{ end }} * 20 / {{ length }}), 20)))
{%- endmacro %}
