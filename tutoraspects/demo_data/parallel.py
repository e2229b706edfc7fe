"""The demo statements rendered as raw-table rows in parallel processes, for bulk loads at scale.

generate_statements is bound by Python on one core. Here learners are planned
in this process (cheap: one seeded generator for all of them) and simulated
and rendered in worker processes (each enrollment has its own seeded
generator), LEARNERS_PER_TASK learners per task. Results are taken in task
order, so the rows are byte-identical to rendering generate_statements(spec)
one by one, whatever the number of workers.
"""

from __future__ import annotations

import collections
import io
import multiprocessing
import os
import pickle
from collections.abc import Iterator

from ..loading import batched, render_tsv_row
from .course_structure import Course, build_courses
from .learners import iter_learners
from .simulation import course_threads, learner_statements
from .spec import DemoSpec

LEARNERS_PER_TASK = 50
TASKS_AHEAD = 4  # tasks in flight per worker: enough to keep workers busy, bounded memory

_worker: dict = {}  # per worker process: the spec, its courses by key, their forum threads


class _LearnersPickler(pickle.Pickler):
    """Learners refer to their courses: send a course's key, each worker has the courses already."""

    def persistent_id(self, obj):
        return obj.key if isinstance(obj, Course) else None


class _LearnersUnpickler(pickle.Unpickler):
    def persistent_load(self, key):
        return _worker["courses"][key]


def _start_worker(spec: DemoSpec) -> None:
    courses = build_courses(spec)
    _worker.update(spec=spec, courses={c.key: c for c in courses}, threads=course_threads(spec, courses))


def _render(task: bytes) -> list[bytes]:
    learners = _LearnersUnpickler(io.BytesIO(task)).load()
    return [render_tsv_row(statement, 0)
            for learner in learners
            for statement in learner_statements(_worker["spec"], learner, _worker["threads"])]


def _task(learners: list) -> bytes:
    buffer = io.BytesIO()
    _LearnersPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(learners)
    return buffer.getvalue()


def rendered_rows(spec: DemoSpec, workers: int | None = None) -> Iterator[bytes]:
    """Every statement of generate_statements(spec) as a raw-table row (render_tsv_row), in order."""
    workers = workers or os.cpu_count() or 1
    tasks = (_task(chunk) for chunk in batched(iter_learners(spec, build_courses(spec)), LEARNERS_PER_TASK))
    # spawn: a fresh interpreter per worker, whatever threads or connections this process holds
    with multiprocessing.get_context("spawn").Pool(workers, initializer=_start_worker, initargs=(spec,)) as pool:
        pending: collections.deque = collections.deque()
        for task in tasks:
            pending.append(pool.apply_async(_render, (task,)))
            if len(pending) >= workers * TASKS_AHEAD:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
