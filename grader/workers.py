"""Start a day's sandboxed workers. Imports no torch, so a command can start the workers first
and let their torch import run beside the grader's own."""
from __future__ import annotations

from . import scan
from .course.manifest import Day
from .sandbox import WorkerPool

# What learner files may import, loaded once in each worker so jobs need no file access.
PRELOAD = tuple(m for m in scan.ALLOWED_MODULES if m not in ("torch", "__future__"))


def start(day: Day, jobs: int = 1) -> WorkerPool:
    """``jobs`` workers armed with the day's forbidden calls and ops."""
    return WorkerPool(jobs, day.forbidden_calls, day.forbidden_ops, preload=PRELOAD)
