#!/usr/bin/env python3
"""Gradescope's run_autograder, as `grade init-gradescope` packs it: grade one upload, always
leave a results.json.

Rules: it uses only the standard library until it runs `python -m grader`, so a broken install
still ends in a results.json that says so. A student's files are found wherever the upload put
them: the file names the day needs (every ``*.py`` and the quiz answers) are gathered from a
folder named like the day if there is one, else from the shallowest place each name occurs;
macOS and hidden folders are ignored. An upload with no ``.py`` file is graded from its
notebook. Paths come from AUTOGRADER_ROOT (default /autograder), so the script runs the same
against a fake layout in a test.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
WANTED_SUFFIXES = (".py",)
ANSWERS = "quiz_answers.yaml"
MESSAGE_LIMIT = 4000


def gather(upload: Path, day: str, target: Path) -> list:
    """Copy the student's files into target/day/; returns what was copied (relative to the upload)."""
    files = [p for p in upload.rglob("*") if _plain_file(p) and _wanted(p) and not _ignored(p.relative_to(upload))]
    in_day = [p for p in files if day in {part.lower() for part in p.relative_to(upload).parts[:-1]}]
    chosen = {}
    for path in sorted(in_day or files, key=lambda p: (len(p.relative_to(upload).parts), str(p))):
        chosen.setdefault(path.name, path)
    (target / day).mkdir(parents=True, exist_ok=True)
    for name, path in chosen.items():
        shutil.copyfile(path, target / day / name)
    return sorted(str(p.relative_to(upload)) for p in chosen.values())


def find_notebook(upload: Path, day: str) -> Path | None:
    """The notebook to grade when the upload has no ``.py`` file: one named like the day, else the
    shallowest (checkpoints and macOS folders ignored)."""
    found = [p for p in upload.rglob("*.ipynb") if _plain_file(p) and not _ignored(p.relative_to(upload))]
    found.sort(key=lambda p: (p.stem.lower() != day, len(p.relative_to(upload).parts), str(p)))
    return found[0] if found else None


def _plain_file(path: Path) -> bool:
    """A regular file of the upload itself: a link (to the course's secret, to /etc/shadow) is
    never followed, as run_autograder reads the upload as root."""
    return path.is_file() and not path.is_symlink()


def _wanted(path: Path) -> bool:
    return path.suffix in WANTED_SUFFIXES or path.name == ANSWERS


def _ignored(relative: Path) -> bool:
    return any(part.startswith((".", "__")) for part in relative.parts)


def failure(message: str) -> dict:
    return {"score": 0.0, "execution_time": 0, "output": message[-MESSAGE_LIMIT:], "tests": [],
            "stdout_visibility": "hidden"}


def main() -> int:
    config = json.loads((ROOT / "source" / "autograder.json").read_text())
    results = ROOT / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    day = config["day"]
    try:
        with tempfile.TemporaryDirectory(prefix="submission-") as staging:
            found = gather(ROOT / "submission", day, Path(staging))
            submission = staging
            if not any(name.endswith(".py") for name in found):
                notebook = find_notebook(ROOT / "submission", day)
                if notebook is None:
                    results.write_text(json.dumps(failure(
                        f"No Python files or notebook were found in your upload. Upload your {day} exercise "
                        f"files (e.g. mse_loss.py) on their own or inside a folder named {day}, or your notebook.")))
                    return 0
                submission = str(Path(staging) / notebook.name)  # its quiz answers, if any, are in staging/DAY/
                shutil.copyfile(notebook, submission)
            command = [sys.executable, "-m", "grader", day, "--submission", submission,
                       "--course", str(ROOT / "source" / "course"), "--format", "gradescope",
                       "--output", str(results), *config.get("options", [])]
            proc = subprocess.run(command, capture_output=True, text=True, timeout=config.get("total_timeout", 1800))
            if proc.returncode == 0 and _valid(results):
                return 0
            raise RuntimeError(f"the grader exited with code {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    except Exception as exc:  # noqa: BLE001 - whatever happened, Gradescope must get a results.json
        results.write_text(json.dumps(failure(
            f"The autograder could not grade this submission ({type(exc).__name__}: {exc}). "
            "Tell your instructor; your upload was not scored.")))
        return 0


def _valid(path: Path) -> bool:
    try:
        return isinstance(json.loads(path.read_text()).get("tests"), list)
    except (OSError, ValueError, AttributeError):
        return False


if __name__ == "__main__":
    sys.exit(main())
