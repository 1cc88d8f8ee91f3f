"""The grading process's own CPU per submission, stage by stage, on a warm Grader.

This is what `grade batch` pays per student on top of the sandboxed jobs: decoding the answers,
pytest running the cases, and judging them (compare, diagnose, feedback). It grades solutions/ and
a copy with eight exercises broken (mutants from tests/mutants), since failing cases also run the
diagnoses and examples. Each figure is the least process CPU time of --repeat runs.

    python benchmarks/judge_cpu.py --repeat 7

Not part of the tests: timings are noisy on a shared machine.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the mutants make the buggy submission
import mutant_sources  # noqa: E402

from grader import engine  # noqa: E402
from grader.course.manifest import Course  # noqa: E402
from grader.judging import pytest_plugin  # noqa: E402
from grader.sandbox import JobResult  # noqa: E402


def buggy_copy(folder: Path, broken: int = 8) -> Path:
    """solutions/ with every other exercise (the first ``broken``) replaced by one of its mutants."""
    shutil.copytree(ROOT / "solutions", folder)
    first = {}
    for exercise, name in mutant_sources.names():
        if not name.startswith("correct_"):
            first.setdefault(exercise, name)
    for exercise in sorted(first)[::2][:broken]:
        (folder / "day3" / f"{exercise}.py").write_text(mutant_sources.source(exercise, first[exercise]))
    return folder


def submissions(tmp: Path) -> tuple:
    """The two submissions each CPU benchmark grades, with their labels: every case passing, and
    failing cases that also run the diagnoses and examples."""
    return ("solutions", ROOT / "solutions"), ("8 exercises broken", buggy_copy(tmp / "buggy"))


def least_cpu_ms(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        fn()
        best = min(best, time.process_time() - started)
    return best * 1e3


def stages(grader: engine.Grader, submission: Path, repeat: int) -> dict:
    runs, frames = {}, []
    real, real_decode = pytest_plugin.run_cases, engine.answers_by_id

    def keep(day, given, judge_fn):  # the answers as run_cases got them, to time its stages apart
        runs.update(given)
        return real(day, given, judge_fn)

    def keep_frames(job):  # a copy: the grade lets go of a job's frames once they are decoded
        frames.append(list(job.frames))
        return real_decode(job)

    pytest_plugin.run_cases, engine.answers_by_id = keep, keep_frames
    try:
        grader.grade(submission)
        frames.clear()
        grader.grade(submission)  # warm: references and per-case memos made
    finally:
        pytest_plugin.run_cases, engine.answers_by_id = real, real_decode
    jobs = [JobResult("ok", kept) for kept in frames]
    decoded = {name: (prepared, answers.by_id) for name, (prepared, answers) in runs.items()}

    def judge_only():
        for prepared, answers in decoded.values():
            for case in prepared.cases:
                grader._judge_case(prepared, case, answers.get(case.id))

    return {"whole grade": least_cpu_ms(lambda: grader.grade(submission), repeat),
            "decode answers": least_cpu_ms(lambda: [real_decode(job) for job in jobs], repeat),
            "run_cases (decoded)": least_cpu_ms(lambda: real(grader.day, decoded, grader._judge_case), repeat),
            "  of which judging": least_cpu_ms(judge_only, repeat)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    day = Course.locate().load_day("day3")
    with tempfile.TemporaryDirectory() as tmp, engine.Grader(day, "cpu") as grader:
        for label, submission in submissions(Path(tmp)):
            print(f"{label}: parent CPU ms per submission (least of {args.repeat})")
            for stage, ms in stages(grader, submission, args.repeat).items():
                print(f"  {stage:<22}{ms:7.1f}")


if __name__ == "__main__":
    main()
