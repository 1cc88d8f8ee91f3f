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
    main(sys.argv[1:])
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
