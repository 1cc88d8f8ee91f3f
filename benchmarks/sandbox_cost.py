"""What the sandbox costs: grade the reference solutions through sandboxed workers, then call the
same functions on the same cases in this process (no isolation, no scan), and print both; then
time one small job on a worker with every kernel layer and on one without the layers added for
issue 10 (Landlock, seccomp, private /tmp), and print the difference per job.

    python benchmarks/sandbox_cost.py [--repeat N] [--jobs N]

Both sides run every case (forward and backward via grader.invoke) and judge it the same way;
the sandboxed side also pays for the static scan, serialising inputs and answers, a fork per
submission and running the judging through pytest. References are computed once, before either
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
from grader.sandbox import Limits, Worker, wire
from grader.workers import PRELOAD

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


NEW_LAYERS = ("landlock", "seccomp", "private_tmp")
EMPTY_JOB = "import torch\n\n\ndef f():\n    return torch.zeros(())\n"


def layer_cost(jobs: int) -> None:
    """Alternate the same one-call job between the two workers, so that load on the machine
    falls on both alike, and compare the medians: what is left is the layers' own cost."""
    full, bare = Worker(preload=PRELOAD), Worker(preload=PRELOAD, without=NEW_LAYERS)
    one_call = wire.encode([{"id": "only", "args": [], "upstream": None}])
    times = {full: [], bare: []}
    try:
        for _ in range(jobs + 1):  # the first round waits for the workers to start
            for worker, seconds in times.items():
                started = time.perf_counter()
                worker.run(EMPTY_JOB, "job.py", "f", one_call, "cpu", Limits())
                seconds.append(time.perf_counter() - started)
        with_layers, without_layers = (statistics.median(t[1:]) for t in times.values())
        print(f"one small job, median of {jobs}: {with_layers * 1000:.1f} ms with every layer "
              f"({full.sandbox}), {without_layers * 1000:.1f} ms without {', '.join(NEW_LAYERS)}")
        print(f"  cost of those layers per job: {(with_layers - without_layers) * 1000:.1f} ms")
    finally:
        full.close()
        bare.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=200, help="jobs per worker for the layer cost")
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
    print(f"  sandboxed (scan, one fork, judge):          {statistics.median(sandboxed):.3f} s")
    print(f"  in-process (invoke + judge, no isolation): {statistics.median(direct):.3f} s")
    print(f"  sandbox overhead per exercise:              "
          f"{(statistics.median(sandboxed) - statistics.median(direct)) / len(names) * 1000:.0f} ms")
    layer_cost(args.jobs)


if __name__ == "__main__":
    main()
