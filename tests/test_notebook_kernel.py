"""A real Jupyter kernel runs the starter notebook headless (nbclient + ipykernel), one kernel.

First the notebook as generated: every check shows "not started", the quiz cell ends politely
(the headless front end cannot prompt) and the whole-day check runs. Then, in the same kernel,
each solution is run as a learner would paste it, and every check shows full marks; the magic,
a hostile cell and a bad call give their clear results.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

from notebooks import solution

ROOT = Path(__file__).resolve().parent.parent
STARTER = ROOT / "exercises" / "day3.ipynb"


def _plain(cell) -> str:
    return "".join(o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in cell.outputs)


def _html(cell) -> str:
    return "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)


def _score(cell, name):
    found = re.search(rf"{name}\s+([\d.]+)/([\d.]+)\s+(\w+)", _plain(cell))
    assert found, f"no result for {name} in: {_plain(cell)!r}"
    return float(found[1]), float(found[2]), found[3]


def test_starter_notebook_in_a_real_kernel(tmp_path):
    nb = nbformat.read(STARTER, as_version=4)
    checks = {c.source.split('"')[3]: c for c in nb.cells if c.source.startswith('g.check("day3", "')}
    names = list(checks)
    solved = {}
    for name in names:
        nb.cells.append(new_code_cell(solution(name)))
        solved[name] = new_code_cell(f'g.check("day3", "{name}")')
        nb.cells.append(solved[name])
    magic = new_code_cell("%grade day3 mse_loss")
    hostile = new_code_cell("import torch.nn.functional as F\n\ndef l1_loss(input, target, **kw):\n"
                            "    return F.l1_loss(input, target)\n\ng.check('day3', 'l1_loss')")
    bad = new_code_cell('g.check("day3", "no_such_loss")')
    timed = new_code_cell("%%time\ndef huber_loss(input, target, **kw):\n    return input")
    after_magic = new_code_cell('g.check("day3", "huber_loss")')
    nb.cells += [magic, hostile, bad, timed, after_magic]
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()

    for name, cell in checks.items():
        score, _max, status = _score(cell, name)
        assert (score, status) == (0.0, "failed") and "not started" in _plain(cell), _plain(cell)
        assert "not started" in _html(cell)
    for name, cell in solved.items():
        score, max_score, status = _score(cell, name)
        assert status == "passed" and score == max_score > 0, _plain(cell)
        assert "<div" in _html(cell)
    quiz_cell = next(c for c in nb.cells if c.source == 'g.quiz("day3")')
    assert "cannot ask questions" in _plain(quiz_cell)
    assert _score(magic, "mse_loss")[2] == "passed"
    assert _score(hostile, "l1_loss")[2] == "forbidden" and "In [" in _plain(hostile)
    assert _score(after_magic, "huber_loss")[2] == "error"
    assert re.search(r"In \[\d+\] defines huber_loss but was skipped: it uses an IPython magic \(%%time\)",
                     _plain(after_magic))
    error = next(o for o in bad.outputs if o.output_type == "error")
    assert error.traceback == ["error: unknown exercise 'no_such_loss' in day3 (known: "
                               + ", ".join(names) + ")"]
