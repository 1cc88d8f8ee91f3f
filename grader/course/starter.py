"""The starter notebook ``exercises/DAY.ipynb``, generated from the same solutions as the stubs.

Cells, in order: the lesson's opening text, a setup cell (``from grader import notebook as g``),
then for each exercise in the day's order: the lesson section marked for it (if any), a heading,
the stub (exactly the generated ``exercises/DAY/<name>.py``) and a check cell; then the quiz and
the whole-day check. The lesson is ``solutions/DAY/lesson.md``: markdown whose
``<!-- before: EXERCISE -->`` lines start the section shown before that exercise.

The JSON is written by hand in nbformat 4.5 (deterministic cell ids, no outputs), so building
needs no notebook packages and ``grade build --check`` can compare it byte for byte.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

_BEFORE = re.compile(r"^<!-- before: (\w+) -->\s*$", re.MULTILINE)
SETUP = ("# In Colab, first install the grader (see the text above), then run this cell.\n"
         "from grader import notebook as g")


def lesson_sections(text: str) -> tuple[str, dict]:
    """(opening text, {exercise: section}) of a lesson file."""
    parts = _BEFORE.split(text)
    return parts[0].strip(), {name: body.strip() for name, body in zip(parts[1::2], parts[2::2])}


def notebook(day: str, title: str, stubs: list[tuple[str, str]], lesson: str = "") -> str:
    """The notebook's JSON text; ``stubs`` are (exercise, stub source) in the day's order."""
    opening, sections = lesson_sections(lesson)
    cells = [_markdown("lesson", opening or f"# {title}"), _code("setup", SETUP)]
    for number, (name, stub) in enumerate(stubs, 1):
        if name in sections:
            cells.append(_markdown(f"lesson-{name}", sections[name]))
        cells.append(_markdown(f"about-{name}", f"### {number}. `{name}`\n\nImplement `{name}` in the next cell "
                                                f"and run it, then run the check below it."))
        cells.append(_code(f"stub-{name}", stub.rstrip("\n")))
        cells.append(_code(f"check-{name}", f'g.check("{day}", "{name}")'))
    cells += [_markdown("quiz", "## Quiz\n\nRun the next cell to answer the day's questions; your answers are saved "
                                f"to `{day}/quiz_answers.yaml` beside this notebook and count in the total."),
              _code("quiz-ask", f'g.quiz("{day}")'),
              _markdown("all", "## The whole day\n\nEvery exercise and the quiz, as `grade "
                               f"{day}` reports them."),
              _code("check-all", f'g.check_all("{day}")')]
    document = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                             "name": "python3"},
                                              "language_info": {"name": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _markdown(cell_id: str, text: str) -> dict:
    return {"cell_type": "markdown", "id": cell_id.replace("_", "-"), "metadata": {}, "source": _lines(text)}


def _code(cell_id: str, text: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": cell_id.replace("_", "-"), "metadata": {},
            "outputs": [], "source": _lines(text)}


def _built_in(day: str) -> tuple[str, list[str]]:
    """The day's title and exercise order from the built-in course; (day, []) when it has no such day."""
    from ..course.manifest import Course
    from ..errors import GraderError

    try:
        loaded = Course.locate().load_day(day)
    except GraderError:
        return day, []
    return loaded.title, [spec.name for spec in loaded.exercises]


def plan_for(day_folder: Path, exercises: Path, stubs: dict) -> tuple[Path, str]:
    """(``exercises/DAY.ipynb``, its text) for the solutions in ``day_folder``; ``stubs``: {name: stub}."""
    day = day_folder.name
    lesson_file = day_folder / "lesson.md"
    lesson = lesson_file.read_text(encoding="utf-8") if lesson_file.is_file() else ""
    title, listed = _built_in(day)
    ordered = [n for n in listed if n in stubs] + sorted(set(stubs) - set(listed))  # unlisted ones last
    return exercises / f"{day}.ipynb", notebook(day, title, [(n, stubs[n]) for n in ordered], lesson)
