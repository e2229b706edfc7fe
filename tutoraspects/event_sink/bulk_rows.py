"""Event-sink rows for synthetic bulk loads, without the LMS plugin.

The demo and the tests fill the event sink with platform-plugin-aspects's
own code (plugin_runner.py, in a virtual environment of its own). Benchmarks
load hundreds of thousands of learners, where starting Django and dumping
row by row costs minutes: this module gives the same rows from the same
platform state, inserted directly. tests/test_event_sink_plugin.py checks
that both give identical rows (ids and dump times aside), so the two cannot drift.
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Iterator

SINK_TABLES = ("course_overviews", "course_blocks", "user_profile", "external_id", "course_enrollment", "taxonomy",
               "tag", "object_tag")


def plugin_layout_rows(state: dict, dumped_at: datetime.datetime | None = None) -> dict[str, list[dict]]:
    """Rows of each event-sink table, columns named and ordered as the plugin writes them."""
    dumped_at = dumped_at or datetime.datetime.now(datetime.timezone.utc)
    rows: dict[str, list[dict]] = {table: [] for table in SINK_TABLES}
    tags = {tag["id"]: tag for tag in state.get("tags", [])}

    def lineage(tag: dict) -> list[dict]:
        """The tag and its parents, root first."""
        return (lineage(tags[tag["parent"]]) if tag.get("parent") else []) + [tag]

    for taxonomy in state.get("taxonomies", []):
        rows["taxonomy"].append({"id": taxonomy["id"], "name": taxonomy["name"], "dump_id": uuid.uuid4(),
                                 "time_last_dumped": dumped_at})
    for tag in tags.values():
        # a root tag's parent: the plugin's empty CSV field, stored as 0 (not NULL)
        rows["tag"].append({"id": tag["id"], "taxonomy": tag["taxonomy"], "parent": tag.get("parent") or 0,
                            "value": tag["value"], "external_id": tag.get("external_id") or "",
                            "lineage": json.dumps([t["value"] for t in lineage(tag)]), "dump_id": uuid.uuid4(),
                            "time_last_dumped": dumped_at})
    for course in state["courses"]:
        for tag_id in course.get("tags", []):
            tag = tags[tag_id]
            rows["object_tag"].append({
                "id": len(rows["object_tag"]) + 1, "object_id": course["course_key"], "taxonomy": tag["taxonomy"],
                "tag": tag_id, "_value": tag["value"], "_export_id": str(tag["taxonomy"]),
                "lineage": json.dumps([t["value"] for t in lineage(tag)]), "dump_id": uuid.uuid4(),
                "time_last_dumped": dumped_at})
        dump_id = uuid.uuid4()
        rows["course_overviews"].append({
            "org": course["org"], "course_key": course["course_key"], "display_name": course["display_name"],
            "course_start": _plugin_date(course["start"]), "course_end": _plugin_date(course["end"]),
            "enrollment_start": _plugin_date(course["enrollment_start"]),
            "enrollment_end": _plugin_date(course["enrollment_end"]),
            "self_paced": course["self_paced"],
            # the applied tags and their parents (the plugin's get_tags_for_block)
            "course_data_json": json.dumps({
                "lowest_passing_grade": float(course["lowest_passing_grade"]),
                "tags": sorted({t["id"] for tag_id in course.get("tags", []) for t in lineage(tags[tag_id])})}),
            "created": _datetime(course["created"]), "modified": _datetime(course["modified"]),
            "dump_id": dump_id, "time_last_dumped": dumped_at,
        })
        for order, (block, numbers) in enumerate(_outline(course), start=1):
            data = {"block_type": block["block_type"], "detached": 0, "graded": int(bool(block["graded"])),
                    "section": numbers[0], "subsection": numbers[1], "unit": numbers[2]}
            if block["block_type"] == "video":
                data.update(video_start_time=block["start_time"] or 0, video_end_time=block["end_time"] or 0)
            rows["course_blocks"].append({
                "org": course["org"], "course_key": course["course_key"], "location": block["location"],
                "display_name": block["display_name"], "xblock_data_json": json.dumps(data), "order": order,
                "edited_on": _plugin_date(block["edited_on"]), "dump_id": dump_id, "time_last_dumped": dumped_at,
            })
    usernames = {user["id"]: user["username"] for user in state["users"]}
    for user in state["users"]:
        rows["user_profile"].append({
            "id": user["id"], "user_id": user["id"], "name": user["name"], "username": user["username"],
            "email": user["email"], "meta": "", "courseware": "course.xml", "language": "", "location": "",
            "year_of_birth": user["year_of_birth"], "gender": user["gender"],
            "level_of_education": user["level_of_education"], "mailing_address": "", "city": "",
            "country": user["country"], "state": "", "goals": "", "bio": "", "profile_image_uploaded_at": "",
            "phone_number": "", "dump_id": uuid.uuid4(), "time_last_dumped": dumped_at,
        })
        rows["external_id"].append({
            "external_user_id": user["external_user_id"], "external_id_type": "xapi", "username": user["username"],
            "user_id": user["id"], "dump_id": uuid.uuid4(), "time_last_dumped": dumped_at,
        })
    for enrollment in state["enrollments"]:
        rows["course_enrollment"].append({
            "id": enrollment["id"], "course_key": enrollment["course_key"],
            "created": _datetime(enrollment["created"]), "is_active": enrollment["is_active"],
            "mode": enrollment["mode"], "username": usernames[enrollment["user_id"]],
            "user_id": enrollment["user_id"], "dump_id": uuid.uuid4(), "time_last_dumped": dumped_at,
        })
    return rows


def _outline(course: dict) -> Iterator[tuple[dict, tuple[int, int, int]]]:
    """Blocks depth-first from the course block, with (section, subsection, unit) as the plugin numbers them."""
    course_block = {"location": course["course_key"].replace("course-v1:", "block-v1:") + "+type@course+block@course",
                    "block_type": "course", "display_name": course["display_name"], "graded": False,
                    "edited_on": course["modified"], "start_time": None, "end_time": None, "children": course["blocks"]}
    numbers = [0, 0, 0]

    def walk(block):
        kind = block["block_type"]
        if kind == "chapter":
            numbers[:] = [numbers[0] + 1, 0, 0]
        elif kind == "sequential":
            numbers[1:] = [numbers[1] + 1, 0]
        elif kind == "vertical":
            numbers[2] += 1
        yield block, tuple(numbers)
        for child in block["children"]:
            yield from walk(child)

    yield from walk(course_block)


def _datetime(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def _plugin_date(value: str | None) -> str:
    """A date the plugin sends as str(datetime) ("" for None)."""
    return str(_datetime(value)) if value else ""
