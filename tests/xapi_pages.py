"""Pages (units) a navigation statement counts as visited, in Python, for tests
to compare the marts with (docs/data-model.md, "Pages"; independent of the SQL).

Sequence tab/next/previous: the unit the learner is on (the object in the
Learning MFE; the starting-position-th unit of the object subsection in the
legacy courseware) and the destination (tab: the target position in the same
subsection; next/previous: the neighbour in course order). Outline click: the
linked unit, or the first unit of the linked subsection. Links: nothing.
"""

from __future__ import annotations

import re

BLOCK_KEY = re.compile(r"block-v1:[^/\"?#]+")
MODULE_TYPE = "http://adlnet.gov/expapi/activities/module"
RESOURCE_TYPE = "http://id.tincanapi.com/activitytype/resource"
STARTING_POSITION = "http://id.tincanapi.com/extension/starting-position"
ENDING_POINT = "http://id.tincanapi.com/extension/ending-point"


def visited_units(statement: dict, units: list[dict]) -> list[str]:
    """Unit keys visited; `units`: the course's unit (vertical) sink rows in course order."""
    match = BLOCK_KEY.search(statement["object"]["id"])
    kind = statement["object"].get("definition", {}).get("type")
    if not match or kind not in (MODULE_TYPE, RESOURCE_TYPE):
        return []
    key = match.group(0)
    position = {u["location"]: i for i, u in enumerate(units)}

    def members(subsection: str) -> list[int]:
        return [i for i, u in enumerate(units) if u["parent_location"] == subsection]

    if kind == MODULE_TYPE:
        if key in position:
            return [key]
        return [units[members(key)[0]]["location"]] if members(key) else []
    extensions = statement["context"].get("extensions", {})
    start, end = extensions.get(STARTING_POSITION, 0), extensions.get(ENDING_POINT)
    if key in position:  # Learning MFE: the object is the unit the learner is on
        origin = position[key]
        subsection = members(units[origin]["parent_location"])
    else:  # legacy courseware: the object is the subsection
        subsection = members(key)
        origin = subsection[start - 1] if 1 <= start <= len(subsection) else None
    destination = None
    if end == "next unit" and origin is not None:
        destination = origin + 1
    elif end == "previous unit" and origin is not None:
        destination = origin - 1
    elif isinstance(end, int) and 1 <= end <= len(subsection):
        destination = subsection[end - 1]
    return [units[i]["location"] for i in (origin, destination) if i is not None and 0 <= i < len(units)]
