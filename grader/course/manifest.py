"""Course packs: the YAML that declares days, exercises, their cases and the quiz.

A course pack is a folder::

    <course>/<day>/day.yaml         title, exercise order, forbidden calls
    <course>/<day>/<exercise>.yaml  one exercise: points, hints, reference, cases
    <course>/<day>/quiz.yaml        optional quiz (hashed answer key)

The built-in pack ships inside the package; instructors point ``--course`` or ``GRADER_COURSE``
at a private one with the same layout.
"""
from __future__ import annotations

import functools

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import secret as course_secret, yamlfile
from ..errors import CourseError, UsageError, did_you_mean

BUILTIN_COURSE = Path(__file__).parents[1] / "courses" / "default"
COURSE_ENV = "GRADER_COURSE"

# The pack format this grader reads (rustlings' manifest has one too): a pack written for a later
# format stops with a clear message instead of being half understood.
FORMAT_VERSION = 1
_EXERCISE_KEYS = {"name", "title", "points", "reference", "hints", "cases", "tolerance", "visibility"}
_CASE_KEYS = {"kind", "public", "args", "kwargs", "grid", "dtypes", "seeds", "compare", "note"}
_VISIBILITY = {"visible", "hidden", "after_due_date", "after_published"}


@dataclass(frozen=True)
class CaseSpec:
    """One entry of an exercise's case list, before grid/dtype/seed expansion."""

    kind: str
    public: bool
    args: dict
    kwargs: dict
    grid: dict
    dtypes: tuple
    seeds: tuple
    compare: tuple  # which checks to make: "value", "grad"
    where: str  # file:line, for error messages


@dataclass(frozen=True)
class ExerciseSpec:
    name: str
    title: str
    points: float
    reference: str
    hints: tuple
    cases: tuple
    tolerance: dict
    visibility: str
    path: Path


@dataclass(frozen=True)
class Day:
    name: str
    title: str
    folder: Path
    exercises: tuple  # ExerciseSpec, in the order learners meet them
    forbidden_calls: tuple  # attribute names learner code may not touch (losses)
    forbidden_ops: tuple  # dispatcher op names trapped at run time
    secret: bytes | None = field(default=None, repr=False)  # keys hidden cases and quiz (course/secret.py)

    def exercise(self, name: str) -> ExerciseSpec:
        for ex in self.exercises:
            if ex.name == name:
                return ex
        known = [e.name for e in self.exercises]
        raise UsageError(f"unknown exercise '{name}' in {self.name}"
                         + (did_you_mean(name, known) or f" (known: {', '.join(known)})"))

    @property
    def quiz_path(self) -> Path:
        return self.folder / "quiz.yaml"


@dataclass(frozen=True)
class Course:
    root: Path

    @classmethod
    def locate(cls, path: str | os.PathLike | None = None) -> "Course":
        chosen = path or os.environ.get(COURSE_ENV) or BUILTIN_COURSE
        root = Path(chosen).expanduser()
        if not root.is_dir():
            raise UsageError(f"course pack not found: {root}")
        return cls(root.resolve())

    def day_names(self) -> list[str]:
        return sorted(p.parent.name for p in self.root.glob("*/day.yaml"))

    def day_folder(self, name: str) -> Path:
        folder = self.root / name
        if not (folder / "day.yaml").is_file():
            known = self.day_names()
            raise UsageError(f"unknown day '{name}'{did_you_mean(name, known)} (this course has: {', '.join(known) or 'none'})")
        return folder

    def load_day(self, name: str) -> Day:
        return _load_day(self.day_folder(name))


def pack_hash(day_folder: Path) -> str:
    """sha256 over the relative path and bytes of every file in the pack's day folder."""
    digest = hashlib.sha256()
    for path in sorted(p for p in day_folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(day_folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _require(cond: bool, where: str, message: str) -> None:
    if not cond:
        raise CourseError(f"{where}: {message}")


def _load_day(folder: Path) -> Day:
    path = folder / "day.yaml"
    data = yamlfile.load(path)
    _require(isinstance(data, dict), str(path), "expected a mapping with 'title' and 'exercises'")
    loc = yamlfile.where(path, data)
    version = data.get("format_version", FORMAT_VERSION)
    _require(version == FORMAT_VERSION, loc,
             f"format_version {version!r}: this grader reads format {FORMAT_VERSION} (a newer pack needs a newer grader)")
    names = data.get("exercises")
    _require(isinstance(names, list) and names, loc, "'exercises' must be a non-empty list of names")
    for n in names:  # a name is a file name and a Python function name: no path, no mapping
        _require(isinstance(n, str) and n.isidentifier(), loc, f"'exercises' must list function names, not {n!r}")
    twice = next((n for i, n in enumerate(names) if n in names[:i]), None)
    _require(twice is None, yamlfile.item_where(path, twice), f"exercise '{twice}' is listed twice in 'exercises'")
    exercises = tuple(_load_exercise(folder / f"{n}.yaml", n, yamlfile.item_where(path, n)) for n in names)
    calls, ops = forbidden(data)
    return Day(
        name=folder.name,
        title=str(data.get("title", folder.name)),
        folder=folder,
        exercises=exercises,
        forbidden_calls=calls,
        forbidden_ops=ops,
        secret=course_secret.load(folder.parent),
    )


def forbidden(day_data: dict) -> tuple[tuple, tuple]:
    """(calls, ops) a day forbids, from its day.yaml's mapping."""
    listed = day_data.get("forbidden", {}) or {}
    return tuple(listed.get("calls", ())), tuple(listed.get("ops", ()))


def _load_exercise(path: Path, name: str, listed_at: str) -> ExerciseSpec:
    _require(path.is_file(), listed_at, f"exercise '{name}' is listed but {path.name} does not exist")
    data = yamlfile.load(path)
    _require(isinstance(data, dict), str(path), "expected a mapping")
    loc = yamlfile.where(path, data)
    unknown = set(data) - _EXERCISE_KEYS
    _require(not unknown, loc, f"unknown key(s): {', '.join(sorted(unknown))}")
    at = functools.partial(yamlfile.key_where, path, data)  # a key's own line, else the mapping's
    _require(data.get("name") == name, at("name"), f"'name' must be '{name}' (the file name)")
    points = data.get("points", 1)
    _require(isinstance(points, (int, float)) and not isinstance(points, bool) and points > 0, at("points"),
             "'points' must be a positive number")
    _require(isinstance(data.get("reference"), str), at("reference"),
             "'reference' must name a callable, e.g. torch.nn.functional.mse_loss")
    hints = data.get("hints", [])
    _require(isinstance(hints, list) and all(isinstance(h, str) for h in hints), at("hints"),
             "'hints' must be a list of strings")
    visibility = data.get("visibility", "visible")
    _require(visibility in _VISIBILITY, at("visibility"), f"'visibility' must be one of {sorted(_VISIBILITY)}")
    raw_cases = data.get("cases")
    _require(isinstance(raw_cases, list) and raw_cases, at("cases"), "'cases' must be a non-empty list")
    cases = tuple(_load_case(path, c) for c in raw_cases)
    return ExerciseSpec(
        name=name,
        title=str(data.get("title", name)),
        points=float(points),
        reference=data["reference"],
        hints=tuple(hints),
        cases=cases,
        tolerance=_tolerance(data.get("tolerance", {}) or {}, yamlfile.key_where(path, data, "tolerance")),
        visibility=visibility,
        path=path,
    )


def _tolerance(raw, loc: str) -> dict:
    """``{dtype: {rtol, atol}}`` with non-negative floats; YAML 1.1's string ``1e-5`` is read as a number."""
    _require(isinstance(raw, dict), loc, "'tolerance' must map float32/float64 to {rtol: ..., atol: ...}")
    out = {}
    for dtype, bounds in raw.items():
        _require(dtype in ("float32", "float64"), loc,
                 f"tolerance for '{dtype}': only float32 and float64 are graded{did_you_mean(str(dtype), ['float32', 'float64'])}")
        _require(isinstance(bounds, dict), loc, f"tolerance for {dtype} must be a mapping like {{rtol: 1.0e-5, atol: 1.0e-6}}")
        out[dtype] = {}
        for key, value in bounds.items():
            _require(key in ("rtol", "atol"), loc, f"tolerance for {dtype}: unknown key '{key}'{did_you_mean(str(key), ['rtol', 'atol'])}")
            try:
                number = float(value) if not isinstance(value, bool) else None
            except (TypeError, ValueError):
                number = None
            _require(number is not None and 0 <= number < float("inf"), loc,
                     f"tolerance {dtype}.{key} must be a non-negative number, got {value!r}")
            out[dtype][key] = number
    return out


def _load_case(path: Path, raw) -> CaseSpec:
    loc = yamlfile.where(path, raw)
    _require(isinstance(raw, dict), str(path), "each case must be a mapping")
    unknown = set(raw) - _CASE_KEYS
    _require(not unknown, loc, f"unknown case key(s): {', '.join(sorted(unknown))}")
    _require(isinstance(raw.get("kind"), str), loc, "each case needs a 'kind' (what it tests, shown to learners)")
    args = raw.get("args", {})
    _require(isinstance(args, dict) and args, loc, "'args' must map parameter names to inputs")
    for key in ("kwargs", "grid"):
        _require(isinstance(raw.get(key, {}), dict), loc, f"'{key}' must be a mapping")
    grid = raw.get("grid", {}) or {}
    for key, values in grid.items():
        _require(isinstance(values, list) and values, loc, f"grid '{key}' must be a non-empty list")
    dtypes = raw.get("dtypes", ["float32", "float64"])
    _require(isinstance(dtypes, list) and all(d in ("float32", "float64") for d in dtypes), loc,
             "'dtypes' must be a list of float32 and float64")
    seeds = raw.get("seeds", [0])
    _require(isinstance(seeds, list) and all(isinstance(s, int) and not isinstance(s, bool) for s in seeds), loc,
             "'seeds' must be a list of integers")
    compare = raw.get("compare", ["value", "grad"])
    _require(isinstance(compare, list) and set(compare) <= {"value", "grad"}, loc, "'compare' must be a list of value and grad")
    # Only a YAML boolean: a quoted "false" would be truthy and show a hidden case's inputs.
    _require(isinstance(raw.get("public", False), bool), loc, "'public' must be true or false (unquoted)")
    return CaseSpec(
        kind=raw["kind"],
        public=raw.get("public", False),
        args=dict(args),
        kwargs=dict(raw.get("kwargs", {}) or {}),
        grid=dict(grid),
        dtypes=tuple(dtypes),
        seeds=tuple(seeds),
        compare=tuple(compare),
        where=loc,
    )
