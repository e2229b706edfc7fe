"""Synthetic courses with a real Open edX outline.

course > sections (chapter) > subsections (sequential) > units (vertical) >
components (html, video, problem). Some subsections are graded with an
assignment type; problems carry a maximum score and videos a duration.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field

from .spec import UTC, DemoSpec, random_hex, random_uuid

# (course number, title, section titles)
CATALOG = [
    ("CS101", "Introduction to Computer Science",
     ["Getting Started", "Algorithms", "Data Structures", "Recursion", "Complexity", "Final Project"]),
    ("DS201", "Data Science Fundamentals",
     ["Working with Data", "Statistics", "Visualization", "Regression", "Classification", "Capstone"]),
    ("HIST110", "World History since 1500",
     ["Early Modern World", "Revolutions", "Industrialization", "Empires", "World Wars", "Globalization"]),
    ("BIO150", "Cell Biology",
     ["The Cell", "Membranes", "Metabolism", "Genetics", "Cell Division", "Review"]),
    ("ECON101", "Principles of Economics",
     ["Supply and Demand", "Markets", "Firms", "Macroeconomics", "Money and Banks", "Policy"]),
    ("MATH140", "Calculus I",
     ["Limits", "Derivatives", "Applications of Derivatives", "Integrals", "Techniques", "Series"]),
    ("PHYS120", "Mechanics",
     ["Kinematics", "Newton's Laws", "Energy", "Momentum", "Rotation", "Oscillations"]),
    ("ENG105", "Academic Writing",
     ["The Writing Process", "Argument", "Sources", "Style", "Revision", "Portfolio"]),
]
# The platform's content tags (Studio taxonomies): a tree per taxonomy, parents before children.
TAXONOMIES = {
    "Subject": {"Science": ["Computer Science", "Data Science", "Biology", "Mathematics", "Physics"],
                "Humanities": ["History", "Writing"], "Social Sciences": ["Economics"]},
    "Level": {"Introductory": [], "Intermediate": []},
}
SUBJECTS = {"CS101": "Computer Science", "DS201": "Data Science", "HIST110": "History", "BIO150": "Biology",
            "ECON101": "Economics", "MATH140": "Mathematics", "PHYS120": "Physics", "ENG105": "Writing"}


def course_tags(number: str) -> list[tuple[str, str]]:
    """(taxonomy, tag) pairs a course number is tagged with in Studio: its subject and level."""
    base = number.split("x")[0]
    level = "Intermediate" if int("".join(c for c in base if c.isdigit())) >= 200 else "Introductory"
    return [("Subject", SUBJECTS[base]), ("Level", level)]


ORG_NAMES = ["Org1", "Org2", "Org3", "Org4", "Org5", "Org6", "Org7", "Org8"]
ASSIGNMENT_TYPES = ["Homework", "Lab", "Midterm Exam"]
FINAL_EXAM = "Final Exam"
RESPONSE_TYPES = [  # (ERB response type, xAPI interaction type it maps to)
    ("multiplechoiceresponse", "choice"),
    ("choiceresponse", "choice"),
    ("optionresponse", "choice"),
    ("numericalresponse", "numeric"),
    ("stringresponse", "fill-in"),
]


@dataclass
class Block:
    """One block of a course outline (a course_blocks row, minus the dump columns)."""

    location: str
    block_type: str
    display_name: str
    parent: "Block | None"
    section_number: int = 0
    subsection_number: int = 0
    unit_number: int = 0
    display_order: int = 0
    graded: bool = False
    assignment_type: str = ""
    duration_seconds: float = 0.0  # videos
    max_score: int = 0  # problems
    response_type: str = ""  # problems
    question: str = ""  # problems
    questions: int = 1  # problems: several questions give one point each
    children: list["Block"] = field(default_factory=list)

    def questions_text(self) -> list[str]:
        if self.questions == 1:
            return [self.question]
        return [f"{self.question} (part {k})" for k in range(1, self.questions + 1)]

    @property
    def block_hex(self) -> str:
        return self.location.rsplit("@", 1)[1]


@dataclass
class Course:
    org: str
    number: str
    run: str
    key: str
    display_name: str
    lowest_passing_grade: float
    self_paced: bool
    created: datetime.datetime
    course_start: datetime.datetime
    course_end: datetime.datetime
    root: Block
    blocks: list[Block]  # depth-first order, course block first
    units: list[Block]  # verticals in course order
    graded_subsections: list[Block]
    subsection_possible: dict[str, int] = field(default_factory=dict)  # graded subsection -> max points
    total_graded_possible: int = 0

    def __post_init__(self):
        self.subsection_possible = {s.location: subsection_max_score(s) for s in self.graded_subsections}
        self.total_graded_possible = sum(self.subsection_possible.values())


def subsection_max_score(subsection: Block) -> int:
    return sum(c.max_score for unit in subsection.children for c in unit.children if c.block_type == "problem")


def course_run(start: datetime.date) -> str:
    """Open edX style run name: 2026_T1 (Jan-Apr), T2 (May-Aug), T3 (Sep-Dec)."""
    return f"{start.year}_T{(start.month - 1) // 4 + 1}"


def build_courses(spec: DemoSpec) -> list[Course]:
    """All courses of the instance, ``spec.orgs * spec.courses_per_org`` of them."""
    courses = []
    run = course_run(spec.start)
    index = 0
    for org_index in range(spec.orgs):
        org = ORG_NAMES[org_index] if org_index < len(ORG_NAMES) else f"Org{org_index + 1}"
        for _ in range(spec.courses_per_org):
            number, title, sections = CATALOG[index % len(CATALOG)]
            if index >= len(CATALOG):  # more courses than the catalog: number them
                number = f"{number}x{index // len(CATALOG)}"
            courses.append(_build_course(spec, org, number, run, title, sections))
            index += 1
    return courses


def _build_course(spec: DemoSpec, org: str, number: str, run: str, title: str, section_titles: list[str]) -> Course:
    rng = spec.rng("course", org, number)
    key = f"course-v1:{org}+{number}+{run}"
    block_prefix = f"block-v1:{org}+{number}+{run}+type@"

    def new_block(block_type, name, parent, **kw):
        block = Block(f"{block_prefix}{block_type}+block@{random_hex(rng)}", block_type, name, parent, **kw)
        if parent is not None:
            parent.children.append(block)
        return block

    root = Block(f"{block_prefix}course+block@course", "course", title, None)
    units, graded = [], []
    n_sections = rng.randint(3, 5)
    for s in range(1, n_sections + 1):
        section = new_block("chapter", f"{s}. {section_titles[s - 1]}", root, section_number=s)
        n_subsections = rng.randint(2, 3)
        for ss in range(1, n_subsections + 1):
            last = s == n_sections and ss == n_subsections
            assignment_type = FINAL_EXAM if last else (rng.choice(ASSIGNMENT_TYPES) if rng.random() < 0.4 else "")
            is_graded = bool(assignment_type)
            name = f"{s}.{ss} {assignment_type or 'Lesson'}"
            subsection = new_block("sequential", name, section, section_number=s, subsection_number=ss,
                                   graded=is_graded, assignment_type=assignment_type)
            if is_graded:
                graded.append(subsection)
            n_units = rng.randint(1, 3)
            for u in range(1, n_units + 1):
                numbers = dict(section_number=s, subsection_number=ss, unit_number=u,
                               graded=is_graded, assignment_type=assignment_type)
                unit = new_block("vertical", f"Unit {s}.{ss}.{u}", subsection, **numbers)
                units.append(unit)
                for kind in _unit_components(rng, is_graded, u == n_units):
                    _add_component(rng, new_block, kind, unit, numbers)

    blocks = []

    def walk(block):
        block.display_order = len(blocks)
        blocks.append(block)
        for child in block.children:
            walk(child)

    walk(root)
    created = spec.start_datetime() - datetime.timedelta(days=rng.randint(30, 90))
    return Course(
        org=org, number=number, run=run, key=key, display_name=title,
        lowest_passing_grade=rng.choice([0.5, 0.55, 0.6, 0.65, 0.7]),
        self_paced=rng.random() < 0.5,
        created=created,
        course_start=spec.start_datetime() - datetime.timedelta(days=rng.randint(0, 7)),
        course_end=spec.end_datetime() + datetime.timedelta(days=rng.randint(14, 60)),
        root=root, blocks=blocks, units=units, graded_subsections=graded,
    )


def _unit_components(rng, graded: bool, last_unit: bool) -> list[str]:
    """Component types of one unit: lessons mix pages, videos and practice problems."""
    if graded:
        return ["html"] * (rng.random() < 0.3) + ["problem"] * rng.randint(1, 3)
    kinds = [rng.choice(["html", "video", "video", "html"])]
    if rng.random() < 0.5:
        kinds.append(rng.choice(["video", "html"]))
    if last_unit or rng.random() < 0.25:
        kinds.append("problem")
    return kinds


def _add_component(rng, new_block, kind: str, unit: Block, numbers: dict) -> None:
    index = len(unit.children) + 1
    if kind == "video":
        new_block("video", f"Video {unit.display_name[5:]}.{index}", unit,
                  duration_seconds=float(rng.randint(60, 900)), **numbers)
    elif kind == "problem":
        response_type, _ = rng.choice(RESPONSE_TYPES)
        max_score = rng.choice([1, 1, 1, 2, 3])
        # half of the problems worth several points ask one question per point
        questions = max_score if max_score > 1 and rng.random() < 0.5 else 1
        new_block("problem", f"Problem {unit.display_name[5:]}.{index}", unit,
                  max_score=max_score, response_type=response_type, questions=questions,
                  question=f"Question {unit.display_name[5:]}.{index}: choose the best answer.", **numbers)
    else:
        new_block("html", f"Reading {unit.display_name[5:]}.{index}", unit, **numbers)


def interaction_type(response_type: str) -> str:
    return dict(RESPONSE_TYPES).get(response_type, "other")


# ---------------------------------------------------------------- sink rows


def course_overview_rows(spec: DemoSpec, courses: list[Course]) -> list[dict]:
    dumped = spec.start_datetime() - datetime.timedelta(days=1)
    rows = []
    for course in courses:
        rng = spec.rng("course-dump", course.key)
        rows.append({
            "org": course.org,
            "course_key": course.key,
            "display_name": course.display_name,
            "course_start": _whole_seconds(course.course_start),
            "course_end": _whole_seconds(course.course_end),
            "enrollment_start": _whole_seconds(course.course_start - datetime.timedelta(days=30)),
            "enrollment_end": None,
            "self_paced": course.self_paced,
            "lowest_passing_grade": course.lowest_passing_grade,
            "course_data_json": json.dumps({
                "grading_policy": {"GRADE_CUTOFFS": {"Pass": course.lowest_passing_grade}},
                "number": course.number, "run": course.run,
            }),
            "created": _whole_seconds(course.created),
            "modified": _whole_seconds(dumped),
            "dump_id": random_uuid(rng),
            "time_last_dumped": dumped,
        })
    return rows


def course_block_rows(spec: DemoSpec, courses: list[Course]) -> list[dict]:
    dumped = spec.start_datetime() - datetime.timedelta(days=1)
    rows = []
    for course in courses:
        rng = spec.rng("blocks-dump", course.key)
        dump_id = random_uuid(rng)
        for block in course.blocks:
            data = {}
            if block.block_type == "video":
                data = {"duration": block.duration_seconds}
            elif block.block_type == "problem":
                data = {"max_score": block.max_score, "response_type": block.response_type}
            elif block.block_type == "sequential" and block.graded:
                data = {"format": block.assignment_type}
            rows.append({
                "org": course.org,
                "course_key": course.key,
                "location": block.location,
                "parent_location": block.parent.location if block.parent else "",
                "block_type": block.block_type,
                "display_name": block.display_name,
                "section_number": block.section_number,
                "subsection_number": block.subsection_number,
                "unit_number": block.unit_number,
                "display_order": block.display_order,
                "graded": block.graded,
                "assignment_type": block.assignment_type,
                "duration_seconds": block.duration_seconds,
                "xblock_data_json": json.dumps(data),
                "edited_on": _whole_seconds(course.created),
                "dump_id": dump_id,
                "time_last_dumped": dumped,
            })
    return rows


def _whole_seconds(value: datetime.datetime) -> datetime.datetime:
    """A DateTime column value: UTC, whole seconds, timezone-aware (no local-time surprise)."""
    return value.astimezone(UTC).replace(microsecond=0)
