"""Workers leased to one student at a time, so a student's time limit cuts only that student's jobs.

Rule: a student being graded holds one worker for all of its exercises, which run one after the
other in the student's own thread, and each exercise's timeout is cut to what is left of the
student's ``--student-timeout``, counted as the time their exercises ran (as the zygote measures
it), so waiting for a worker to start is never charged to a student. The zygote then kills the job
itself when the student's time runs out, so
no thread outlives its student and no job of theirs is left running when the next student starts.
A student whose time ran out gets their worker restarted before it is handed on, so the next
student starts on a fresh zygote whatever the last one left behind.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import queue
import threading
from concurrent.futures import Future

from ..sandbox import Worker
from ..workers import PRELOAD


WORKER_MIB = 1024  # a worker (about 300 MiB resident) and its job's headroom


def auto_jobs() -> int:
    """Students graded at once by default: one per core this process may use (a Slurm or
    taskset CPU set, a container's CPU quota), fewer where memory would not hold the workers."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cpus, _cpu_quota() or cpus, _available_mib() // WORKER_MIB))


def _cpu_quota() -> int | None:
    """cgroup v2's CPU limit (``docker --cpus``, Kubernetes limits), rounded up; None if none."""
    try:
        quota, period = open("/sys/fs/cgroup/cpu.max").read().split()[:2]
        return math.ceil(int(quota) / int(period))
    except (OSError, ValueError, ZeroDivisionError):  # "max": no limit; or no cgroup v2
        return None


def _available_mib() -> int:
    try:
        with open("/proc/meminfo") as meminfo:
            line = next(line for line in meminfo if line.startswith("MemAvailable:"))
        return int(line.split()[1]) // 1024
    except (OSError, StopIteration, ValueError, IndexError):
        return 1 << 30  # not Linux: cores alone decide


def start(day, jobs: int) -> "SlotPool":
    """``jobs`` workers armed with the day's forbidden calls and ops, one per student graded at once."""
    return SlotPool(Worker.several(jobs, day.forbidden_calls, day.forbidden_ops, preload=PRELOAD))


@dataclasses.dataclass
class Lease:
    worker: Worker
    seconds: float | None  # the student's time limit
    used: float = 0.0  # seconds their jobs have run so far
    cut: list = dataclasses.field(default_factory=list)  # functions stopped by the limit

    def remaining(self) -> float | None:
        return None if self.seconds is None else self.seconds - self.used


class Closed(BaseException):
    """Raised into a student's grading when the batch stops (Ctrl-C): a BaseException, so that no
    handler turns it into a result and nothing is written for a student who was cut short."""


class SlotPool:
    """Stands in for a :class:`~grader.sandbox.WorkerPool` under a Grader; jobs run on the caller's lease."""

    def __init__(self, workers: list[Worker]):
        self._workers = workers
        self._free: queue.Queue = queue.Queue()
        for worker in workers:
            self._free.put(worker)
        self._local = threading.local()
        self._closed = False
        self._sandbox = None

    @contextlib.contextmanager
    def lease(self, seconds: float | None = None):
        """Hold a worker for the current thread's student; ``seconds`` caps all of its jobs together."""
        worker = self._free.get()
        lease = Lease(worker, seconds)
        self._local.lease = lease
        try:
            yield lease
        finally:
            self._local.lease = None
            if self._closed:
                worker.close()  # the one Worker.run may have restarted after close() killed it
            elif lease.cut:
                worker.restart()
            self._free.put(worker)

    @property
    def sandbox(self) -> dict:
        """The sandbox level of the jobs, from the worker this thread holds (a worker serves one
        thread at a time); every worker runs on the same system."""
        if self._sandbox is None:
            lease = getattr(self._local, "lease", None)
            if lease is None:
                raise RuntimeError("SlotPool.sandbox outside a lease")
            self._sandbox = lease.worker.sandbox
        return self._sandbox

    def submit_all(self, tasks: list, device, limits) -> list:
        """Run the tasks now, on this thread's worker, within what is left of the student's time."""
        lease = getattr(self._local, "lease", None)
        if lease is None:
            raise RuntimeError("SlotPool.submit_all outside a lease")
        if self._closed:
            raise Closed()
        remaining = lease.remaining()
        results = lease.worker.run_all(tasks, device, limits, budget=remaining)
        if self._closed:
            raise Closed()
        futures = []
        for task, result in zip(tasks, results):
            if remaining is not None and remaining < limits.timeout and result.status == "timeout":
                lease.cut.append(task.function)
            lease.used += result.elapsed
            remaining = None if remaining is None else remaining - result.elapsed
            futures.append(Future())
            futures[-1].set_result(result)
        return futures

    def close(self):
        self._closed = True
        for worker in self._workers:
            worker.close()
