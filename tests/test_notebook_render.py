"""The notebook side without a kernel: HTML escaping and bounds, the cell-prompt quiz, and
``check()`` from a plain script (source through ``inspect``, graded in the sandbox)."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from grader.course import quiz as quizzes
from grader.notebook import quizcell
from grader.notebook.render import DayView, ExerciseView
from grader.results import CaseResult, DayResult, ExerciseResult

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def _failed_exercise() -> ExerciseResult:
    cases = [CaseResult("c1", f"case {HOSTILE}", f"kind {HOSTILE}", True, False, 0.0, 0.5,
                        message=f"values differ {HOSTILE}", hint=f"hint {HOSTILE}", example=f"input = {HOSTILE}"),
             CaseResult("c2", "hidden", "hidden kind", False, False, 0.0, 0.5, message="values differ"),
             CaseResult("c3", "ok", "ok kind", True, True, 0.5, 0.5)]
    return ExerciseResult("mse_loss", "failed", 0.5, 1.5, feedback=f"public case {HOSTILE}\nnote: cell 2 {HOSTILE}",
                          cases=cases, output=HOSTILE * 10_000)


def test_exercise_html_escapes_and_bounds_everything_the_learner_controls():
    html = ExerciseView(_failed_exercise(), "day3")._repr_html_()
    assert "<script" not in html and "<img" not in html
    assert html.count("&lt;script&gt;") >= 5  # case name, message, example, kind, hint, output, note
    assert len(html) < 20_000  # the 560 KB of printed output is clipped
    assert "First failing case (public)" in html and "kind &lt;script&gt;" in html and "hidden kind: 1 case" in html
    view = ExerciseView(_failed_exercise(), "day3")
    assert (view.score, view.max_score, view.status) == (0.5, 1.5, "failed")
    assert repr(view).startswith("✗ mse_loss")


def test_day_html_escapes_quiz_and_feedback():
    result = DayResult("day3", f"Day {HOSTILE}", "x", "cpu", [_failed_exercise()],
                       quiz={"score": 0, "max_score": 2, "status": "error", "message": HOSTILE, "questions": []})
    html = DayView(result)._repr_html_()
    assert "<script" not in html and "<img" not in html
    assert "0.50/1.5" in html and "quiz" in html


def test_quiz_prompt_saves_answers_where_grade_scores_them(day3, tmp_path):
    stored = yaml.safe_load((ROOT / "solutions" / "day3" / "quiz_answers.yaml").read_text())
    the_quiz = quizzes.load(day3.quiz_path)
    typed = iter(" ".join(v) if isinstance(v, list) else str(v) for v in (stored[q.id] for q in the_quiz.questions))
    said = []
    section = quizcell.run(day3, tmp_path, ask=lambda _prompt: next(typed), say=said.append)
    assert section["score"] == section["max_score"] > 0
    saved = quizzes.grade_answers(the_quiz, tmp_path / "day3" / "quiz_answers.yaml")
    assert saved["score"] == section["score"]
    # Asked again, nothing is left to ask; a front end that cannot prompt ends the quiz politely.
    quizcell.run(day3, tmp_path, ask=lambda _p: (_ for _ in ()).throw(AssertionError("asked")), say=said.append)

    def cannot(_prompt):
        raise EOFError

    fresh = tmp_path / "fresh"
    assert quizcell.run(day3, fresh, ask=cannot, say=said.append)["score"] == 0
    assert any("cannot ask questions" in line for line in said)


def test_check_from_a_plain_script_grades_its_source(tmp_path):
    solution = (ROOT / "solutions" / "day3" / "mse_loss.py").read_text()
    script = tmp_path / "work.py"
    script.write_text(solution + "\n\nfrom grader import notebook as g\n"
                      "r = g.check('day3', 'mse_loss', device='cpu')\nprint('RESULT', r.score, r.max_score, r.status)\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "RESULT 1.0 1.0 passed" in done.stdout
    assert "✓ mse_loss" in done.stdout


def test_hint_in_a_notebook_shows_the_hints_as_grade_hint_does(tmp_path, monkeypatch, capsys):
    from grader import notebook as g
    from grader.course.manifest import Course

    hints = Course.locate(None).load_day("day3").exercise("mse_loss").hints
    monkeypatch.chdir(tmp_path)
    g.hint("day3", "mse_loss")
    assert capsys.readouterr().out.splitlines()[0] == f"hint 1/{len(hints)}: {hints[0]}"
    for _ in hints:
        g.hint("day3", "mse_loss")
    last = capsys.readouterr().out
    assert f"hint {len(hints)}/{len(hints)}: {hints[-1]}" in last and "no more hints" in last


def test_an_interrupted_check_ends_in_one_line_and_the_next_check_gets_fresh_workers(monkeypatch):
    from types import SimpleNamespace

    from grader import notebook as g
    from grader.notebook import kernel

    closed = []

    def grade(*_args):
        raise KeyboardInterrupt  # Jupyter's interrupt while a hanging exercise runs

    hanging = SimpleNamespace(day=SimpleNamespace(exercise=lambda name: None), grade=grade,
                              close=lambda: closed.append(True))
    monkeypatch.setitem(kernel._GRADERS, ("day3", "auto", None), hanging)
    monkeypatch.setattr(kernel, "submission", lambda day: None)
    try:
        with pytest.raises(g.NotebookError, match="interrupted"):
            g.check("day3", "mse_loss")
    except KeyboardInterrupt:
        pytest.fail("the interrupt escaped as a traceback through the grader's internals")
    assert ("day3", "auto", None) not in kernel._GRADERS  # its worker may still run the stopped job
    for _ in range(100):
        if closed:
            break
        time.sleep(0.01)
    assert closed


def test_a_kernel_missing_an_exercise_is_named_as_the_notebook_not_as_in(monkeypatch):
    from types import SimpleNamespace

    from grader.notebook import kernel
    from grader.submission import Unreadable

    shell = SimpleNamespace(history_manager=SimpleNamespace(input_hist_raw=["", "x = 1"]))
    monkeypatch.setattr(kernel, "ipython", lambda: shell)
    cells = kernel.submission("day3")
    with pytest.raises(Unreadable, match=r"^this notebook has no code cell defining mse_loss\(\)"):
        cells.source("mse_loss")
    assert str(cells) == "this notebook"  # the report's header: "grading this notebook/day3", not "In/day3"
