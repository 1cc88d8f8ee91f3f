"""What the sandbox costs: grade the reference solutions through sandboxed workers, then call the
same functions on the same cases in this process (no isolation, no scan), and print both.

    python benchmarks/sandbox_cost.py [--repeat N]

Both sides run every case (forward and backward via grader.invoke) and judge it the same way;
the sandboxed side also pays for the static scan, serialising inputs and answers, a fork per
exercise and running the judging through pytest. References are computed once, before either
timing, as the engine caches them.
"""
from __future__ import annotations

import argparse
import statistics
import time
import types
from pathlib import Path

import torch

from grader.course.manifest import Course
from grader.engine import Grader
from grader.judging.invoke import invoke

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"


def in_process(grader: Grader, names: list[str]) -> None:
    for name in names:
        prepared = grader.prepare(grader.day.exercise(name))
        module = types.ModuleType(name)
        exec(compile((SOLUTIONS / "day3" / f"{name}.py").read_text(), name, "exec"), module.__dict__)  # noqa: S102 - our own solutions
        for case in prepared.cases:
            answer = invoke(getattr(module, name), case.args, grader.device, case.upstream)
            grader._judge_case(prepared, case, {"id": case.id, **answer})


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)  # workers run single-threaded too
    day = Course.locate().load_day("day3")
    names = [e.name for e in day.exercises if (SOLUTIONS / "day3" / f"{e.name}.py").is_file()]
    started = time.perf_counter()
    with Grader(day, "cpu") as grader:
        for name in names:
            grader.prepare(day.exercise(name))
        grader.grade(SOLUTIONS, names)  # warm: the first call also waits for the zygote to start
        warm_up = time.perf_counter() - started
        sandboxed = timed(lambda: grader.grade(SOLUTIONS, names), args.repeat)
        direct = timed(lambda: in_process(grader, names), args.repeat)
    cases = sum(len(grader.prepare(day.exercise(n)).cases) for n in names)
    print(f"{len(names)} exercises, {cases} cases, median of {args.repeat} runs (grader start + references: {warm_up:.2f} s)")
    print(f"  sandboxed (scan, fork per exercise, judge): {statistics.median(sandboxed):.3f} s")
    print(f"  in-process (invoke + judge, no isolation): {statistics.median(direct):.3f} s")
    print(f"  sandbox overhead per exercise:              "
          f"{(statistics.median(sandboxed) - statistics.median(direct)) / len(names) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
