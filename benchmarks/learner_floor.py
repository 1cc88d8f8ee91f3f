"""The part of `grade batch`'s cost that no grader can remove: the students' own code.

Each student's functions are called on every case exactly as a sandboxed job calls them
(:func:`grader.judging.invoke.invoke`: inputs prepared, forward, backward), in this process, with
no sandbox, no answers sent and nothing judged. An exercise that never returns costs what it
costs a grader, its timeout. Prints the CPU seconds per student as JSON.

    python benchmarks/learner_floor.py CLASS_FOLDER --day day3 --timeout 2 --planted planted.json

``planted.json`` ({student: "hang:<exercise>" | ...}, as batch_bench.make_class returns it) says
which exercise of which student never returns; those are not called. Run by speed.py.
"""
from __future__ import annotations

import argparse
import json
import time
import types
from pathlib import Path

import torch

from grader.cachedir import cache_root
from grader.course.manifest import Course
from grader.judging import invoke, refcache


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="one folder per student, each holding DAY/<exercise>.py")
    parser.add_argument("--day", default="day3")
    parser.add_argument("--timeout", type=float, required=True)
    parser.add_argument("--planted", type=Path, required=True)
    args = parser.parse_args()
    torch.set_num_threads(1)  # as in a job
    planted = json.loads(args.planted.read_text())
    day = Course.locate().load_day(args.day)
    references = refcache.References(day, "cpu", cache_root())
    cases = {spec.name: references.for_exercise(spec)[0] for spec in day.exercises}
    spent = 0.0
    for student, what in planted.items():
        hanging = what.split(":", 1)[1] if what.startswith("hang:") else None
        for name, exercise_cases in cases.items():
            if name == hanging:
                spent += args.timeout
                continue
            path = args.folder / student / args.day / f"{name}.py"
            module = types.ModuleType(name)
            started = time.process_time()
            exec(compile(path.read_text(), str(path), "exec"), module.__dict__)  # noqa: S102 - the benchmark's own class
            for case in exercise_cases:
                invoke.invoke(module.__dict__[name], case.args, "cpu", case.upstream)
            spent += time.process_time() - started
    print(json.dumps({"students": len(planted), "cpu_per_student": spent / len(planted)}))


if __name__ == "__main__":
    main()
