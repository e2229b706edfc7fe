"""What learners do, session by session, as a stream of xAPI statements.

Each enrollment is simulated by its own generator with its own seeded random
generator, in chronological order; a learner's enrollments are merged by
timestamp. Nothing is kept beyond one learner's in-flight generators, so the
stream scales to any number of statements.
"""

from __future__ import annotations

import datetime
import heapq
import operator
from collections.abc import Iterator

from . import statements as xs
from .course_structure import Block, Course, build_courses
from .learners import Enrollment, Learner, iter_learners
from .spec import UTC, DemoSpec, random_hex

FORUM_TITLES = [
    "Question about the assignment", "Stuck on the second problem", "Study group?",
    "Typo in the reading", "Is the final exam open book?", "Great explanation in the video",
    "How is the course graded?", "Extra resources on this topic",
]
WORDS = ["alpha", "beta", "gamma", "delta", "energy", "market", "cell", "limit", "vector", "river"]


def generate_statements(spec: DemoSpec) -> Iterator[dict]:
    courses = build_courses(spec)
    threads = course_threads(spec, courses)
    for learner in iter_learners(spec, courses):
        yield from learner_statements(spec, learner, threads)


def course_threads(spec: DemoSpec, courses: list[Course]) -> dict[str, list[str]]:
    """The forum threads of each course, by course key."""
    return {c.key: [random_hex(spec.rng("threads", c.key, i), 24) for i in range(8)] for c in courses}


def learner_statements(spec: DemoSpec, learner: Learner, threads: dict[str, list[str]]) -> Iterator[dict]:
    """One learner's statements: each enrollment simulated on its own, merged by time."""
    streams = [EnrollmentSimulation(spec, e, threads[e.course.key]).run() for e in learner.enrollments]
    if len(streams) == 1:
        yield from streams[0]
    else:
        yield from heapq.merge(*streams, key=operator.itemgetter("timestamp"))


def estimate_statement_count(spec: DemoSpec) -> int:
    """About how many statements generate_statements(spec) yields (within a few percent)."""
    courses = build_courses(spec)
    total = 0
    for learner in iter_learners(spec, courses):
        for e in learner.enrollments:
            total += 1 + (e.upgraded_at is not None) + (e.unenrolled_at is not None) + round(e.budget * 1.23)
    return total


class EnrollmentSimulation:
    """One learner in one course: registration, sessions of activity, upgrades, unenrollment."""

    def __init__(self, spec: DemoSpec, enrollment: Enrollment, course_threads: list[str]):
        self.e = enrollment
        self.course: Course = enrollment.course
        self.rng = spec.rng("activity", enrollment.id)
        self.ctx = xs.StatementContext(self.rng, enrollment.learner.external_id, self.course)
        self.threads = course_threads
        self.t = enrollment.created.timestamp()  # the simulation clock, seconds since the epoch
        self.pointer = 0  # index in course.units of the next unit to study
        self.grades: dict[str, int] = {}  # problem location -> latest grade
        self.subsection_grades: dict[str, int] = {}  # graded subsection location -> points earned
        self.graded_earned = 0  # points earned in all graded subsections
        self.attempts: dict[str, int] = {}
        self.video_positions: dict[str, float] = {}
        self.passed = False
        self.failed_sent = False
        self.count = 0  # activity statements so far

    # ---------------------------------------------------------------- helpers

    def now(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self.t, UTC)

    def tick(self, low: float, high: float) -> datetime.datetime:
        self.t += self.rng.uniform(low, high)
        return self.now()

    # ------------------------------------------------------------------- flow

    def run(self) -> Iterator[dict]:
        e, rng = self.e, self.rng
        yield xs.enrollment(self.ctx, e.created, e.initial_mode)
        upgrade_pending = e.upgraded_at is not None
        end = e.activity_end.timestamp()
        for start in self.session_starts():
            if upgrade_pending and e.upgraded_at.timestamp() <= start:
                yield self.upgrade()
                upgrade_pending = False
            self.t = max(self.t + 60, start)
            if self.t >= end:
                break
            quota = self.count + max(3, round(e.budget / self.n_sessions * rng.uniform(0.6, 1.4)))
            self.ctx.new_session()
            for statement in self.session(quota):
                if self.t > end:  # the learner stops here (drops out or unenrolls)
                    break
                self.count += 1
                yield statement
            if self.count >= e.budget:
                break
        if upgrade_pending:
            yield self.upgrade()
        if e.unenrolled_at is not None:
            self.ctx.new_session()
            self.t = max(self.t + 1, e.unenrolled_at.timestamp())
            yield xs.enrollment(self.ctx, self.now(), e.mode, active=False)

    def upgrade(self) -> dict:
        """edx.course.enrollment.mode_changed: registered again, with the new mode."""
        self.t = max(self.t + 1, self.e.upgraded_at.timestamp())  # never before what came earlier
        return xs.enrollment(self.ctx, self.now(), self.e.mode)

    def session_starts(self) -> list[float]:
        e, rng = self.e, self.rng
        if e.budget == 0:
            self.n_sessions = 0
            return []
        self.n_sessions = max(1, round(e.budget / rng.uniform(10, 25)))
        first = e.created.timestamp() + rng.uniform(60, 900)
        last = max(first, e.activity_end.timestamp() - 1800)
        starts = sorted(rng.uniform(first, last) for _ in range(self.n_sessions))
        starts[0] = first if rng.random() < 0.6 else starts[0]  # many start right after enrolling
        return sorted(starts)

    def session(self, quota: int) -> Iterator[dict]:
        """Study units in course order from where the learner left off."""
        rng, units = self.rng, self.course.units
        if self.pointer >= len(units):  # finished the course: come back to review something
            self.pointer = rng.randrange(len(units))
        unit = units[self.pointer]
        # the outline opens the subsection at its first unit; a tab click moves on to where the learner left off
        yield xs.navigate_outline(self.ctx, self.tick(1, 20), unit.parent)
        if unit.unit_number > 1:
            yield xs.navigate_tab(self.ctx, self.tick(2, 15), unit.parent.children[0], unit.unit_number)
        while True:
            yield from self.study_unit(unit)
            if rng.random() < 0.07 and unit.unit_number > 1:  # look back at the previous unit
                yield xs.navigate_previous(self.ctx, self.tick(2, 20), unit)
                yield xs.navigate_next(self.ctx, self.tick(10, 90), unit.parent.children[unit.unit_number - 2])
            self.pointer += 1
            if self.count >= quota or self.pointer >= len(units):
                break
            # next unit: the "next" button (also across subsections) or a tab click
            if rng.random() < 0.8 or units[self.pointer].parent is not unit.parent:
                yield xs.navigate_next(self.ctx, self.tick(2, 30), unit)
            else:
                yield xs.navigate_tab(self.ctx, self.tick(2, 30), unit, units[self.pointer].unit_number)
            unit = units[self.pointer]
        if rng.random() < 0.06:
            yield self.forum_thread()
        if rng.random() < 0.08:
            yield self.forum_response()

    def study_unit(self, unit: Block) -> Iterator[dict]:
        e, rng = self.e, self.rng
        for block in unit.children:
            if block.block_type == "html":
                yield xs.block_progressed(self.ctx, self.tick(20, 240), block)
            elif block.block_type == "video":
                if rng.random() < 0.35 + 0.6 * e.diligence:
                    yield from self.watch_video(block)
            elif block.block_type == "problem":
                chance = (0.55 + 0.45 * e.diligence) if block.graded else (0.25 + 0.6 * e.diligence)
                if rng.random() < chance:
                    yield from self.answer_problem(block)
        self.tick(5, 60)

    # ----------------------------------------------------------------- videos

    def watch_video(self, video: Block) -> Iterator[dict]:
        rng, ctx, duration = self.rng, self.ctx, video.duration_seconds
        yield xs.video(ctx, self.tick(2, 10), xs.INITIALIZED, video)
        position = self.video_positions.get(video.location, 0.0)
        if position >= duration - 1:
            position = 0.0
        full = rng.random() < 0.3 + 0.6 * self.e.diligence
        target = duration if full else rng.uniform(position, duration) * rng.uniform(0.3, 1.0)
        target = max(target, min(duration, position + 5))
        while position < target:
            yield xs.video(ctx, self.tick(1, 5), xs.PLAYED, video, position)
            stop = min(target, position + rng.uniform(15, 300))
            self.t += stop - position  # watching at normal speed
            position = stop
            if position >= duration:
                break
            yield xs.video(ctx, self.now(), xs.PAUSED, video, position)
            if rng.random() < 0.2:  # jump back (re-watch) or skip ahead
                new = min(duration, max(0.0, position + rng.uniform(-90, 60)))
                yield xs.video_seek(ctx, self.tick(1, 3), video, position, new)
                position = new
            self.tick(2, 40)
        if position >= duration:
            yield xs.video(ctx, self.tick(0, 0.5), xs.COMPLETED, video)
            yield xs.video(ctx, self.tick(0, 0.5), xs.TERMINATED, video, duration)
            yield xs.block_progressed(ctx, self.tick(0.1, 1), video)
        self.video_positions[video.location] = position

    # --------------------------------------------------------------- problems

    def answer_problem(self, problem: Block) -> Iterator[dict]:
        rng, ctx = self.rng, self.ctx
        attempts = self.attempts.get(problem.location, 0)
        for _ in range(3):
            attempts += 1
            ts = self.tick(15, 240)
            correct = rng.random() < min(0.98, self.e.ability + 0.15 * (attempts - 1))
            grade = problem.max_score if correct else rng.randrange(problem.max_score)
            # one answer: the browser's and the server's problem_check, and the grades app's submission
            yield xs.problem_attempted(ctx, ts, problem)
            if problem.questions == 1:
                yield xs.problem_evaluated(ctx, self.tick(0.05, 0.4), problem, grade, attempts,
                                           self.response(problem, correct))
            else:  # one point per question: the first `grade` questions are right
                right = [k < grade for k in range(problem.questions)]
                yield from xs.problem_evaluated_questions(ctx, self.tick(0.05, 0.4), problem, right, attempts,
                                                          [self.response(problem, ok) for ok in right])
            yield xs.problem_submitted(ctx, self.tick(0.01, 0.1), problem, grade)
            first = problem.location not in self.grades
            previous = self.grades.get(problem.location, 0)
            self.grades[problem.location] = grade
            if first:
                yield xs.block_progressed(ctx, self.tick(0.01, 0.2), problem)
            if problem.graded:
                subsection = problem.parent.parent
                self.subsection_grades[subsection.location] = (
                    self.subsection_grades.get(subsection.location, 0) + grade - previous
                )
                self.graded_earned += grade - previous
                yield from self.grade_changed(subsection)
            if correct or rng.random() < 0.5:
                break
        self.attempts[problem.location] = attempts

    def response(self, problem: Block, correct: bool) -> str:
        kind = problem.response_type
        if kind in ("multiplechoiceresponse", "choiceresponse", "optionresponse"):
            return f"choice_{0 if correct else self.rng.randint(1, 3)}"
        if kind == "numericalresponse":
            return "42" if correct else str(self.rng.randint(0, 99))
        return WORDS[0] if correct else self.rng.choice(WORDS[1:])

    def grade_changed(self, subsection: Block) -> Iterator[dict]:
        """Subsection and course grades are recalculated; the first pass is announced."""
        ctx, course = self.ctx, self.course
        earned = self.subsection_grades[subsection.location]
        possible = course.subsection_possible[subsection.location]
        yield xs.subsection_earned(ctx, self.tick(0.2, 2), subsection, earned, possible)
        percent = round(self.graded_earned / course.total_graded_possible, 2)  # as edx-platform does
        passing = percent >= course.lowest_passing_grade
        yield xs.course_earned(ctx, self.tick(0.01, 0.3), percent, "Pass" if passing else "")
        if passing and not self.passed:
            self.passed = True
            yield xs.course_outcome(ctx, self.tick(0.01, 0.2), passed=True)
        elif not passing and not self.passed and not self.failed_sent and subsection is course.graded_subsections[-1]:
            self.failed_sent = True  # sat the final exam and is still below the passing grade
            yield xs.course_outcome(ctx, self.tick(0.01, 0.2), passed=False)

    # ------------------------------------------------------------------ forum

    def forum_thread(self) -> dict:
        thread_id = random_hex(self.rng, 24)
        thread_type = "question" if self.rng.random() < 0.6 else "discussion"
        return xs.forum_thread(self.ctx, self.tick(60, 600), thread_id, self.rng.choice(FORUM_TITLES), thread_type)

    def forum_response(self) -> dict:
        return xs.forum_response(self.ctx, self.tick(60, 600), self.rng.choice(self.threads), random_hex(self.rng, 24))
