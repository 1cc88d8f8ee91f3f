"""Benchmark `grade batch` against a naive shell loop of `grade DAY --submission S`.

    python benchmarks/batch_bench.py --students 20 40 --naive 6 --exercises mse_loss l1_loss ...

Generates N synthetic students from solutions/ and tests/mutants/ (about 60% correct, 30% with one
buggy exercise, 10% with one exercise that never returns), grades them with `grade batch` and,
for the first --naive students, one `grade` process per student as a shell loop would. Reports
throughput (students/min), per-student latency and the peak RSS of the whole process tree
(grader plus sandbox workers), sampled from /proc. Also times `grade DAY` on solutions/ against
`python -c "import torch"`, the floor of any command that imports torch. Not part of the tests.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the mutants double as the benchmark's buggy students
import mutant_sources  # noqa: E402
BUILTIN = ROOT / "grader" / "courses" / "default"
HANG = "def {name}(*args, **kwargs):\n    while True:\n        pass\n"


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MiB."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(l for l in status.splitlines() if l.startswith("VmRSS:")).split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total / 1024


def run_measured(cmd: list, **kwargs) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, peak tree RSS MiB, process) for one command."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    peak = [0.0]

    def sample():
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss_mib(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    sampler.join()
    return time.monotonic() - started, peak[0], subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def make_pack(root: Path, day: str, exercises: list) -> Path:
    folder = root / "course" / day
    folder.mkdir(parents=True)
    manifest = yaml.safe_load((BUILTIN / day / "day.yaml").read_text())
    manifest["exercises"] = exercises
    (folder / "day.yaml").write_text(yaml.safe_dump(manifest))
    for name in exercises:
        shutil.copy(BUILTIN / day / f"{name}.yaml", folder)
    return folder.parent


def make_class(root: Path, day: str, exercises: list, count: int, seed: int = 0) -> dict:
    """``count`` student folders; returns {student: what was planted}. Each student draws from a
    generator of their own, so a mutant added to tests/mutants changes at most the bug of a
    student who already had one, not who hangs or is correct (one shared generator reshuffled
    the whole class, from 4 hanging students to 6, between two runs of the benchmark)."""
    planted = {}
    for i in range(count):
        rng = random.Random(f"{seed}/{i}")
        student, folder = f"student{i:04d}", root / f"student{i:04d}" / day
        folder.mkdir(parents=True)
        for name in exercises:
            shutil.copy(ROOT / "solutions" / day / f"{name}.py", folder)
        roll, target = rng.random(), rng.choice(exercises)
        bugs = [name for exercise, name in mutant_sources.names(day)
                if exercise == target and not name.startswith("correct_")]
        if roll < 0.1:
            (folder / f"{target}.py").write_text(HANG.format(name=target))
            planted[student] = f"hang:{target}"
        elif roll < 0.4 and bugs:
            bug = rng.choice(bugs)
            (folder / f"{target}.py").write_text(mutant_sources.source(target, bug, day))
            planted[student] = f"bug:{target}/{bug}"
        else:
            planted[student] = "correct"
    return planted


def misgraded(out: Path, planted: dict) -> list:
    """Students whose report disagrees with what was planted: a correct student must have full
    marks on every exercise; a buggy or hanging one must lose points on its target exercise only."""
    wrong = []
    for student, what in planted.items():
        report = json.loads((out / "students" / f"{student}.json").read_text())
        target = what.split(":")[1].split("/")[0] if ":" in what else None
        for ex in report["exercises"]:
            full = ex["score"] == ex["max_score"]
            if full == (ex["name"] == target):
                wrong.append(f"{student} ({what}): {ex['name']} {ex['score']}/{ex['max_score']} {ex['status']}")
    return wrong


def median_wall(cmd: list, repeat: int) -> float:
    return statistics.median(run_measured(cmd, cwd=ROOT)[0] for _ in range(repeat))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[20, 40])
    parser.add_argument("--naive", type=int, default=6, help="students graded by the naive loop")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=2.0, help="per-exercise timeout, both ways")
    parser.add_argument("--day", default="day3")
    parser.add_argument("--exercises", nargs="+", help="subset of the day (default: all of it)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the import/grade timing")
    args = parser.parse_args()
    grade = [sys.executable, "-m", "grader"]
    exercises = args.exercises or yaml.safe_load((BUILTIN / args.day / "day.yaml").read_text())["exercises"]
    report = {"exercises": len(exercises), "jobs": args.jobs, "timeout": args.timeout, "batch": []}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pack = make_pack(tmp, args.day, exercises)
        classes = {}
        for count in args.students:
            subs = tmp / f"class{count}"
            planted = classes[count] = make_class(subs, args.day, exercises, count)
            wall, rss, proc = run_measured([*grade, "batch", args.day, str(subs), "--course", str(pack),
                                            "--jobs", str(args.jobs), "--timeout", str(args.timeout),
                                            "--out", str(tmp / f"out{count}")])
            if proc.returncode:
                sys.exit(f"grade batch failed: {proc.stderr}")
            wrong = misgraded(tmp / f"out{count}", planted)
            if wrong:
                sys.exit(f"the gradebook is wrong for {len(wrong)} student(s): {wrong[:5]}")
            kinds = [k.split(":")[0] for k in planted.values()]
            report["batch"].append({"students": count, "wall_s": round(wall, 1), "per_student_s": round(wall / count, 3),
                                    "students_per_min": round(60 * count / wall, 1), "peak_rss_mib": round(rss),
                                    "mix": {k: kinds.count(k) for k in sorted(set(kinds))}})
            print(json.dumps(report["batch"][-1]), flush=True)
        # The naive loop is slow, so it grades a sample: at least one student of each kind
        # (correct, buggy, hanging), and its per-student cost is weighted by the class's mix.
        planted, subs = classes[args.students[0]], tmp / f"class{args.students[0]}"
        by_kind = {}
        for student, what in sorted(planted.items()):
            by_kind.setdefault(what.split(":")[0], []).append(student)
        per_kind = max(1, args.naive // len(by_kind))
        latencies, peak, cost = [], 0.0, {}
        for kind, students in by_kind.items():
            for student in students[:per_kind]:  # `for s in subs/*; do grade day3 --submission $s; done`
                wall, rss, _proc = run_measured([*grade, args.day, "--submission", str(subs / student), "--course",
                                                 str(pack), "--timeout", str(args.timeout), "--format", "json"])
                latencies.append(wall)
                peak = max(peak, rss)
                cost.setdefault(kind, []).append(wall)
        share = {kind: len(students) / len(planted) for kind, students in by_kind.items()}
        mean = sum(share[k] * statistics.mean(v) for k, v in cost.items())
        report["naive"] = {"students": len(latencies), "per_student_s": round(mean, 3),
                           "per_kind_s": {k: round(statistics.mean(v), 2) for k, v in cost.items()},
                           "students_per_min": round(60 / mean, 1), "peak_rss_mib": round(peak)}
        print(json.dumps(report["naive"]), flush=True)
        first, last = report["batch"][0], report["batch"][-1]
        if last["students"] > first["students"]:  # the cost of one more student, start-up excluded
            report["batch_marginal_per_student_s"] = round(
                (last["wall_s"] - first["wall_s"]) / (last["students"] - first["students"]), 3)
        best = max(b["students_per_min"] for b in report["batch"])
        report["speedup"] = round(best / report["naive"]["students_per_min"], 1)
    report["import_torch_s"] = round(median_wall([sys.executable, "-c", "import torch"], args.repeat), 2)
    report["grade_solutions_s"] = round(median_wall([*grade, args.day, "--submission", "solutions", "--format", "json"],
                                                    args.repeat), 2)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
