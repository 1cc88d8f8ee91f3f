"""The Gradescope autograder zip that `grade init-gradescope` writes: one upload, ready to use.

Layout (Gradescope unpacks it into /autograder/source): ``setup.sh`` installs torch (CPU) and the
grader from a pinned pip requirement and makes the course pack readable by root only (graded
jobs run under a uid of their own there, so they cannot read it); ``run_autograder`` grades
/autograder/submission and always writes /autograder/results/results.json; ``autograder.json``
holds the day and the options; ``course/<day>/`` is the pack's day folder and nothing else, and
``course/secret`` the pack's secret (its file or ``GRADER_SECRET``) when it has one.
"""
from __future__ import annotations

import json
import shlex
import zipfile
from importlib import resources
from pathlib import Path

SETUP = """\
#!/usr/bin/env bash
# Written by `grade init-gradescope`: runs once when Gradescope builds the autograder image.
set -euo pipefail
apt-get update -q && apt-get install -y -q python3 python3-pip >/dev/null
python3 -m pip install --break-system-packages -q torch=={torch} --index-url https://download.pytorch.org/whl/cpu \\
  || python3 -m pip install -q torch=={torch} --index-url https://download.pytorch.org/whl/cpu
python3 -m pip install --break-system-packages -q {grader} || python3 -m pip install -q {grader}
chmod -R go-rwx /autograder/source/course
"""


def build(day, output: Path, grader_spec: str, torch_version: str, options: list[str]) -> list[str]:
    """Write the zip for ``day`` (a loaded Day) to ``output``; returns the names it holds."""
    config = {"day": day.name, "options": options}
    runner = resources.files("grader.classroom").joinpath("gradescope_run.py").read_text(encoding="utf-8")
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "setup.sh", SETUP.format(torch=torch_version, grader=shlex.quote(grader_spec)), executable=True)
        _add(archive, "run_autograder", runner, executable=True)
        _add(archive, "autograder.json", json.dumps(config, indent=1) + "\n")
        for path in sorted(p for p in day.folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            _add(archive, f"course/{day.name}/{path.relative_to(day.folder).as_posix()}", path.read_bytes())
        if day.secret is not None:  # a keyed quiz cannot be graded without it, and hidden cases would fall back to public seeds
            _add(archive, "course/secret", day.secret + b"\n", mode=0o600)
        return archive.namelist()


def _add(archive: zipfile.ZipFile, name: str, data, executable: bool = False, mode: int = 0o644) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # fixed: the same pack gives the same zip
    info.external_attr = (0o755 if executable else mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)
