"""Start a day's sandboxed workers. Imports no torch, so a command can start the workers first
and let their torch import run beside the grader's own."""
from __future__ import annotations

from . import scan
from .course import yamlfile
from .course.manifest import Course, Day, forbidden
from .sandbox import WorkerPool

# What learner files may import, loaded once in each worker so jobs need no file access.
PRELOAD = tuple(m for m in scan.ALLOWED_MODULES if m not in ("torch", "__future__"))


def start(day: Day, jobs: int = 1) -> WorkerPool:
    """``jobs`` workers armed with the day's forbidden calls and ops."""
    return WorkerPool(jobs, day.forbidden_calls, day.forbidden_ops, preload=PRELOAD)


def start_early(course: str | None, day_name: str) -> WorkerPool | None:
    """A worker started from the day's day.yaml alone, before the rest of the day loads: its
    torch import is the longest step of a grade. None where that file cannot be read (loading
    the day then says why). Whoever uses it checks it against the loaded day (:func:`armed_for`)."""
    try:
        folder = Course.locate(course).root / day_name
        calls, ops = forbidden(yamlfile.load(folder / "day.yaml"))
    except Exception:  # noqa: BLE001 - any problem is reported by the full load that follows
        return None
    return WorkerPool(1, calls, ops, preload=PRELOAD)


def armed_for(pool: WorkerPool, day: Day) -> bool:
    return pool.guard == (day.forbidden_calls, day.forbidden_ops)
