"""Generate exercise stubs from reference solutions, so the two never drift.

In a solution, the lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` are the answer.
Inside a function they become ``raise NotImplementedError(...)``; at module level (helpers a
learner should write themselves) they are dropped. Each day also gets ``exercises/DAY.ipynb``,
built from the same stubs (grader.course.starter).
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import UsageError
from . import starter

_BEGIN = re.compile(r"^(\s*)# BEGIN SOLUTION\s*$")
_END = re.compile(r"^\s*# END SOLUTION\s*$")


def make_stub(source: str, where: str = "<solution>") -> str:
    """The learner's stub of a solution; UsageError for a solution that is not valid Python or has
    no solution block (its stub would be the solution itself, handed out)."""
    _compiles(source, where, "")
    out, inside, indent, blocks = [], False, "", 0
    for number, line in enumerate(source.splitlines(keepends=True), 1):
        begin, end = _BEGIN.match(line), _END.match(line)
        if begin:
            if inside:
                raise UsageError(f"{where}:{number}: BEGIN SOLUTION inside another solution block")
            inside, indent, blocks = True, begin.group(1), blocks + 1
            if indent:
                out.append(f'{indent}raise NotImplementedError("not implemented yet: write your solution here")\n')
        elif end:
            if not inside:
                raise UsageError(f"{where}:{number}: END SOLUTION without BEGIN SOLUTION")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise UsageError(f"{where}: BEGIN SOLUTION is never closed")
    if not blocks:
        raise UsageError(f"{where}: no '# BEGIN SOLUTION' block, so its stub would be the whole solution")
    stub = re.sub(r"\n{3,}(?=\S)", "\n\n\n", "".join(out))
    _compiles(stub, where, "its stub ")
    return stub


def _compiles(source: str, where: str, what: str) -> None:
    try:
        compile(source, where, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise UsageError(f"{where}: {what}line {exc.lineno}: syntax error: {exc.msg}") from None


def plan(solutions: Path, exercises: Path) -> list[tuple[Path, str]]:
    """(stub path, stub text) for every solution file, and each day's starter notebook (grader.course.starter)."""
    if not solutions.is_dir():
        raise UsageError(f"solutions folder not found: {solutions}")
    files = sorted(solutions.glob("*/*.py"))
    if not files:
        raise UsageError(f"no solutions found under {solutions}/<day>/")
    stubs = [(exercises / f.parent.name / f.name, make_stub(f.read_text(encoding="utf-8"), str(f))) for f in files]
    notebooks = [starter.plan_for(solutions / day, exercises, {p.stem: text for p, text in stubs if p.parent.name == day})
                 for day in sorted({f.parent.name for f in files})]
    return stubs + notebooks


def drifted(solutions: Path, exercises: Path) -> list[Path]:
    return [path for path, text in plan(solutions, exercises)
            if not path.is_file() or path.read_text(encoding="utf-8") != text]


def write(solutions: Path, exercises: Path) -> list[Path]:
    written = []
    for path, text in plan(solutions, exercises):
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
