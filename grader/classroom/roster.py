"""Who is in a class, and which of them a shard grades."""
from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from ..errors import UsageError
from ..submission import is_loose_notebook

_SHARD = re.compile(r"^(\d+)/(\d+)$")


def students(submissions: Path) -> list[str]:
    """Every student folder of ``submissions``, sorted by name (hidden folders are not students)."""
    if not submissions.is_dir():
        raise UsageError(f"submissions folder not found: {submissions}")
    entries = [p for p in submissions.iterdir() if not p.name.startswith((".", "_"))]
    # A student is a folder, or a loose notebook NAME.ipynb (grader.submission.student_submission).
    names = sorted({p.name if p.is_dir() else p.stem for p in entries if p.is_dir() or is_loose_notebook(p)})
    # A name is a key of the gradebook and of its export, written as is: one that could drive a
    # terminal (escape sequences) or reorder text (bidi overrides) is refused, not rewritten.
    odd = [name for name in names if any(unicodedata.category(c)[0] == "C" or c in "\u2028\u2029" for c in name)]
    if odd:
        raise UsageError(f"{len(odd)} student name(s) in {submissions} hold control or formatting characters "
                         f"(e.g. {ascii(odd[0])}): rename them")
    return names


def check_class(submissions: Path, day: str, names: list[str]) -> None:
    """A UsageError for a SUBMISSIONS folder that is plainly not a class: no student in it, or one
    student's own folder (it holds DAY/), which would grade DAY as a student."""
    layout = f"one folder per student ({submissions}/NAME/{day}/*.py) or NAME.ipynb"
    if not names:
        raise UsageError(f"no students in {submissions}: grade batch takes the folder that holds {layout}")
    if day in names:
        raise UsageError(f"{submissions} looks like one student's folder (it holds {day}/): grade batch takes "
                         f"the folder that holds {layout}; grade {day} --submission {submissions} grades this one")


def parse_shard(text: str, env=os.environ) -> tuple[int, int]:
    """'i/n' with 1 <= i <= n, or 'slurm': this task's place in its Slurm job array, counted from
    the array's first id (SLURM_ARRAY_TASK_MIN), so --array=0-7 and --array=1-8 both give 1..8."""
    if text.strip() == "slurm":
        return _slurm_shard(env)
    match = _SHARD.match(text.strip())
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise UsageError(f"--shard must be i/n with 1 <= i <= n (e.g. 2/8), not '{text}'")
    return int(match[1]), int(match[2])


def shard(names: list[str], index: int, count: int) -> list[str]:
    """Round-robin over the sorted roster: deterministic, and sizes differ by at most one."""
    return sorted(names)[index - 1::count]


def _slurm_shard(env) -> tuple[int, int]:
    try:
        task, count = int(env["SLURM_ARRAY_TASK_ID"]), int(env["SLURM_ARRAY_TASK_COUNT"])
        first = int(env.get("SLURM_ARRAY_TASK_MIN", 1))
    except (KeyError, ValueError):
        raise UsageError("--shard slurm needs SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT "
                         "(submit the job with sbatch --array)") from None
    index = task - first + 1
    if not 1 <= index <= count:
        raise UsageError(f"--shard slurm: task {task} of an array of {count} starting at {first} is out of range "
                         "(use a contiguous --array such as 1-8, without a step)")
    return index, count
