"""Grade every student of a class with one warm Grader: N students at a time, results on disk.

Each student's result is written as ``students/<name>.json`` (the ``grade DAY --format json``
schema) as soon as it is known, so an interrupted batch resumes where it stopped. Whatever goes
wrong with one student (a missing folder, a per-student timeout, a grader fault on their files)
becomes that student's result; the batch goes on.
"""
from __future__ import annotations

import json
import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..results import DayResult, ExerciseResult
from ..submission import student_submission

STUDENTS_DIR = "students"


@dataclass
class Outcome:
    student: str
    result: DayResult
    seconds: float


def result_path(out: Path, student: str) -> Path:
    return out / STUDENTS_DIR / f"{student}.json"


def pending(out: Path, names: list[str], force: bool) -> list[str]:
    """The students still to grade: all with ``force``, else those without a result file."""
    return list(names) if force else [n for n in names if not result_path(out, n).is_file()]


def run(grader, submissions: Path, names: list[str], out: Path, jobs: int = 1,
        student_timeout: float | None = None, on_done=None) -> list[Outcome]:
    """Grade ``names`` (folders of ``submissions``), ``jobs`` at a time; ``on_done(outcome)`` per student."""
    (out / STUDENTS_DIR).mkdir(parents=True, exist_ok=True)
    for spec in grader.day.exercises:  # references once, before threads could race to compute them
        grader.prepare(spec)
    outcomes = []
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="grade-student") as students:
        running = set()
        for name in names:
            if len(running) >= jobs:
                running = _collect(wait(running, return_when=FIRST_COMPLETED), outcomes, on_done)
            running.add(students.submit(_grade_student, grader, submissions, name, out, student_timeout))
        _collect(wait(running), outcomes, on_done)
    return outcomes


def _collect(waited, outcomes, on_done) -> set:
    done, still_running = waited
    for future in done:
        outcome = future.result()
        outcomes.append(outcome)
        if on_done:
            on_done(outcome)
    return set(still_running)


def _grade_student(grader, submissions: Path, name: str, out: Path, timeout: float | None) -> Outcome:
    started = time.monotonic()
    folder = student_submission(submissions, name)
    box = {}

    def grade():
        try:
            box["result"] = grader.grade(folder)
        except UsageError as exc:  # e.g. no DAY folder in the student's submission
            box["result"] = failed_result(grader.day, folder, "missing", str(exc))
        except Exception as exc:  # noqa: BLE001 - one student's files must never stop the class
            box["result"] = failed_result(grader.day, folder, "error", f"grading failed: {type(exc).__name__}: {exc}")

    # A daemon thread so a per-student cap can give up on it; its jobs still end at their own timeouts.
    worker = threading.Thread(target=grade, name=f"grade-{name}", daemon=True)
    worker.start()
    worker.join(timeout)
    result = box.get("result") or failed_result(
        grader.day, folder, "timeout", f"grading this submission took longer than {timeout:g} s (--student-timeout)")
    result.elapsed = time.monotonic() - started
    _write_atomically(result_path(out, name), json.dumps(result.to_dict(), indent=1) + "\n")
    return Outcome(name, result, result.elapsed)


def failed_result(day, folder: Path, status: str, message: str) -> DayResult:
    """A result in the usual schema for a student who could not be graded: zero, with the reason."""
    exercises = [ExerciseResult(spec.name, status, 0.0, spec.points, feedback=message, visibility=spec.visibility)
                 for spec in day.exercises]
    return DayResult(day.name, day.title, str(folder), "", exercises)


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
