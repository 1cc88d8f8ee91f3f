"""The starter notebook ``exercises/day3.ipynb`` is generated from the solutions and the lesson,
is a valid notebook, and ``grade build --check`` fails when it drifts."""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from click.testing import CliRunner

from grader.cli import main

ROOT = Path(__file__).resolve().parent.parent
STARTER = ROOT / "exercises" / "day3.ipynb"


def test_starter_has_the_lesson_a_stub_and_a_check_per_exercise_and_the_quiz(day3):
    nb = nbformat.read(STARTER, as_version=4)
    nbformat.validate(nb)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    names = [spec.name for spec in day3.exercises]
    for name in names:
        stub = (ROOT / "exercises" / "day3" / f"{name}.py").read_text().rstrip("\n")
        assert code.count(stub) == 1, f"{name}: the stub cell is not the generated stub"
        assert code[code.index(stub) + 1] == f'g.check("day3", "{name}")'
    assert [c.split('"')[3] for c in code if c.startswith('g.check("day3"')] == names
    assert code[-2:] == ['g.quiz("day3")', 'g.check_all("day3")']
    lesson = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for topic in ("mean squared error", "cross-entropy on raw scores", "KL divergence", "0.3567", "one-hot"):
        assert topic.lower() in lesson.lower(), topic


def test_build_check_fails_when_the_notebook_drifts(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    shutil.copytree(ROOT / "solutions", solutions)
    shutil.copytree(ROOT / "exercises", exercises)
    check = ["build", "--check", "--solutions", str(solutions), "--exercises", str(exercises)]
    assert CliRunner().invoke(main, check).exit_code == 0
    notebook = exercises / "day3.ipynb"
    notebook.write_text(notebook.read_text().replace("raise NotImplementedError", "return 0  #"))
    drifted = CliRunner().invoke(main, check)
    assert drifted.exit_code == 1 and "out of date:" in drifted.output and "day3.ipynb" in drifted.output
    assert CliRunner().invoke(main, ["build", "--solutions", str(solutions), "--exercises", str(exercises)]).exit_code == 0
    assert CliRunner().invoke(main, check).exit_code == 0
    lesson = solutions / "day3" / "lesson.md"
    lesson.write_text(lesson.read_text() + "\nOne more paragraph.\n")
    assert CliRunner().invoke(main, check).exit_code == 1
