"""Where a learner stands on a day: each exercise not started, failing or passing, and the quiz
(like rustlings).

Works from the day's outline (its ``day.yaml``) and a result cache, so an unchanged day is
listed without loading the course's cases or importing torch; only exercises whose file changed
since they were last graded are graded, through the ``grade`` callable the caller supplies.
"""
from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from pathlib import Path

NOT_STARTED, FAILING, PASSING, MISSING = "not started", "failing", "passing", "missing"
STARTED = "started"  # changed from its stub but not graded in this run: it may fail or pass
QUIZ = "quiz"


@dataclass
class Progress:
    name: str
    state: str
    result: object = None  # ExerciseResult when the exercise was graded; the report's section for the quiz


@dataclass(frozen=True)
class Outline:
    """What listing a day needs from its course pack: read from ``day.yaml`` alone."""

    name: str
    title: str
    folder: Path  # the day's folder in the course pack
    exercises: tuple  # names, in the order learners meet them

    @property
    def has_quiz(self) -> bool:
        return (self.folder / "quiz.yaml").is_file()


def outline(course_root: Path, day: str) -> Outline:
    """The day's outline; UsageError (with a suggestion) for a day the course does not have."""
    import yaml

    from ..errors import UsageError, did_you_mean

    folder = Path(course_root) / day
    if not (folder / "day.yaml").is_file():
        known = sorted(p.parent.name for p in Path(course_root).glob("*/day.yaml"))
        raise UsageError(f"unknown day '{day}'{did_you_mean(day, known)} (this course has: {', '.join(known) or 'none'})")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load((folder / "day.yaml").read_text(encoding="utf-8"), Loader=loader) or {}
    except (yaml.YAMLError, UnicodeDecodeError):
        data = None
    names = data.get("exercises") if isinstance(data, dict) else None
    if not isinstance(names, list):  # let the full loader name the file and line
        from ..course.manifest import Course

        Course.locate(course_root).load_day(day)
    return Outline(day, str(data.get("title", day)), folder, tuple(str(n) for n in names))


def is_untouched_stub(text: str, name: str) -> bool:
    """True when ``name``'s body is still only ``raise NotImplementedError(...)`` (after its docstring).

    Decided statically, so listing a day needs no worker for exercises the learner has not begun.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
                    and isinstance(body[0].value.value, str):
                body = body[1:]
            return len(body) == 1 and isinstance(body[0], ast.Raise) and _names_not_implemented(body[0].exc)
    return False


def _names_not_implemented(exc) -> bool:
    target = exc.func if isinstance(exc, ast.Call) else exc
    return isinstance(target, ast.Name) and target.id == "NotImplementedError"


def source_text(files, name: str) -> str | None:
    """The exercise's source as the grader would read it; None where there is none to grade."""
    from ..submission import Unreadable

    try:
        return files.source(name).text
    except Unreadable as exc:
        return None if exc.status == "missing" else ""


def survey(day: Outline, submission: Path, grade, cache=None, names=None) -> list[Progress]:
    """Progress of each exercise (all of the day, or ``names``), read from the submission as the
    grader reads it (a folder or a notebook). ``grade(names)`` returns the ExerciseResults of the
    started exercises the cache does not already know."""
    from ..submission import open_submission

    files = open_submission(submission, day.name)
    out, sources = [], {}
    for name in names or day.exercises:
        item, text = _from_file(files, name, cache)
        out.append(item)
        if item.state == STARTED:
            sources[name] = text.encode()
    if sources:
        graded = {r.name: r for r in grade(list(sources))}
        now = open_submission(submission, day.name)
        for item in out:
            if item.name in graded:
                item.result = graded[item.name]
                if cache and (source_text(now, item.name) or "").encode() == sources[item.name]:  # not saved meanwhile
                    cache.put(item.name, sources[item.name], item.result)
    for item in out:
        if item.result is not None:
            item.state = of_result(item.result).state
    return out


def quiz_progress(day: Outline, submission: Path, cache=None) -> Progress | None:
    """The quiz as one more item: not started (no answers), failing or passing; None without a quiz."""
    from ..course import quiz, secret as course_secret
    from ..submission import quiz_root

    if not day.has_quiz:
        return None
    path = quiz.answers_path(quiz_root(submission), day.name)
    answers = path.read_bytes() if path.is_file() else b""
    section = cache.get_quiz(answers) if cache else None
    if section is None:
        section = quiz.grade_answers(quiz.load(day.folder / "quiz.yaml", course_secret.load(day.folder.parent)), path)
        if cache:
            cache.put_quiz(answers, section)
    return Progress(QUIZ, quiz_state(section), section)


def quiz_state(section: dict) -> str:
    answered = any(q["status"] != "unanswered" for q in section.get("questions", []))
    return PASSING if section["status"] == "passed" else FAILING if answered or section["status"] == "error" else NOT_STARTED


def of_result(ex) -> Progress:
    """An exercise's place in the loop from its graded result: a stub that only raised
    NotImplementedError is not started, not failing."""
    state = PASSING if ex.status == "passed" else MISSING if ex.status == "missing" else \
        NOT_STARTED if ex.feedback.startswith("not started") else FAILING
    return Progress(ex.name, state, ex)


def ungraded(submission: Path, day: str, name: str, cache=None) -> Progress:
    """An exercise this run did not grade, as far as its file and the result cache tell."""
    from ..submission import open_submission

    return _from_file(open_submission(submission, day), name, cache)[0]


def _from_file(files, name: str, cache) -> tuple[Progress, str | None]:
    """(progress, source) of an exercise without grading it: missing, not started, what the result
    cache holds for an unchanged file, or else started."""
    text = source_text(files, name)
    if text is None:
        return Progress(name, MISSING), None
    if is_untouched_stub(text, name):
        return Progress(name, NOT_STARTED), text
    known = cache.get(name, text.encode()) if cache else None
    return (of_result(known) if known else Progress(name, STARTED)), text


def next_item(items: list[Progress]) -> Progress | None:
    """The first item in day order that is not passing (the quiz last): what to work on next."""
    return next((i for i in items if i.state != PASSING), None)


def next_step(day: str, item: Progress | None, submission: Path, options: str = "") -> str:
    """The "Next:" line for ``item``, with the options that select the submission or pack kept."""
    if item is None:
        return ""
    from ..submission import quiz_root

    if item.name == QUIZ:
        answers = _shown(Path(quiz_root(submission)) / day / "quiz_answers.yaml")
        return (f"Next: the quiz ({item.state}): grade quiz {day}{options}, "
                f"or fill in {answers} and run grade {day} quiz{options}")
    where = f"{item.name}() in {_shown(Path(submission))}" if Path(submission).is_file() \
        else _shown(Path(submission) / day / f"{item.name}.py")
    return (f"Next: {where} ({item.state}): grade {day} {item.name}{options} "
            f"to check it, grade hint {day}{options} for a hint")


def _shown(path: Path) -> str:
    """A path as the learner would type it from here: a submission found upwards is '..', and
    '../day3/mse_loss.py' seen from inside day3 is just 'mse_loss.py'."""
    return str(path) if path.is_absolute() else os.path.relpath(path)
