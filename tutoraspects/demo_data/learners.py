"""Synthetic learners, their enrollments, and the event-sink rows about them.

Everything a learner will do is planned here (which courses, which track,
when they enroll, upgrade, unenroll or stop engaging, how much they do), so
the event-sink rows and the xAPI statements simulated later agree.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from .course_structure import Course
from .spec import DemoSpec, random_uuid

FIRST_NAMES = [
    "Ada", "Alan", "Amara", "Ana", "Bruno", "Chen", "Chloe", "Dario", "Elena", "Emeka", "Fatima", "Hana",
    "Ivan", "Jamal", "Julia", "Kenji", "Lena", "Lucas", "Maya", "Mateo", "Nadia", "Omar", "Priya", "Rafael",
    "Sara", "Sofia", "Tariq", "Uma", "Viktor", "Wei", "Yara", "Zoe",
]
LAST_NAMES = [
    "Adeyemi", "Bauer", "Costa", "Dubois", "Eriksen", "Fernandez", "Garcia", "Haddad", "Ito", "Jensen",
    "Kowalski", "Lopez", "Martin", "Nguyen", "Okafor", "Petrov", "Quinn", "Rossi", "Silva", "Tanaka",
    "Usman", "Varga", "Wang", "Xu", "Yilmaz", "Zimmermann",
]
COUNTRIES = ["US", "US", "US", "IN", "IN", "BR", "MX", "NG", "GB", "DE", "FR", "ES", "CN", "JP", "EG", "CA", ""]
GENDERS = ["m", "f", "f", "m", "o", ""]
EDUCATION = ["hs", "a", "b", "b", "m", "p", "jhs", "none", ""]
MODES = [("audit", 0.5), ("verified", 0.3), ("honor", 0.12), ("professional", 0.08)]

#: Engagement profiles: share of enrollments, and how much of the activity budget they use.
INACTIVE, DROPOUT, STEADY, COMPLETER = "inactive", "dropout", "steady", "completer"
STATEMENTS_PER_UNIT = 8  # about what studying one unit fully takes
MIN_DROPOUT_IDLE_DAYS = 8  # dropouts go quiet this many days or more before `end` (at-risk: 7+)


@dataclass
class Learner:
    user_id: int
    username: str
    name: str
    email: str
    external_id: str  # the xAPI actor's account name (external_ids, type "xapi")
    country: str
    year_of_birth: int | None
    gender: str
    level_of_education: str
    enrollments: list["Enrollment"] = field(default_factory=list)


@dataclass
class Enrollment:
    id: int
    learner: Learner
    course: Course
    mode: str  # current track
    initial_mode: str  # track at registration (audit when later upgraded)
    created: datetime.datetime  # registration time
    upgraded_at: datetime.datetime | None
    unenrolled_at: datetime.datetime | None
    profile: str  # INACTIVE, DROPOUT, STEADY or COMPLETER (works through the whole course)
    activity_end: datetime.datetime  # no activity after this
    budget: int  # number of activity statements to aim for
    ability: float  # chance to answer a problem right on one try
    diligence: float  # chance to watch a video in full, to answer every problem

    @property
    def is_active(self) -> bool:
        return self.unenrolled_at is None


def build_learners(spec: DemoSpec, courses: list[Course]) -> list[Learner]:
    """All learners with their planned enrollments, in user_id order."""
    return list(iter_learners(spec, courses))


def iter_learners(spec: DemoSpec, courses: list[Course]) -> Iterator[Learner]:
    """The same learners one at a time (the statement stream never holds them all)."""
    rng = spec.rng("learners")
    popularity = [rng.uniform(0.5, 2.0) for _ in courses]
    enrollment_id = 0
    for index in range(spec.learners):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        user_id = 1000 + index
        username = f"{first.lower()}_{last.lower()}{index}"
        learner = Learner(
            user_id=user_id,
            username=username,
            name=f"{first} {last}",
            email=f"{username}@example.com",
            external_id=str(random_uuid(rng)),
            country=rng.choice(COUNTRIES),
            year_of_birth=rng.randint(1960, 2008) if rng.random() < 0.8 else None,
            gender=rng.choice(GENDERS),
            level_of_education=rng.choice(EDUCATION),
        )
        n_courses = min(len(courses), rng.choices([1, 2, 3], weights=[5, 3, 2])[0])
        chosen = set()
        while len(chosen) < n_courses:
            chosen.add(rng.choices(range(len(courses)), weights=popularity)[0])
        for course_index in sorted(chosen):
            enrollment_id += 1
            learner.enrollments.append(_plan_enrollment(spec, rng, enrollment_id, learner, courses[course_index]))
        yield learner


def _plan_enrollment(spec: DemoSpec, rng, enrollment_id: int, learner: Learner, course: Course) -> Enrollment:
    start, end = spec.start_datetime(), spec.end_datetime()
    span = end - start
    # Most learners enroll early in the run, a long tail later; never in the last hours.
    created = start + (span - datetime.timedelta(hours=6)) * (rng.random() ** 2)
    created = created.replace(microsecond=rng.randrange(1_000_000))
    mode = rng.choices([m for m, _ in MODES], weights=[w for _, w in MODES])[0]
    initial_mode, upgraded_at = mode, None
    if mode == "verified" and rng.random() < 0.4:
        initial_mode = "audit"
        upgraded_at = created + (end - created) * rng.uniform(0.05, 0.5)

    last_moment = end - datetime.timedelta(hours=4)  # sessions end before `end`
    dropout_latest = end - datetime.timedelta(days=MIN_DROPOUT_IDLE_DAYS, hours=4)
    draw = rng.random()
    if draw < 0.1:
        profile = INACTIVE
    elif draw < 0.38 and created + datetime.timedelta(days=1) < dropout_latest:
        profile = DROPOUT
    elif draw < 0.55 and end - created > datetime.timedelta(days=3):
        profile = COMPLETER
    else:
        profile = STEADY

    unenrolled_at = None
    if rng.random() < 0.08:
        unenrolled_at = created + (end - created) * rng.uniform(0.1, 0.9)
        if upgraded_at and upgraded_at > unenrolled_at:
            mode, upgraded_at = initial_mode, None

    if profile == DROPOUT:
        activity_end = created + (dropout_latest - created) * rng.uniform(0.15, 1.0)
    else:
        activity_end = last_moment
    if unenrolled_at is not None:
        activity_end = min(activity_end, unenrolled_at)

    average = spec.events_per_learner_course
    if profile == INACTIVE or activity_end <= created:
        budget = 0
    elif profile == COMPLETER:  # enough to go through the course and sit the final exam
        budget = round(max(average * rng.uniform(1.5, 3.0), STATEMENTS_PER_UNIT * len(course.units) * rng.uniform(1.0, 1.3)))
    else:
        share = (activity_end - created) / (last_moment - start)
        budget = max(6, round(average * rng.uniform(0.3, 1.2) * min(1.0, 0.3 + 1.4 * share)))
    return Enrollment(
        id=enrollment_id, learner=learner, course=course, mode=mode, initial_mode=initial_mode,
        created=created, upgraded_at=upgraded_at, unenrolled_at=unenrolled_at, profile=profile,
        activity_end=activity_end, budget=budget,
        ability=rng.uniform(0.35, 0.95), diligence=rng.uniform(0.2, 0.9),
    )


# ---------------------------------------------------------------- sink rows


def _whole_seconds(value: datetime.datetime) -> datetime.datetime:
    return value.replace(microsecond=0)


def enrollment_rows(spec: DemoSpec, learners: list[Learner]) -> list[dict]:
    """course_enrollments: the final state of each enrollment, as the last statement left it."""
    rng = spec.rng("enrollments-dump")
    rows = []
    for learner in learners:
        for e in learner.enrollments:
            changed = max(t for t in (e.created, e.upgraded_at, e.unenrolled_at) if t is not None)
            rows.append({
                "id": e.id,
                "user_id": learner.user_id,
                "course_key": e.course.key,
                "created": _whole_seconds(e.created),
                "is_active": e.is_active,
                "mode": e.mode,
                "dump_id": random_uuid(rng),
                "time_last_dumped": changed,
            })
    return rows


def user_profile_rows(spec: DemoSpec, learners: list[Learner]) -> list[dict]:
    rng = spec.rng("profiles-dump")
    return [
        {
            "user_id": learner.user_id,
            "username": learner.username,
            "name": learner.name,
            "email": learner.email,
            "country": learner.country,
            "year_of_birth": learner.year_of_birth,
            "gender": learner.gender,
            "level_of_education": learner.level_of_education,
            "dump_id": random_uuid(rng),
            "time_last_dumped": _first_enrollment(learner),
        }
        for learner in learners
    ]


def external_id_rows(spec: DemoSpec, learners: list[Learner]) -> list[dict]:
    rng = spec.rng("external-ids-dump")
    return [
        {
            "external_user_id": learner.external_id,
            "external_id_type": "xapi",
            "user_id": learner.user_id,
            "username": learner.username,
            "dump_id": random_uuid(rng),
            "time_last_dumped": _first_enrollment(learner),
        }
        for learner in learners
    ]


def _first_enrollment(learner: Learner) -> datetime.datetime:
    return min(e.created for e in learner.enrollments) - datetime.timedelta(minutes=5)
