"""Grade a class (or one shard of it) into an output folder: roster -> shard -> run -> gradebook.

The click layer only parses options and hands over two callables for I/O: ``say(line)`` for
one-line messages and ``progress(total)``, a context manager yielding ``tick(outcome)``.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..sandbox import Limits
from . import gradebook, manifest, provenance, roster, run, slots


@dataclass
class BatchRequest:
    day: object  # a loaded grader.course.manifest.Day
    submissions: Path
    out: Path
    jobs: int | None = None  # students graded at once; None: slots.auto_jobs()
    shard: tuple = (1, 1)
    force: bool = False
    students: tuple = ()  # regrade just these (they must be in the shard)
    student_timeout: float | None = None
    device: str = "cpu"
    limits: Limits = field(default_factory=Limits)
    cache: bool = True  # references from the on-disk cache (grader.judging.refcache); never changes a grade

    def options(self) -> dict:
        """The options that change a grade, recorded in every result's provenance."""
        return {"timeout": self.limits.timeout, "memory_mb": self.limits.memory_mb,
                "student_timeout": self.student_timeout}


@contextlib.contextmanager
def _silent(_total):
    yield lambda _outcome: None


def grade_class(request: BatchRequest, say=lambda _line: None, progress=_silent) -> list[Path]:
    """Grade the request's students into ``request.out``; returns the gradebook files written."""
    from ..engine import Grader, resolve_device

    names = roster.students(request.submissions)
    roster.check_class(request.submissions, request.day.name, names)
    assigned = roster.shard(names, *request.shard)
    unknown = sorted(set(request.students) - set(assigned))
    if unknown:
        raise UsageError(f"--students: not in shard {request.shard[0]}/{request.shard[1]} of "
                         f"{request.submissions}: {', '.join(unknown)}")
    device = resolve_device(request.device)
    setup = provenance.setup(request.day, device, request.options())
    out = request.out
    out.mkdir(parents=True, exist_ok=True)
    manifest.check_rerun(out, request.day.name, request.shard, names, setup, request.force or bool(request.students))
    if request.students:
        todo = sorted(request.students)
        _keep_only_same_setup(out, assigned, setup, todo)
    else:
        todo = run.pending(out, assigned, request.force, request.submissions, request.day.name)
    manifest.write(out, request.day.name, request.shard, names, assigned, setup)
    kept = len(assigned) - len(todo)
    jobs = min(request.jobs or slots.auto_jobs(), len(todo)) or 1  # a worker more than students is idle
    why = "kept (not named in --students)" if request.students else \
        "already graded with unchanged files (--force to regrade)"
    say(f"{len(assigned)} student(s) in shard {request.shard[0]}/{request.shard[1]}; {len(todo)} to grade"
        + (f", {jobs} at once" if todo else "") + (f", {kept} {why}" if kept else ""))
    if todo:
        pool = slots.start(request.day, jobs)
        cache = request.cache and _cache_beyond_jobs(pool, device, say)
        with Grader(request.day, device, request.limits, pool=pool, cache=cache) as grader, progress(len(todo)) as tick:
            run.run(grader, request.submissions, todo, out, jobs, request.student_timeout,
                    on_done=tick, lease=pool.lease, setup=setup)
    files = {n: path for n in assigned if (path := run.result_path(out, n)).is_file()}
    return gradebook.write(gradebook.read(files), out, say)


def _cache_beyond_jobs(pool, device: str, say) -> bool:
    """Whether no job can write the reference cache: Landlock confines its writes, it runs as a
    uid of its own, or (on the CPU) the seccomp filter lets it open no file. Otherwise one
    student's job could plant the references every later student is judged against, so the
    batch computes its own, as with --no-cache."""
    with pool.lease():
        level = pool.sandbox
    if level["landlock"] or level["uid_switch"] or (level["seccomp"] and device == "cpu"):
        return True
    say("note: jobs here run as you without Landlock (or seccomp), so one could write the reference cache: "
        "this batch computes its references afresh instead of reading it (as --no-cache)")
    return False


def _keep_only_same_setup(out: Path, assigned: list, setup: dict, todo: list) -> None:
    """Regrading a few students must not leave others graded with another set-up beside them."""
    stale = [n for n in assigned if n not in todo and run.result_path(out, n).is_file()
             and provenance.difference(run.stored_setup(out, n), setup)]
    if stale:
        raise UsageError(f"{len(stale)} other student(s) in {out} were graded with another set-up "
                         f"(e.g. {stale[0]}): regrade everyone with --force")
