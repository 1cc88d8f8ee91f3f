"""A private mini course pack and fake class rosters for the classroom tests.

The built-in day grows while exercises are added, so these tests grade a pack of their own: a
copy of two built-in exercises with only their first two case entries (one public, one hidden),
laid out exactly as an instructor's private pack would be.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from grader.course.manifest import BUILTIN_COURSE

from paths import EXERCISES, SOLUTIONS

PACK_EXERCISES = ("mse_loss", "l1_loss")
HANG = "def {name}(input, target, **kwargs):\n    while True:\n        pass\n"
STUB = object()
WRONG = "def {name}(input, target, **kwargs):\n    return (input - target).sum() * 0 + 1\n"


def make_pack(root: Path, visibility: dict | None = None, quiz: bool = False) -> Path:
    """Write the pack under ``root``/course and return its folder (with the built-in quiz if ``quiz``)."""
    folder = root / "course" / "day3"
    folder.mkdir(parents=True)
    day = yaml.safe_load((BUILTIN_COURSE / "day3" / "day.yaml").read_text())
    day["exercises"] = list(PACK_EXERCISES)
    (folder / "day.yaml").write_text(yaml.safe_dump(day), encoding="utf-8")
    for name in PACK_EXERCISES:
        spec = yaml.safe_load((BUILTIN_COURSE / "day3" / f"{name}.yaml").read_text())
        spec["cases"] = spec["cases"][:2]
        spec["cases"][1]["public"] = False
        if visibility and name in visibility:
            spec["visibility"] = visibility[name]
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    if quiz:
        shutil.copy(BUILTIN_COURSE / "day3" / "quiz.yaml", folder / "quiz.yaml")
    return folder.parent


def make_student(submissions: Path, student: str, sources: dict | None = None, quiz: bool = False) -> Path:
    """A student folder: the reference solutions, with ``sources`` ({exercise: code}) replacing some
    ('' leaves the file out, STUB hands in the untouched stub), and the right quiz answers if ``quiz``."""
    folder = submissions / student / "day3"
    folder.mkdir(parents=True)
    if quiz:
        shutil.copy(SOLUTIONS / "day3" / "quiz_answers.yaml", folder / "quiz_answers.yaml")
    for name in PACK_EXERCISES:
        source = (sources or {}).get(name)
        if source is None:
            shutil.copy(SOLUTIONS / "day3" / f"{name}.py", folder / f"{name}.py")
        elif source is STUB:
            shutil.copy(EXERCISES / "day3" / f"{name}.py", folder / f"{name}.py")
        elif source:
            (folder / f"{name}.py").write_text(source.format(name=name), encoding="utf-8")
    return folder.parent
