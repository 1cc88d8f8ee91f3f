"""Every speed target of the grader, measured in one run against `python -c "import torch"`.

    python benchmarks/speed.py                          # the full table (minutes on 2 cores)
    python benchmarks/speed.py --runs 3 --batch-students 10 --loop-sample 3 --memory-students 5 20

Each command runs as a fresh process, `--runs` times, and the median is reported, as wall time
and as CPU time (the process and every descendant: grader, sandbox workers, jobs), each also as a
ratio to the same measure of `python -c "import torch"`, the floor of anything that grades. The
`grade DAY` rows pair each run with a floor run just before it and report the median ratio of
the pairs (a virtual machine's speed drifts within minutes); the floor row is the median of
those floor runs. The
reference cache lives in a temporary folder: "warm" runs follow one untimed run, "cold" runs start
from an empty cache. `grade batch` grades a synthetic class (about 60% correct, 30% one buggy
exercise, 10% one exercise that never returns; see batch_bench.py) against a shell loop of
`grade DAY --format json` over a sample of the same class, weighted by the class's mix, and
against the class's own code alone (learner_floor.py: every function called in-process as a job
calls it, each hang counted at its timeout), the part of a batch's CPU no grader can remove. Peak
memory is the resident size of the whole process tree, sampled from /proc. Not part of the tests:
timings depend on the machine and its load, which is printed with them.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import batch_bench

from grader.classroom import slots

ROOT = batch_bench.ROOT
GRADE = [sys.executable, "-m", "grader"]
FLOOR = [sys.executable, "-c", "import torch"]


def measured(cmd: list, env: dict, cwd=ROOT) -> dict:
    """Wall seconds, CPU seconds of the whole tree, peak tree RSS (MiB) of one run; fails loudly."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, rss, proc = batch_bench.run_measured(cmd, cwd=cwd, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        sys.exit(f"{' '.join(map(str, cmd))} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "rss": rss}


def median_of(runs: int, cmd: list, env: dict, before_each=None) -> dict:
    samples = []
    for _ in range(runs):
        if before_each:
            before_each()
        samples.append(measured(cmd, env))
    return {k: statistics.median(s[k] for s in samples) for k in samples[0]}


floors: list = []  # every floor run, for the floor's own row


def paired(runs: int, cmd: list, env: dict, before_each=None) -> dict:
    """Each run of ``cmd`` right after a run of the floor: a virtual machine's speed drifts by a
    quarter within minutes, so a ratio is taken per pair, and the median ratio is reported."""
    samples = []
    for _ in range(runs):
        floor = measured(FLOOR, env)
        floors.append(floor)
        if before_each:
            before_each()
        sample = measured(cmd, env)
        samples.append({**sample, "wall_x": sample["wall"] / floor["wall"], "cpu_x": sample["cpu"] / floor["cpu"]})
    return {k: statistics.median(s[k] for s in samples) for k in samples[0]}


def imports_torch(args: list, env: dict) -> bool:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "grader", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, input="")
    return any(line.rstrip().endswith("| torch") for line in proc.stderr.splitlines())


def loop_per_student(runs_env: dict, subs: Path, planted: dict, sample: int, day: str, timeout: float) -> dict:
    """A shell loop's cost per student (`for s in ...; do grade DAY --submission $s; done`), from
    a sample with every kind of student in it, weighted by the class's mix."""
    by_kind = {}
    for student, what in sorted(planted.items()):
        by_kind.setdefault(what.split(":")[0], []).append(student)
    per_kind = max(1, sample // len(by_kind))
    cost = {"wall": 0.0, "cpu": 0.0}
    for kind, students in by_kind.items():
        runs = [measured([*GRADE, day, "--submission", str(subs / s), "--timeout", str(timeout), "--format", "json"],
                         runs_env) for s in students[:per_kind]]
        share = len(students) / len(planted)
        for key in cost:
            cost[key] += share * statistics.mean(r[key] for r in runs)
    return cost


def batch(env: dict, subs: Path, out: Path, day: str, jobs: str, timeout: float, planted: dict) -> dict:
    result = measured([*GRADE, "batch", day, str(subs), "--jobs", jobs, "--timeout", str(timeout),
                       "--out", str(out)], env)
    wrong = batch_bench.misgraded(out, planted)
    if wrong:
        sys.exit(f"the gradebook is wrong for {len(wrong)} student(s): {wrong[:5]}")
    return result


def learner_floor(env: dict, subs: Path, planted: dict, day: str, timeout: float, tmp: Path) -> float:
    """CPU seconds per student of the class's own code, called as a job calls it, with nothing
    around it (see learner_floor.py): what a batch costs before any grading."""
    listed = tmp / "planted.json"
    listed.write_text(json.dumps(planted))
    proc = subprocess.run([sys.executable, str(Path(__file__).with_name("learner_floor.py")), str(subs), "--day", day,
                           "--timeout", str(timeout), "--planted", str(listed)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"learner_floor.py failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)["cpu_per_student"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per timed command (median)")
    parser.add_argument("--day", default="day3")
    parser.add_argument("--exercise", default="mse_loss", help="the one-exercise run")
    parser.add_argument("--batch-students", type=int, default=50)
    parser.add_argument("--loop-sample", type=int, default=6, help="students the shell loop grades")
    parser.add_argument("--memory-students", type=int, nargs=2, default=[20, 200], metavar=("SMALL", "LARGE"))
    parser.add_argument("--jobs", default="auto", help="grade batch --jobs (auto: its default, one per core)")
    parser.add_argument("--timeout", type=float, default=2.0, help="per-exercise timeout, batch and loop alike")
    args = parser.parse_args()
    load_before = os.getloadavg()
    rows = []

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cache = tmp / "cache"
        env = {**os.environ, "GRADER_CACHE_DIR": str(cache)}

        def ratio_row(label, m, target=None, met=None):
            rows.append((label, m["wall"], m["wall_x"], m["cpu"], m["cpu_x"], target or "",
                         "" if met is None else ("yes" if met else "NO")))

        day_cmd = [*GRADE, args.day, "--submission", "solutions", "--format", "json"]
        measured(day_cmd, env)  # fills the cache
        warm = paired(args.runs, day_cmd, env)
        ratio_row(f"grade {args.day} (warm cache)", warm, "<= 1.5x", warm["wall_x"] <= 1.5)
        cold = paired(args.runs, day_cmd, env, before_each=lambda: shutil.rmtree(cache, ignore_errors=True))
        ratio_row(f"grade {args.day} (cold cache)", cold, "<= 2.5x", cold["wall_x"] <= 2.5)
        one = paired(args.runs, [*day_cmd, args.exercise], env)
        ratio_row(f"grade {args.day} {args.exercise}", one, "<= 1.2x", one["wall_x"] <= 1.2)
        floor = {k: statistics.median(f[k] for f in floors) for k in ("wall", "cpu")}
        rows.insert(0, ('python -c "import torch"', floor["wall"], 1.0, floor["cpu"], 1.0, "", ""))

        stubs = tmp / "stubs"
        shutil.copytree(ROOT / "exercises", stubs)
        for label, cmd in [(f"grade list {args.day} (untouched stubs)", ["list", args.day, "--submission", str(stubs)]),
                           (f"grade hint {args.day} {args.exercise}", ["hint", args.day, args.exercise,
                                                                     "--submission", str(stubs)]),
                           ("grade --help", ["--help"])]:
            m = median_of(args.runs, [*GRADE, *cmd], env)
            torch_too = imports_torch(cmd, env)
            ok = m["wall"] <= 0.3 and not torch_too
            rows.append((label + (" [imports torch]" if torch_too else ""), m["wall"], m["wall"] / floor["wall"],
                         m["cpu"], m["cpu"] / floor["cpu"], "<= 0.3 s, no torch", "yes" if ok else "NO"))

        subs = tmp / "class"
        planted = batch_bench.make_class(subs, args.day, _exercises(args.day), args.batch_students)
        whole = batch(env, subs, tmp / "out-class", args.day, args.jobs, args.timeout, planted)
        loop = loop_per_student(env, subs, planted, args.loop_sample, args.day, args.timeout)
        n = args.batch_students
        per = {"wall": whole["wall"] / n, "cpu": whole["cpu"] / n}
        speedup = loop["wall"] / per["wall"]
        rows.append((f"grade batch, {n} students, per student", per["wall"], per["wall"] / floor["wall"], per["cpu"],
                     per["cpu"] / floor["cpu"], ">= 10x faster than the loop", "yes" if speedup >= 10 else "NO"))
        rows.append((f"shell loop of grade {args.day}, per student", loop["wall"], loop["wall"] / floor["wall"],
                     loop["cpu"], loop["cpu"] / floor["cpu"], "", ""))
        rows.append((f"  batch is {speedup:.1f}x the loop (wall), {loop['cpu'] / per['cpu']:.1f}x (CPU)",
                     None, None, None, None, "", ""))
        rows.append((f"grade batch CPU per student ({n} students)", None, None, per["cpu"], None,
                     "<= 0.5 CPU-s", "yes" if per["cpu"] <= 0.5 else "NO"))
        floor_cpu = learner_floor(env, subs, planted, args.day, args.timeout, tmp)
        rows.append(("  of which the students' own code (+ hang timeouts)", None, None, floor_cpu, None, "", ""))
        rows.append(("  of which grading (the rest)", None, None, per["cpu"] - floor_cpu, None, "", ""))
        cores = slots.auto_jobs() if args.jobs == "auto" else int(args.jobs)
        rows.append((f"  the code alone on {cores} cores: {loop['wall'] / (floor_cpu / cores):.1f}x the loop", None, None,
                     None, None, "", ""))
        peaks = []
        for count in args.memory_students:
            folder = tmp / f"memory{count}"
            mix = batch_bench.make_class(folder, args.day, _exercises(args.day), count, seed=1)
            peaks.append(batch(env, folder, tmp / f"out-memory{count}", args.day, args.jobs, args.timeout, mix)["rss"])
        flat = peaks[1] <= 1.15 * peaks[0]
        rows.append((f"grade batch peak RSS (tree), {args.memory_students[0]} -> {args.memory_students[1]} students",
                     None, None, None, None, "flat", f"{peaks[0]:.0f} -> {peaks[1]:.0f} MiB "
                     + ("yes" if flat else "NO")))

    load_after = os.getloadavg()
    import torch

    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
          f"torch {torch.__version__}; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")
    jobs = args.jobs if args.jobs != "auto" else f"auto ({slots.auto_jobs()})"
    print(f"median of {args.runs} runs; batch --jobs {jobs}, per-exercise timeout {args.timeout} s; "
          f"loop sample {args.loop_sample}\n")
    print(f"| {'command':58} | wall s | x torch | CPU s | x torch | target | met |")
    print(f"|{'-' * 60}|-------:|--------:|------:|--------:|---|---|")
    for label, wall, wall_x, cpu, cpu_x, target, met in rows:
        cells = [_num(wall, "{:.2f}"), _num(wall_x, "{:.2f}x"), _num(cpu, "{:.2f}"), _num(cpu_x, "{:.2f}x")]
        print(f"| {label:58} | {cells[0]:>6} | {cells[1]:>7} | {cells[2]:>5} | {cells[3]:>7} | {target} | {met} |")


def _num(value, fmt):
    return "" if value is None else fmt.format(value)


def _exercises(day: str) -> list:
    import yaml

    return yaml.safe_load((batch_bench.BUILTIN / day / "day.yaml").read_text())["exercises"]


if __name__ == "__main__":
    main()
