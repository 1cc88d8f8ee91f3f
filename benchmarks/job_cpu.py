"""The sandbox's CPU per submission on a warm Grader: the forked jobs and the zygotes' own.

This is what `grade batch` pays per student in its workers (the grading process's own share is
benchmarks/judge_cpu.py). The jobs' CPU is read from the zygotes' reaped-children time in /proc
(Linux only), for solutions/ and the copy with eight exercises broken that judge_cpu.py grades.
Then the same tasks run in this process, without fork or sandbox: once with the solutions'
functions, once with a function that only sums its first input, which leaves what a job spends
around the learner's code (preparing inputs, backward, capturing output, encoding answers).
Each figure is the median of --repeat rounds of --grades grades.

    python benchmarks/job_cpu.py --repeat 5 --grades 5

Not part of the tests: timings are noisy on a shared machine.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from judge_cpu import submissions  # noqa: E402

from grader import engine  # noqa: E402
from grader.course.manifest import Course  # noqa: E402
from grader.judging import invoke  # noqa: E402
from grader.sandbox import child, wire  # noqa: E402

_TICK = os.sysconf("SC_CLK_TCK")


def zygotes_cpu() -> tuple[float, float]:
    """(own, reaped children) CPU seconds of this process's children: the zygotes."""
    own = reaped = 0.0
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            own += (int(fields[11]) + int(fields[12])) / _TICK
            reaped += (int(fields[13]) + int(fields[14])) / _TICK
    return own, reaped


def sandboxed(grader: engine.Grader, submission: Path, repeat: int, grades: int) -> dict:
    grader.grade(submission)
    jobs, own = [], []
    for _ in range(repeat):
        before = zygotes_cpu()
        for _ in range(grades):
            grader.grade(submission)
        after = zygotes_cpu()
        own.append((after[0] - before[0]) / grades)
        jobs.append((after[1] - before[1]) / grades)
    return {"jobs": statistics.median(jobs), "zygotes' own": statistics.median(own)}


def in_process(grader: engine.Grader, sources: dict, repeat: int, grades: int) -> float:
    """CPU seconds per submission of the jobs' work on ``sources`` (exercise -> text), here."""
    tasks = [{"source": text.encode(), "filename": f"{name}.py", "function": name,
              "cases": wire.decode(grader._job_input(grader.day.exercise(name)))} for name, text in sources.items()]
    pristine = [(namespace, dict(vars(namespace))) for namespace in child._RESTORED]
    out = os.open(os.devnull, os.O_WRONLY)

    def once():
        for task in tasks:
            invoke.start_task()
            child._restore(pristine)
            child._run_task(task, "cpu", out)

    once()
    rounds = []
    for _ in range(repeat):
        started = time.process_time()
        for _ in range(grades):
            once()
        rounds.append((time.process_time() - started) / grades)
    os.close(out)
    return statistics.median(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--grades", type=int, default=5)
    args = parser.parse_args()
    day = Course.locate().load_day("day3")
    with tempfile.TemporaryDirectory() as tmp, engine.Grader(day, "cpu") as grader:
        for label, submission in submissions(Path(tmp)):
            print(f"{label}: sandbox CPU s per submission (median of {args.repeat})")
            for what, seconds in sandboxed(grader, submission, args.repeat, args.grades).items():
                print(f"  {what:<34}{seconds:7.3f}")
        torch.set_num_threads(1)  # as in a job
        names = [spec.name for spec in day.exercises]
        solutions = {name: (ROOT / "solutions" / "day3" / f"{name}.py").read_text() for name in names}
        trivial = {name: f"def {name}(*args, **kwargs):\n    return args[0].sum()\n" for name in names}
        print(f"the jobs' tasks in this process, no fork or sandbox: CPU s per submission (median of {args.repeat})")
        print(f"  {'solutions':<34}{in_process(grader, solutions, args.repeat, args.grades):7.3f}")
        print(f"  {'sum of the first input (overhead)':<34}{in_process(grader, trivial, args.repeat, args.grades):7.3f}")


if __name__ == "__main__":
    main()
