"""What to generate: the one knob set every demo data function takes."""

from __future__ import annotations

import datetime
import random
import uuid
from dataclasses import dataclass

#: Where the synthetic LMS lives: xAPI actors' homePage and activity ids use it.
LMS_URL = "http://local.openedx.io"

UTC = datetime.timezone.utc


def default_end(now: datetime.datetime | None = None) -> datetime.date:
    """The default last activity day: the last whole day (UTC) before ``now``.

    Demo data is anchored to the day it is generated, so "active in the last
    7 days" and the at-risk group (judged against the marts' current time) are
    meaningful on a fresh demo; every event lies in the past. The output is
    deterministic for a given ``end``: pass one to reproduce a data set.
    """
    now = now or datetime.datetime.now(UTC)
    return now.astimezone(UTC).date() - datetime.timedelta(days=1)


@dataclass(frozen=True)
class DemoSpec:
    """Size and seed of a synthetic Open edX instance.

    ``end`` defaults to yesterday (UTC, see default_end) and ``start`` to
    60 days before ``end`` (both are dates once the spec is built).
    """

    seed: int = 1
    orgs: int = 2
    courses_per_org: int = 2
    learners: int = 200
    start: datetime.date = None  # type: ignore[assignment]  # set in __post_init__
    end: datetime.date = None  # type: ignore[assignment]  # set in __post_init__
    events_per_learner_course: int = 40

    def __post_init__(self):
        if self.end is None:
            object.__setattr__(self, "end", default_end())
        if self.start is None:
            object.__setattr__(self, "start", self.end - datetime.timedelta(days=60))
        if self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        if self.orgs < 1 or self.courses_per_org < 1 or self.learners < 1:
            raise ValueError("orgs, courses_per_org and learners must be at least 1")

    @property
    def days(self) -> int:
        """Number of activity days, both ends included."""
        return (self.end - self.start).days + 1

    def start_datetime(self) -> datetime.datetime:
        return datetime.datetime.combine(self.start, datetime.time(0, 0), tzinfo=UTC)

    def end_datetime(self) -> datetime.datetime:
        """The last moment of the last activity day."""
        return datetime.datetime.combine(self.end, datetime.time(23, 59, 59), tzinfo=UTC)

    def rng(self, *scope: object) -> random.Random:
        """A random generator for one part of the data, independent of the others.

        Seeding from (seed, scope) keeps each part stable when another part
        changes (e.g. more learners do not change the course structure).
        """
        return random.Random("/".join(str(s) for s in (self.seed, *scope)))


def random_hex(rng: random.Random, digits: int = 32) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"


def random_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)
