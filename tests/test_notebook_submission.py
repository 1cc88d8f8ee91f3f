"""A notebook as a submission: ``grade day3 --submission work.ipynb`` and notebooks in ``grade batch``.

The rules (grader/submission/notebook.py): each exercise is the last top-level definition of its
name, with the imports, helpers and constants it uses; other top-level code never runs; cells
that are not Python (magics, shell escapes) are skipped with a note. The assembled source is
then graded exactly as a file, so scores must equal those of the same code in ``.py`` files.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.course import quizbuild
from grader.errors import UsageError
from notebooks import solution, write
from paths import ROOT, SOLUTIONS

EXPLOITS = Path(__file__).parent / "exploits" / "day3" / "mse_loss"
WRONG_MSE = "import torch\n\ndef mse_loss(input, target, reduction='mean', weight=None):\n    return (input - target).abs().mean()\n"


def grade_cells(grader, tmp_path, *cells, exercises=("mse_loss",)):
    path = write(tmp_path / "work.ipynb", *cells)
    result = grader.grade(path, list(exercises))
    return result.exercises[0] if len(exercises) == 1 else result


def test_whole_day_notebook_scores_as_the_files_do(grader, tmp_path):
    names = [spec.name for spec in grader.day.exercises]
    path = write(tmp_path / "work.ipynb", "print('exploring first')", *[solution(n) for n in names])
    shutil.copytree(SOLUTIONS / "day3", tmp_path / "day3")  # the quiz answers beside the notebook
    from_notebook, from_files = grader.grade(path), grader.grade(SOLUTIONS)
    assert [(e.name, e.status, e.score) for e in from_notebook.exercises] == \
           [(e.name, e.status, e.score) for e in from_files.exercises]
    assert from_notebook.quiz["score"] == from_files.quiz["score"] > 0
    assert from_notebook.score == from_files.score == from_files.max_score


def test_last_definition_wins(grader, tmp_path):
    assert grade_cells(grader, tmp_path, WRONG_MSE, solution("mse_loss")).status == "passed"
    late_wrong = grade_cells(grader, tmp_path, solution("mse_loss"), WRONG_MSE)
    assert late_wrong.status == "failed" and late_wrong.score == 0


def test_helpers_constants_and_imports_come_from_other_cells(grader, tmp_path):
    cells = ["import torch as T\nSCALE = 1.0",
             "def squared(d):\n    return d * d * SCALE",
             "def mse_loss(input, target, reduction='mean', weight=None):\n"
             "    loss = squared(input - target)\n"
             "    if weight is not None:\n"
             "        w = weight  # torch: the mean divides by the unbroadcast weight.sum()\n"
             "        loss = loss * w\n"
             "        if reduction == 'mean':\n"
             "            return loss.sum() / w.sum()\n"
             "    return {'none': loss, 'sum': T.sum(loss)}.get(reduction, loss.mean()) if reduction != 'mean' else loss.mean()",
             "while True:\n    pass  # top-level code never runs in grading",
             "mse_loss(T.ones(2), T.zeros(2))"]
    assert grade_cells(grader, tmp_path, *cells).status == "passed"


def test_forbidden_use_is_located_by_cell_and_line(grader, tmp_path):
    cell = "import torch.nn.functional as F\n\ndef mse_loss(input, target, **kw):\n    return F.mse_loss(input, target)\n"
    result = grade_cells(grader, tmp_path, "x = 1", cell)
    assert result.status == "forbidden" and result.score == 0
    assert "work.ipynb cell 3 line 4: uses F.mse_loss" in result.feedback


def test_a_forbidden_import_counts_only_where_it_is_used(grader, tmp_path):
    other = "from torch.nn.functional import l1_loss\nprint(l1_loss)"  # comparing with torch's, unused by mse_loss
    assert grade_cells(grader, tmp_path, other, solution("mse_loss")).status == "passed"


def test_magic_and_shell_cells_are_skipped_with_a_note_where_they_matter(grader, tmp_path):
    # mse_loss needs `torch` and `scale`: only the skipped cells 2 and 3 mention them.
    needs = "def mse_loss(input, target, reduction='mean', weight=None):\n    return torch.abs(input - target).mean() * scale\n"
    result = grade_cells(grader, tmp_path, "!pip install torch", "%%time\nimport torch\nscale = 1", needs)
    assert result.status == "failed"  # NameError: the cells that would bind torch and scale never ran
    assert "note: work.ipynb cell 2 was skipped: it uses a shell escape (!pip)" in result.feedback
    assert "note: work.ipynb cell 3 was skipped: it uses an IPython magic (%%time)" in result.feedback
    # A magic that binds nothing the exercise needs is not repeated under it.
    unrelated = grade_cells(grader, tmp_path, "%matplotlib inline", "!pip install numpy", WRONG_MSE)
    assert unrelated.status == "failed" and "note:" not in unrelated.feedback
    assert grade_cells(grader, tmp_path, "%timeit 1", solution("mse_loss")).status == "passed"


def test_latest_definition_in_a_skipped_cell_is_an_error(grader, tmp_path):
    result = grade_cells(grader, tmp_path, solution("mse_loss"), "%%time\n" + WRONG_MSE)
    assert result.status == "error" and result.score == 0
    assert "cell 3 defines mse_loss but was skipped: it uses an IPython magic (%%time)" in result.feedback


def test_syntax_error_cell_and_missing_function(grader, tmp_path):
    broken = grade_cells(grader, tmp_path, "def mse_loss(input, target:\n    pass")
    assert broken.status == "error" and "cell 2 defines mse_loss but was skipped: syntax error on line 1" in broken.feedback
    missing = grade_cells(grader, tmp_path, "import torch")
    assert missing.status == "missing" and "has no code cell defining mse_loss()" in missing.feedback


@pytest.mark.parametrize("content, message", [
    ("this is not json", "is not a notebook: it is not valid JSON"),
    ('{"cells": 3, "nbformat": 4, "nbformat_minor": 5, "metadata": {}}', "is not a valid notebook"),
    ('{"nbformat": 4}', "is not a valid notebook"),
    ("[1, 2]", "is not a valid notebook"),
])
def test_malformed_notebook_is_a_clear_usage_error(grader, tmp_path, content, message):
    path = tmp_path / "work.ipynb"
    path.write_text(content)
    with pytest.raises(UsageError, match=message):
        grader.grade(path, ["mse_loss"])


def test_cli_grades_a_notebook_and_rejects_a_broken_one(tmp_path):
    good = write(tmp_path / "work.ipynb", solution("mse_loss"))
    (tmp_path / "bad.ipynb").write_text("{ nope")
    run = [sys.executable, "-m", "grader", "day3", "mse_loss", "--format", "json", "--submission"]
    graded = subprocess.run(run + [str(good)], capture_output=True, text=True, timeout=300)
    assert graded.returncode == 0, graded.stderr
    report = json.loads(graded.stdout)
    assert report["exercises"][0]["status"] == "passed" and report["score"] == report["max_score"]
    broken = subprocess.run(run + [str(tmp_path / "bad.ipynb")], capture_output=True, text=True, timeout=300)
    assert broken.returncode == 2
    assert broken.stderr.strip() == "error: bad.ipynb is not a notebook: it is not valid JSON"


@pytest.mark.attack
def test_a_skipped_cells_text_reaches_the_report_escaped(grader, tmp_path):
    """A shell escape whose text paints the terminal (clear the screen, write a fake verdict in
    green, reverse the text after it) comes back as visible escapes."""
    paint = "!\x1b[2J\x1b[H\x1b[32mPASSED\u202e\n" + solution("mse_loss")
    result = grade_cells(grader, tmp_path, paint)
    assert result.status == "error" and result.score == 0
    assert "(!\\x1b[2J\\x1b[H\\x1b[32mPASSED\\u202e)" in result.feedback
    assert not any(c in result.feedback for c in "\x1b\u202e")


@pytest.mark.attack
@pytest.mark.parametrize("attack", ["calls_functional", "ops_aten", "builtins_exec", "always_equal_object",
                                    "tensor_subclass_torch_function", "patches_tensor_eq", "sys_exit_at_call",
                                    "prints_fake_report", "calls_c_nn", "nan_everywhere"])
def test_exploits_score_zero_through_the_notebook_path(grader, tmp_path, attack):
    source = (EXPLOITS / f"{attack}.py").read_text()
    as_file = tmp_path / "files" / "day3"
    as_file.mkdir(parents=True)
    (as_file / "mse_loss.py").write_text(source)
    expected = grader.grade(as_file.parent, ["mse_loss"]).exercises[0]
    graded = grade_cells(grader, tmp_path, source)
    assert graded.score == expected.score == 0
    # Top-level statements (a patch at import) never run from a notebook, so the status may differ.
    assert graded.status != "passed"


@pytest.mark.attack
def test_hostile_notebook_files_are_refused(grader, tmp_path):
    (tmp_path / "link.ipynb").symlink_to("/proc/self/mem")
    with pytest.raises(UsageError, match="link.ipynb is a symbolic link"):
        grader.grade(tmp_path / "link.ipynb", ["mse_loss"])
    with (tmp_path / "huge.ipynb").open("wb") as handle:
        handle.truncate(2 << 30)
    with pytest.raises(UsageError, match="huge.ipynb is larger than"):
        grader.grade(tmp_path / "huge.ipynb", ["mse_loss"])


def test_batch_grades_notebooks_as_it_grades_files(tmp_path):
    from classroom import PACK_EXERCISES, WRONG, make_pack, make_student

    pack = make_pack(tmp_path)
    subs = tmp_path / "submissions"
    make_student(subs, "files_ok")
    make_student(subs, "files_wrong", {"l1_loss": WRONG})
    write(subs / "loose_ok.ipynb", *[solution(n) for n in PACK_EXERCISES])  # a loose notebook
    write(subs / "nb_wrong" / "day3.ipynb", solution("mse_loss"), WRONG.format(name="l1_loss"))  # a folder with one
    (subs / "broken.ipynb").write_text("{ not a notebook")
    out = tmp_path / "grades"
    ran = CliRunner().invoke(main, ["batch", "day3", str(subs), "--course", str(pack), "--out", str(out)])
    assert ran.exit_code == 0, ran.output
    scores = {path.stem: {e["name"]: (e["status"], e["score"]) for e in json.loads(path.read_text())["exercises"]}
              for path in (out / "students").glob("*.json")}
    assert set(scores) == {"files_ok", "files_wrong", "loose_ok", "nb_wrong", "broken"}
    assert scores["loose_ok"] == scores["files_ok"]
    assert scores["nb_wrong"] == scores["files_wrong"] != scores["files_ok"]
    assert all(score == 0 for _status, score in scores["broken"].values())


@pytest.mark.attack
def test_cells_that_break_the_parser_are_skipped_not_a_crash(grader, tmp_path):
    hostile = ["x = " + "-" * 100_000 + "1",  # MemoryError in the parser
               "x = " + "+".join(["1"] * 100_000),  # RecursionError building the tree
               "x = 1\0"]  # a NUL byte
    result = grade_cells(grader, tmp_path, *hostile, solution("mse_loss"))
    assert result.status == "passed"
    needs_x = WRONG_MSE.replace(".mean()", ".mean() * x")  # x is bound only by the cells that do not parse
    broken = grade_cells(grader, tmp_path, *hostile, needs_x)
    assert broken.status == "failed"
    assert "note: work.ipynb cell 2 was skipped: it cannot be parsed (MemoryError)" in broken.feedback
    assert "note: work.ipynb cell 4 was skipped: syntax error" in broken.feedback


def test_quiz_command_stores_a_notebooks_answers_beside_it_where_grade_reads_them(tmp_path, monkeypatch):
    notebook = tmp_path / "work.ipynb"
    shutil.copy(ROOT / "exercises" / "day3.ipynb", notebook)
    _title, questions = quizbuild.load_key(SOLUTIONS / "day3" / "quiz_key.yaml")
    typed = f"{questions[0]['answer']}\n" + "\n" * (len(questions) - 1)
    asked = CliRunner().invoke(main, ["quiz", "day3", "-s", str(notebook)], input=typed)
    assert asked.exit_code == 0, asked.output
    assert (tmp_path / "day3" / "quiz_answers.yaml").is_file()
    monkeypatch.chdir(tmp_path)
    graded = CliRunner().invoke(main, ["day3", "quiz", "-s", str(notebook), "--format", "json"])
    assert json.loads(graded.stdout)["quiz"]["score"] == questions[0]["points"]


@pytest.mark.attack
@pytest.mark.parametrize("cell", ["!ls\n" + "mse_loss:\n" * 80_000, "%time\n" + "\n" * 80_000 + "x", " \n" * 80_000])
def test_a_skipped_cell_is_read_in_linear_time(cell):
    """A cell that does not parse is read with regular expressions in the grader's own process
    (every student's grading waits on it): patterns that ran past a newline took 88 s for one
    such cell of 400 kB, and hours near the notebook size limit (here 800 kB). 30 s here is several hundred
    times what a linear pattern needs."""
    code = ("import sys\nfrom grader.submission import notebook\ncell = sys.stdin.read()\n"
            "notebook._defines(cell, 'mse_loss'), notebook._skip_reason(cell, SyntaxError('x'))\n")
    subprocess.run([sys.executable, "-c", code], input=cell, text=True, check=True, timeout=30)


def test_a_line_separator_in_a_comment_does_not_shift_the_cells_lines(grader, tmp_path):
    """str.splitlines ends a line at U+2028 (and \\x0c, \\x85...), the parser does not: a correct
    cell whose comment held one, pasted from a web page, was graded as a syntax error."""
    cell = "# from the lesson\u2028see the slides\n" + solution("mse_loss")
    assert grade_cells(grader, tmp_path, cell).status == "passed"


@pytest.mark.attack
def test_the_notes_on_skipped_cells_cost_time_linear_in_the_notebook(tmp_path):
    """A wrong function using 20,000 unbound names beside a skipped cell of a megabyte that looks
    like them: one pattern of every name over the cell's text took 27 s in the grader's own
    process. Each skipped cell's words are now found once and looked up."""
    names = [f"q{i}" for i in range(20_000)]
    wrong = f"def mse_loss(input, target, reduction='mean', weight=None):\n    return [{', '.join(names)}]\n"
    skipped = "!ls\n" + "qqx q1x " * 400_000 + "\nq7 is here\n"
    path = write(tmp_path / "work.ipynb", wrong, skipped)
    code = ("import sys\nfrom pathlib import Path\nfrom grader.submission.notebook import Notebook\n"
            "book = Notebook.read(Path(sys.argv[1]), 'day3')\nprint(book.notes('mse_loss'))\n")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True, timeout=30)
    assert "cell 3 was skipped: it uses a shell escape (!ls)" in out.stdout, out.stdout
