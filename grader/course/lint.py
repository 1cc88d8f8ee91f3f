"""Check a day folder of a course pack against the schema, reporting every problem at once.

Rules: every key of day.yaml, of each exercise and of each case is known; every argument named in a
case (``args``, ``kwargs``, ``grid``) is a parameter of the exercise's reference, so a misspelled
``reductoin:`` fails here rather than being skipped at grading; every input generator option is
known. Each problem is one line starting with file:line, with "did you mean" when a known name is
close. Values are checked by loading the manifest and expanding the cases afterwards.
"""
from __future__ import annotations

import difflib
import inspect
from pathlib import Path

from . import casegen, yamlfile
from .manifest import _CASE_KEYS, _EXERCISE_KEYS
from ..errors import CourseError

DAY_KEYS = {"title", "exercises", "forbidden", "format_version"}
FORBIDDEN_KEYS = {"calls", "ops"}


def did_you_mean(word, known) -> str:
    close = difflib.get_close_matches(str(word), sorted(map(str, known)), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _unknown(path: Path, node, known: set, what: str) -> list[str]:
    return [f"{yamlfile.key_where(path, node, key)}: unknown {what} '{key}'{did_you_mean(key, known)}"
            for key in node if key not in known]


def _mapping(path: Path, known: set, expected: str):
    """(the file's top-level mapping or None, the problems of its keys or why it is unusable)."""
    try:
        data = yamlfile.load(path)
    except CourseError as exc:
        return None, [str(exc)]
    if not isinstance(data, dict):
        return None, [f"{path}: expected {expected}"]
    return data, _unknown(path, data, known, "key")


def require_clean(folder: Path) -> None:
    """Raise a CourseError for a day folder with a problem :func:`lint_day` finds (one line: the
    first problem and how many more). For the commands that build where grades of record come
    from: graded as it is, a case whose parameter is misspelled would be skipped, not failed."""
    problems = lint_day(folder)
    if problems:
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise CourseError(f"{problems[0]}{more}: `grade check-course` lists them all")


def lint_day(folder: Path) -> list[str]:
    path = folder / "day.yaml"
    data, problems = _mapping(path, DAY_KEYS, "a mapping with 'title' and 'exercises'")
    if data is None:
        return problems
    if isinstance(data.get("forbidden"), dict):
        problems += _unknown(path, data["forbidden"], FORBIDDEN_KEYS, "key under 'forbidden'")
    names = data.get("exercises")
    if not isinstance(names, list) or not names:
        return problems + [f"{yamlfile.key_where(path, data, 'exercises')}: 'exercises' must be a non-empty list of names"]
    present = sorted(p.stem for p in folder.glob("*.yaml") if p.name not in ("day.yaml", "quiz.yaml"))
    forbidden = data.get("forbidden")
    calls = forbidden.get("calls") if isinstance(forbidden, dict) else None
    if not isinstance(calls, list):
        problems.append(f"{yamlfile.key_where(path, forbidden if isinstance(forbidden, dict) else data, 'calls')}: "
                        "no 'forbidden: calls:' list: learner code could call torch's own functions and score full marks")
    for name in names:
        if not isinstance(name, str) or not name.isidentifier():
            problems.append(f"{yamlfile.item_where(path, name)}: 'exercises' must list function names, not {name!r}")
        elif not (folder / f"{name}.yaml").is_file():
            problems.append(f"{yamlfile.item_where(path, name)}: exercise '{name}' is listed but {name}.yaml does not "
                            f"exist{did_you_mean(name, present)}")
        else:
            problems += lint_exercise(folder / f"{name}.yaml", name)
            problems += _lint_forbidden(path, calls, name, folder / f"{name}.yaml") if isinstance(calls, list) else []
    # An exercise file the day does not list is never graded: most likely a name forgotten in day.yaml.
    problems += [f"{folder / f'{stem}.yaml'}: '{stem}' is not listed in day.yaml's 'exercises', so it is never graded"
                 for stem in present if stem not in names]
    return problems


def _lint_forbidden(day_path: Path, calls: list, name: str, path: Path) -> list[str]:
    """The reference's own name must be forbidden, or a learner scores full marks by calling it."""
    try:
        reference = yamlfile.load(path).get("reference")
    except (CourseError, AttributeError):
        return []
    attr = reference.rpartition(".")[2] if isinstance(reference, str) else ""
    if not attr or attr in calls or _reference_params(reference)[1]:  # an unimportable one has its own error
        return []
    return [f"{yamlfile.item_where(day_path, name)}: exercise '{name}': '{attr}' (its reference {reference}) is not in "
            f"forbidden: calls:, so learner code may call it and score full marks"]


def lint_exercise(path: Path, name: str) -> list[str]:
    data, problems = _mapping(path, _EXERCISE_KEYS, "a mapping")
    if data is None:
        return problems
    params = None
    if data.get("hints") == []:
        problems.append(f"{yamlfile.key_where(path, data, 'hints')}: 'hints' is empty: give at least one, "
                        "`grade hint` shows them one at a time")
    if isinstance(data.get("reference"), str):
        params, problem = _reference_params(data["reference"])
        if problem:
            problems.append(f"{yamlfile.key_where(path, data, 'reference')}: {problem}")
    cases = data.get("cases") or []
    if not isinstance(cases, list):
        return problems + [f"{yamlfile.key_where(path, data, 'cases')}: 'cases' must be a non-empty list"]
    for case in cases:
        if isinstance(case, dict):
            problems += _lint_case(path, case, params, data.get("reference"))
    return problems


def _reference_params(dotted: str):
    """(the reference's parameters by name, in order, or None when any keyword is accepted; problem text or '')."""
    from ..judging import reference

    try:
        fn = reference.resolve(dotted)
    except CourseError:
        module, _, attr = dotted.rpartition(".")
        known = []
        try:
            import importlib

            known = [n for n in dir(importlib.import_module(module)) if not n.startswith("_")]
        except (ImportError, ValueError):
            pass
        hint = did_you_mean(attr, known).replace("'", f"'{module}.", 1) if known else ""
        return None, f"reference '{dotted}' cannot be imported{hint}"
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return None, ""
    if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return None, ""
    return dict(parameters), ""


def _lint_case(path: Path, case: dict, params, reference: str) -> list[str]:
    problems = _unknown(path, case, _CASE_KEYS, "case key")
    for section in ("args", "kwargs", "grid"):
        mapping = case.get(section)
        if not isinstance(mapping, dict):
            continue
        if params is not None:
            problems += [f"{yamlfile.key_where(path, mapping, key)}: '{key}' in {section} is not a parameter of "
                         f"{reference} in this torch{did_you_mean(key, params)}" for key in mapping if key not in params]
        if section == "args" and params is not None and all(key in params for key in mapping):
            positional = [n for n, p in params.items() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            if list(mapping) != positional[:len(mapping)]:  # args are passed by position, whatever their names
                problems.append(f"{yamlfile.key_where(path, case, 'args')}: args are passed by position, so they must "
                                f"follow {reference}'s order: {', '.join(positional[:len(mapping)]) or 'none'}, not "
                                f"{', '.join(mapping)} (move the others to kwargs)")
        if section != "grid":
            for key, spec in mapping.items():
                if casegen.is_input_spec(spec):
                    known = casegen._OPTION_KEYS | set(casegen.GENERATORS) | {"callable"}
                    problems += _unknown(path, spec, known, f"option of '{key}'")
    return problems
