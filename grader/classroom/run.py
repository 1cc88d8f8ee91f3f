"""Grade every student of a class with one warm Grader: N students at a time, results on disk.

Each student's result is written as ``students/<name>.json`` (the ``grade DAY --format json``
schema plus a ``provenance`` record) as soon as it is known, so an interrupted batch resumes where
it stopped, and regrades a student whose files changed since. Whatever goes wrong with one student
(a missing folder, their time limit, a grader fault on their files) becomes that student's result;
the batch goes on.
"""
from __future__ import annotations

import contextlib
import json
import os
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..results import DayResult, ExerciseResult
from ..submission import student_submission
from . import provenance

STUDENTS_DIR = "students"


@dataclass
class Outcome:
    student: str
    result: DayResult
    seconds: float


@dataclass
class _NoLease:
    cut: list = field(default_factory=list)


@contextlib.contextmanager
def no_lease(_seconds=None):
    """For graders whose pool needs no per-student lease (and for tests)."""
    yield _NoLease()


def result_path(out: Path, student: str) -> Path:
    return out / STUDENTS_DIR / f"{student}.json"


def pending(out: Path, names: list[str], force: bool, submissions: Path | None = None, day: str = "") -> list[str]:
    """The students still to grade: all with ``force``, else those without a result file or whose
    files changed since it was written (when ``submissions`` is given)."""
    if force:
        return list(names)
    return [n for n in names if not result_path(out, n).is_file()
            or (submissions is not None
                and _stored(out, n).get("files") != provenance.file_hashes(student_submission(submissions, n), day))]


def _stored(out: Path, student: str) -> dict:
    try:
        record = json.loads(result_path(out, student).read_text(encoding="utf-8"))["provenance"]
        return record if isinstance(record, dict) else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}  # unreadable or written before provenance: treated as different


def stored_setup(out: Path, student: str) -> dict:
    """The set-up a student's stored result was graded with (its provenance without the file hashes)."""
    return {k: v for k, v in _stored(out, student).items() if k != "files"}


def run(grader, submissions: Path, names: list[str], out: Path, jobs: int = 1,
        student_timeout: float | None = None, on_done=None, lease=no_lease, setup: dict | None = None) -> list[Outcome]:
    """Grade ``names`` (folders of ``submissions``), ``jobs`` at a time; ``on_done(outcome)`` per student.

    ``lease(seconds)`` holds a worker for one student and cuts its jobs at ``seconds`` (see slots.py);
    ``setup`` is the batch's provenance, copied into each student's file."""
    (out / STUDENTS_DIR).mkdir(parents=True, exist_ok=True)
    for spec in grader.day.exercises:  # references once, before threads could race to compute them
        grader.prepare(spec)
    outcomes, running = [], set()
    students = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="grade-student")
    try:
        for name in names:
            if len(running) >= jobs:
                running = _collect(wait(running, return_when=FIRST_COMPLETED), outcomes, on_done)
            running.add(students.submit(_grade_student, grader, submissions, name, out, student_timeout,
                                        lease, setup or {}))
        _collect(wait(running), outcomes, on_done)
    except BaseException:
        # Ctrl-C: return at once; the caller closes the workers, which ends the jobs still running.
        students.shutdown(wait=False, cancel_futures=True)
        raise
    students.shutdown()
    return outcomes


def _collect(waited, outcomes, on_done) -> set:
    done, still_running = waited
    for future in done:
        outcome = future.result()
        outcomes.append(outcome)
        if on_done:
            on_done(outcome)
    return set(still_running)


def _grade_student(grader, submissions: Path, name: str, out: Path, timeout: float | None, lease, setup) -> Outcome:
    started = time.monotonic()
    folder = student_submission(submissions, name)
    files = provenance.file_hashes(folder, grader.day.name)
    with lease(timeout) as held:
        try:
            # Whoever runs the batch names the class folder, not its entries: a linked one would
            # grade another student's work, or files outside the class, under this name.
            result = (failed_result(grader.day, folder, "error", f"{name} is a symbolic link, not a student's own "
                                                                 "folder: not graded") if folder.is_symlink()
                      else grader.grade(folder))
        except UsageError as exc:  # e.g. no DAY folder in the student's submission
            result = failed_result(grader.day, folder, "missing", str(exc))
        except Exception as exc:  # noqa: BLE001 - one student's files must never stop the class
            result = failed_result(grader.day, folder, "error", f"grading failed: {type(exc).__name__}: {exc}")
    for exercise in result.exercises:
        if exercise.name in held.cut:
            exercise.feedback = f"not finished when this student's {timeout:g} s ran out (--student-timeout)"
    result.elapsed = time.monotonic() - started
    record = {**result.to_dict(), "provenance": {**setup, "files": files}}
    # Unindented: only then does json use its C encoder, five times faster on a thousand cases.
    _write_atomically(result_path(out, name), json.dumps(record) + "\n")
    return Outcome(name, result, result.elapsed)


def failed_result(day, folder: Path, status: str, message: str) -> DayResult:
    """A result in the usual schema for a student who could not be graded: zero, with the reason.
    The quiz is still graded (or missing, with its max_score), so every total has the same maximum."""
    exercises = [ExerciseResult(spec.name, status, 0.0, spec.points, feedback=message, visibility=spec.visibility)
                 for spec in day.exercises]
    from ..course import quiz

    return DayResult(day.name, day.title, str(folder), "", exercises,
                     quiz=quiz.section_for(quiz.for_day(day), day.name, folder.parent if folder.is_file() else folder))


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
