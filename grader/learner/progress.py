"""Where a learner stands on a day: each exercise not started, failing or passing (like rustlings)."""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

NOT_STARTED, FAILING, PASSING, MISSING = "not started", "failing", "passing", "missing"


@dataclass
class Progress:
    name: str
    state: str
    result: object = None  # ExerciseResult when the exercise was graded


def is_untouched_stub(path: Path, name: str) -> bool:
    """True when ``name``'s body is still only ``raise NotImplementedError(...)`` (after its docstring).

    Decided statically, so listing a day needs no worker for exercises the learner has not begun.
    """
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
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


def survey(grader, submission: Path, names=None) -> list[Progress]:
    """Progress of each exercise (all of the day, or ``names``), grading only the started ones."""
    folder = Path(submission) / grader.day.name
    specs = [grader.day.exercise(n) for n in names] if names else list(grader.day.exercises)
    out, started = [], []
    for spec in specs:
        path = folder / f"{spec.name}.py"
        if not path.is_file():
            out.append(Progress(spec.name, MISSING))
        elif is_untouched_stub(path, spec.name):
            out.append(Progress(spec.name, NOT_STARTED))
        else:
            out.append(Progress(spec.name, FAILING))
            started.append(spec.name)
    if started:
        graded = {r.name: r for r in grader.grade(submission, started).exercises}
        for item in out:
            if item.name in graded:
                item.result = graded[item.name]
                item.state = PASSING if item.result.status == "passed" else FAILING
    return out


def next_exercise(items: list[Progress]) -> Progress | None:
    """The first exercise in day order that is not passing: what to work on next."""
    return next((i for i in items if i.state != PASSING), None)
