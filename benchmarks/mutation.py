"""Mutation testing of the course's cases: do they catch every wrong program?

Generates AST mutants of each solution's body (operators, comparisons, constants and eps values,
dropped clamps, terms and negations, swapped methods and branches), samples them evenly over the
exercises, and screens out the equivalent ones with a differential fuzz against torch
(tests/fuzz_inputs.py, float64, values and gradients, corner inputs included): a mutant that
matches torch on every draw counts as equivalent. The fuzz is independent of the course's cases,
so it cannot hide a gap in them. Every other mutant is graded through the real grader, one warm
worker pool for all of them; a mutant with full marks is a survivor: a wrong program the cases
miss, which should become a new case.

    python benchmarks/mutation.py --sample 420 --draws 60 --out mutation.json

Not part of the tests: it takes minutes.
"""
from __future__ import annotations

import argparse
import ast
import copy
import json
import random
import signal
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import torch  # noqa: E402

import fuzz_inputs  # noqa: E402
import mutant_sources  # noqa: E402
from grader.course.manifest import Course  # noqa: E402
from grader.engine import Grader  # noqa: E402
from grader.judging.compare import DEFAULT_TOLERANCE  # noqa: E402
from grader.sandbox import Limits  # noqa: E402

BINOP_SWAPS = {ast.Add: [ast.Sub], ast.Sub: [ast.Add], ast.Mult: [ast.Div], ast.Div: [ast.Mult],
               ast.Pow: [ast.Mult], ast.FloorDiv: [ast.Div]}
CMP_SWAPS = {ast.Lt: [ast.LtE, ast.Gt], ast.LtE: [ast.Lt], ast.Gt: [ast.GtE, ast.Lt], ast.GtE: [ast.Gt],
             ast.Eq: [ast.NotEq], ast.NotEq: [ast.Eq]}
METHOD_SWAPS = {"sum": "mean", "mean": "sum", "log1p": "log", "clamp_min": "clamp_max", "clamp_max": "clamp_min",
                "minimum": "maximum", "maximum": "minimum", "amax": "amin", "exp": "expm1", "cumprod": "cumsum"}
DROPPED_CALLS = {"clamp", "clamp_min", "clamp_max", "abs", "detach", "squeeze", "unsqueeze"}


def _constant_variants(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return []
    if isinstance(value, int):
        return [value + 1, value - 1] + ([0] if value not in (0, 1, -1) else [])
    out = [0.0, -value, value * 10, value / 10] if value else [1.0, 1e-12]
    return [v for v in dict.fromkeys(out) if v != value]


def _variants(node):
    """(description, replacement node) pairs for one node."""
    if isinstance(node, ast.BinOp):
        for op in BINOP_SWAPS.get(type(node.op), []):
            yield f"{type(node.op).__name__}->{op.__name__}", ast.BinOp(node.left, op(), node.right)
        if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            yield "keep left operand", node.left
            yield "keep right operand", node.right
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
        yield f"drop {type(node.op).__name__}", node.operand
    elif isinstance(node, ast.Compare) and len(node.ops) == 1:
        for op in CMP_SWAPS.get(type(node.ops[0]), []):
            yield f"{type(node.ops[0]).__name__}->{op.__name__}", ast.Compare(node.left, [op()], node.comparators)
    elif isinstance(node, ast.BoolOp):
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield f"{type(node.op).__name__}->{type(other).__name__}", ast.BoolOp(other, node.values)
    elif isinstance(node, ast.Constant):
        for value in _constant_variants(node.value):
            yield f"constant {node.value!r}->{value!r}", ast.Constant(value)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        attr = node.func.attr
        if attr in DROPPED_CALLS and not node.keywords and len(node.args) <= 1:
            if attr not in ("squeeze", "unsqueeze"):
                yield f"drop .{attr}()", node.func.value
        if attr in {"clamp", "clamp_min", "clamp_max"}:
            yield f"drop .{attr}()", node.func.value
        if attr in METHOD_SWAPS:
            yield f".{attr}->.{METHOD_SWAPS[attr]}", ast.Call(
                ast.Attribute(node.func.value, METHOD_SWAPS[attr], node.func.ctx), node.args, node.keywords)
        if attr == "where" and len(node.args) == 3:
            yield "where: swap branches", ast.Call(node.func, [node.args[0], node.args[2], node.args[1]], node.keywords)
    elif isinstance(node, ast.IfExp):
        yield "if-expression: swap branches", ast.IfExp(node.test, node.orelse, node.body)
        yield "if-expression: always the first", node.body
    elif isinstance(node, ast.If):
        yield "if: negate the test", ast.If(ast.UnaryOp(ast.Not(), node.test), node.body, node.orelse)


def _body_lines(text: str) -> tuple[int, int]:
    lines = text.splitlines()
    begin = next(i for i, line in enumerate(lines, 1) if "# BEGIN SOLUTION" in line)
    end = next(i for i, line in enumerate(lines, 1) if "# END SOLUTION" in line)
    return begin, end


def mutants(exercise: str) -> list[tuple[str, str]]:
    """Every (description, source) mutant of one solution's body."""
    text = (mutant_sources.SOLUTIONS / "day3" / f"{exercise}.py").read_text()
    begin, end = _body_lines(text)
    tree = ast.parse(text)
    sites = [i for i, node in enumerate(ast.walk(tree)) if begin < getattr(node, "lineno", 0) < end]
    out, seen = [], {ast.unparse(tree)}
    for index in sites:
        node = next(n for i, n in enumerate(ast.walk(tree)) if i == index)
        for description, _ in _variants(node):
            mutated = copy.deepcopy(tree)
            target = next(n for i, n in enumerate(ast.walk(mutated)) if i == index)
            replacement = dict(_variants(target))[description]
            _replace(mutated, target, replacement)
            source = ast.unparse(ast.fix_missing_locations(mutated))
            if source not in seen:
                seen.add(source)
                out.append((f"line {node.lineno}: {description}", source))
    return out


def _replace(tree, old, new):
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
                return
            if isinstance(value, list) and any(v is old for v in value):
                value[[i for i, v in enumerate(value) if v is old][0]] = new
                return
    raise AssertionError("node not found")


class _Timeout(Exception):
    pass


def _alarm(*_):
    raise _Timeout


def screen(exercise: str, source: str, expected: list, draws: int) -> str | None:
    """Why the mutant is not torch's loss (the first fuzz draw where it differs), or None."""
    reference = getattr(torch.nn.functional, exercise)
    # Equivalent means indistinguishable at the precision the grader resolves in float64.
    rtol = max(fuzz_inputs.RTOL.get(exercise, 0.0), DEFAULT_TOLERANCE["float64"]["rtol"])
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(20)
    try:
        fn = mutant_sources.function(exercise, source)
        for seed in range(draws):
            why = fuzz_inputs.differs(fn, reference, fuzz_inputs.draw(exercise, seed), rtol, want=expected[seed])
            if why:
                return f"fuzz seed {seed}: {why}"
        return None
    except _Timeout:
        return "took over 20 s on the fuzz"
    except Exception as exc:  # noqa: BLE001 - a mutant may not even define the function
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    finally:
        signal.alarm(0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=420, help="mutants to draw, spread evenly over the exercises")
    parser.add_argument("--draws", type=int, default=60, help="fuzz calls per mutant for the equivalence screen")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--exercises", nargs="*", help="default: every exercise of day3")
    parser.add_argument("--out", type=Path, help="write the per-mutant results here as JSON")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    torch.set_num_threads(1)

    day = Course.locate().load_day("day3")
    names = args.exercises or [e.name for e in day.exercises]
    rng = random.Random(args.seed)
    per_exercise = -(-args.sample // len(names))
    plan = {}
    for name in names:
        every = mutants(name)
        plan[name] = (len(every), rng.sample(every, min(per_exercise, len(every))))

    started = time.monotonic()
    rows, stats = [], defaultdict(lambda: defaultdict(int))
    with Grader(day, "cpu", Limits(timeout=20.0)) as grader, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "day3"
        folder.mkdir()
        for name, (generated, sample) in plan.items():
            stats[name]["generated"] = generated
            reference = getattr(torch.nn.functional, name)
            expected = [fuzz_inputs.expected(reference, fuzz_inputs.draw(name, s)) for s in range(args.draws)]
            for description, source in sample:
                stats[name]["sampled"] += 1
                why = screen(name, source, expected, args.draws)
                row = {"exercise": name, "mutant": description, "differs": why}
                if why is None:
                    stats[name]["equivalent"] += 1
                else:
                    (folder / f"{name}.py").write_text(source)
                    result = grader.grade(Path(tmp), [name]).exercises[0]
                    row["score"], row["status"] = result.score, result.status
                    killed = row["killed"] = result.score < result.max_score
                    stats[name]["graded"] += 1
                    stats[name]["killed"] += killed
                    if not killed:
                        row["source"] = source
                rows.append(row)
            s = stats[name]
            print(f"{name:34} generated {s['generated']:4}  sampled {s['sampled']:3}  equivalent {s['equivalent']:3}  "
                  f"killed {s['killed']:3}/{s['graded']:3}", flush=True)

    graded = sum(s["graded"] for s in stats.values())
    killed = sum(s["killed"] for s in stats.values())
    print(f"\nkilled {killed} of {graded} non-equivalent mutants ({100 * killed / max(graded, 1):.1f}%) "
          f"over {len(names)} exercises; {sum(s['equivalent'] for s in stats.values())} equivalent screened out; "
          f"{time.monotonic() - started:.0f} s")
    for row in rows:
        if row.get("killed") is False:
            print(f"SURVIVOR {row['exercise']}: {row['mutant']}  ({row['differs']})")
    if args.out:
        args.out.write_text(json.dumps({"stats": stats, "mutants": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
