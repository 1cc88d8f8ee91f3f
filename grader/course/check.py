"""Validate a course pack for authors: schema, solutions at full marks, stubs at zero, quizzes keyed.

Every problem is one line that starts with the file (and line, where there is one) to fix; the
schema (keys, argument names against the reference's signature) is checked first, all at once.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from . import build, casegen, lint, quiz, quizbuild
from .manifest import Course
from ..errors import CourseError, GraderError


def check(course: Course, solutions: Path, say=lambda text: None) -> list[str]:
    problems = []
    for name in course.day_names():
        linted = lint.lint_day(course.root / name)
        if linted:  # every schema problem at once; grading a pack that has them would only add noise
            problems += linted
            continue
        try:
            day = course.load_day(name)
            for spec in day.exercises:
                casegen.expand(spec)
        except CourseError as exc:
            problems.append(str(exc))
            continue
        say(f"{name}: manifest and {len(day.exercises)} exercise file(s) valid")
        try:
            problems += _check_code(day, solutions, say)
        except GraderError as exc:  # e.g. a reference that fails on its own cases (its message names the case's line)
            problems.append(str(exc) if str(exc).startswith(str(day.folder)) else f"{day.folder}: {exc}")
        problems += _check_quiz(day, solutions, say)
    if not course.day_names():
        problems.append(f"{course.root}: no <day>/day.yaml found")
    return problems


def _check_code(day, solutions: Path, say) -> list[str]:
    from ..engine import Grader

    folder = solutions / day.name
    absent = [f"{folder / s.name}.py: no solution for exercise '{s.name}' ({s.path})"
              for s in day.exercises if not (folder / f"{s.name}.py").is_file()]
    present = [s.name for s in day.exercises if (folder / f"{s.name}.py").is_file()]
    if not present:
        return absent
    problems = list(absent)
    with tempfile.TemporaryDirectory() as tmp, Grader(day) as grader:
        stubs = Path(tmp)
        (stubs / day.name).mkdir()
        for name in present:
            source = (folder / f"{name}.py").read_text(encoding="utf-8")
            (stubs / day.name / f"{name}.py").write_text(build.make_stub(source, str(folder / f"{name}.py")))
        solved = grader.grade(solutions, present)
        unsolved = grader.grade(stubs, present)
        for result in solved.exercises:
            if result.status != "passed":
                problems.append(_solution_problem(grader, day, folder, result))
        for result in unsolved.exercises:
            if result.score:
                problems.append(f"{folder / result.name}.py: its generated stub scores {result.score:g}/"
                                f"{result.max_score:g}; a stub must score 0 (is the body outside BEGIN/END SOLUTION?)")
    full = sum(r.status == "passed" for r in solved.exercises)
    say(f"{day.name}: {full} of {len(day.exercises)} solution(s) at full marks, stubs at zero")
    return problems


def _solution_problem(grader, day, folder: Path, result) -> str:
    first = next((c for c in result.cases if not c.passed), None)
    if first is None:
        return f"{folder / result.name}.py: {result.status}: {result.feedback.splitlines()[0] if result.feedback else ''}"
    where = {c.id: c.where for c in grader.prepare(day.exercise(result.name)).cases}[first.id]
    return f"{where}: the solution {folder / result.name}.py fails case '{first.name}': {first.message}"


def _check_quiz(day, solutions: Path, say) -> list[str]:
    key = solutions / day.name / "quiz_key.yaml"
    if not day.quiz_path.is_file():
        return [f"{key}: a plain quiz key exists but {day.quiz_path} was never built (run: grade quiz-key)"] \
            if key.is_file() else []
    try:
        loaded = quiz.load(day.quiz_path, day.secret)
        problems = quizbuild.mismatches(key, loaded) if key.is_file() else []
    except CourseError as exc:
        return [str(exc)]
    if not problems:
        keyed = "checked against " + str(key) if key.is_file() else "no plain key here to check against"
        say(f"{day.name}: quiz of {len(loaded.questions)} question(s) valid, every one keyed ({keyed})")
    return problems
