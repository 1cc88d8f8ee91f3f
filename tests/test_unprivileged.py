"""The attack tests hold as an ordinary user too: a suite run as root runs them again as uid 65534.

An ordinary user is where the sandbox has least help (no uid switch: the job has the grader's
own uid), and it is how GitHub runners, laptops and Slurm nodes grade. uid 65534 cannot run a
python under /root or inside a 0700 folder, so this needs ``GRADER_USER_PYTHON``: a python it
can run, with this project's dependencies (``.ci/run`` makes one). The test copies the project
to a world-readable folder, installs that copy into the given python (non-editable, no
dependencies: the installed grader must be this code), and runs ``pytest -m attack`` there:
every test marked as an attack, in every test file.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from paths import ROOT

ORDINARY_UID = 65534
NOT_COPIED = shutil.ignore_patterns(".*", "__pycache__", "build", "dist", "out", "*.egg-info")


@pytest.fixture
def user_python() -> str:
    if os.geteuid() != 0:
        pytest.skip("this suite already runs as an ordinary user")
    python = os.environ.get("GRADER_USER_PYTHON")
    if not python or not shutil.which("setpriv"):
        pytest.skip(f"not rerun as uid {ORDINARY_UID}: set GRADER_USER_PYTHON to a python that uid "
                    f"{ORDINARY_UID} can run, with this project's dependencies installed, and have setpriv "
                    "(.ci/run does both)")
    return python


def test_attack_tests_pass_as_an_ordinary_user(user_python):
    copy = Path(tempfile.mkdtemp(prefix="grader-as-user-"))
    try:
        copy.chmod(0o755)
        shutil.copytree(ROOT, copy, ignore=NOT_COPIED, dirs_exist_ok=True)
        install = subprocess.run([user_python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                                  str(copy)], capture_output=True, text=True, cwd=copy)
        assert install.returncode == 0, install.stderr[-3000:]
        shutil.rmtree(copy / "build", ignore_errors=True)
        run = subprocess.run(
            ["setpriv", f"--reuid={ORDINARY_UID}", f"--regid={ORDINARY_UID}", "--clear-groups",
             user_python, "-m", "pytest", "-m", "attack", "-q", "-p", "no:cacheprovider"],
            capture_output=True, text=True, cwd=copy, timeout=600,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": tempfile.gettempdir()})
        assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
        assert " passed" in run.stdout.splitlines()[-1]
    finally:
        shutil.rmtree(copy)
