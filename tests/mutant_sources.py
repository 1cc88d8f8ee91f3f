"""Load the mutants under tests/mutants: realistic wrong (and alternative correct) submissions.

A mutant is either the reference solution with a few edits (``mutants/<day>/<exercise>.yaml``:
mutant name -> list of ``{old, new}`` text replacements) or, when it is written differently
throughout, a whole file ``mutants/<day>/<exercise>/<name>.py``. Names starting with
``correct_`` are alternative correct formulations.
"""
from __future__ import annotations

from pathlib import Path

import yaml

HERE = Path(__file__).parent
MUTANTS = HERE / "mutants"
SOLUTIONS = HERE.parent / "solutions"


def names(day: str = "day3") -> list[tuple[str, str]]:
    """Every (exercise, mutant name) of a day, sorted."""
    found = [(p.stem, name) for p in MUTANTS.glob(f"{day}/*.yaml") for name in yaml.safe_load(p.read_text())]
    found += [(p.parent.name, p.stem) for p in MUTANTS.glob(f"{day}/*/*.py")]
    return sorted(found)


def source(exercise: str, name: str, day: str = "day3") -> str:
    whole = MUTANTS / day / exercise / f"{name}.py"
    if whole.is_file():
        return whole.read_text()
    edits = yaml.safe_load((MUTANTS / day / f"{exercise}.yaml").read_text())[name]
    text = (SOLUTIONS / day / f"{exercise}.py").read_text()
    for number, edit in enumerate(edits, 1):
        found = text.count(edit["old"])
        if found != 1:
            raise ValueError(f"{exercise}.yaml: {name}: edit {number}'s old text occurs {found} times in the solution")
        text = text.replace(edit["old"], edit["new"])
    return text


def function(exercise: str, source: str):
    """The function ``exercise`` defined by ``source``, run in this process: for trusted code only."""
    namespace = {"__name__": f"mutant_{exercise}"}
    exec(compile(source, f"<{exercise}>", "exec"), namespace)  # noqa: S102 - solutions and their mutants
    return namespace[exercise]
