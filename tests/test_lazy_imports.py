"""Commands that need no tensors start without torch or pytest (each costs a second or more)."""
import json
import shutil
import subprocess
import sys

import pytest

from paths import ROOT

_PROBE = """
import json, sys
from grader.cli import main
try:
    main.main(sys.argv[1:])
except SystemExit:
    pass
heavy = sorted(m for m in ("torch", "pytest", "_pytest", "yaml", "numpy") if m in sys.modules)
print("\\nIMPORTED " + json.dumps(heavy))
"""


def _imported(*args, stdin=""):
    proc = subprocess.run([sys.executable, "-c", _PROBE, *args], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, timeout=60)
    assert "Traceback" not in proc.stderr, proc.stderr
    return set(json.loads(proc.stdout.rsplit("IMPORTED ", 1)[1]))


@pytest.mark.parametrize("args, allowed", [
    (["--help"], set()),
    (["day3", "--help"], set()),
    (["batch", "--help"], set()),
    (["hint", "day3", "mse_loss", "--submission", "{sub}"], {"yaml"}),
    (["quiz", "day3", "--submission", "{sub}"], {"yaml"}),
    (["list", "day3", "--submission", "{sub}"], {"yaml"}),  # untouched stubs: nothing to grade
])
def test_commands_without_tensors_import_neither_torch_nor_pytest(tmp_path, args, allowed):
    shutil.copytree(ROOT / "exercises" / "day3", tmp_path / "day3")
    args = [a.format(sub=tmp_path) for a in args]
    imported = _imported(*args, stdin="\n" * 20)
    assert imported <= allowed, f"grade {' '.join(args)} imported {sorted(imported - allowed)}"


def test_grading_a_failing_exercise_leaves_sympy_to_the_workers(tmp_path):
    """The grading process judges and explains failures without sympy (half a second to import,
    pulled in by torch's own argument checks and by backward with an explicit gradient)."""
    (tmp_path / "day3").mkdir()
    (tmp_path / "day3" / "mse_loss.py").write_text(
        "def mse_loss(input, target, reduction='mean', weight=None):\n"
        "    l = 1.5 * (input - target) ** 2 * (1 if weight is None else weight)\n"
        "    return l if reduction == 'none' else l.sum() if reduction == 'sum' else l.mean()\n")
    probe = _PROBE.replace('("torch", "pytest", "_pytest", "yaml", "numpy")', '("torch", "sympy")')
    proc = subprocess.run([sys.executable, "-c", probe, "day3", "mse_loss", "--submission", str(tmp_path),
                           "--no-cache", "--format", "json"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    report = json.loads(proc.stdout.rsplit("\nIMPORTED ", 1)[0])
    assert report["exercises"][0]["status"] == "failed"
    assert json.loads(proc.stdout.rsplit("IMPORTED ", 1)[1]) == ["torch"]
