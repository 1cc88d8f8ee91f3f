"""Combine the outputs of a batch's shards into one gradebook, checking that every student is there once."""
from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

from ..errors import UsageError
from ..judging import untrusted
from . import gradebook, manifest, provenance, run
from .run import STUDENTS_DIR


def merge(outputs: list[Path], out: Path, allow_missing: bool = False, say=lambda _line: None) -> dict:
    """Copy every shard's student files into ``out`` and write the gradebook; returns what was found."""
    given = set()
    for folder in outputs:
        if folder.resolve() in given:
            raise UsageError(f"{folder} is given twice: name each shard's output once")
        given.add(folder.resolve())
    shards = [manifest.read(folder) for folder in outputs]
    first = shards[0]
    for folder, data in zip(outputs, shards):
        if (data["day"], data["roster"]) != (first["day"], first["roster"]):
            raise UsageError(f"{folder} graded another day or roster than {outputs[0]}: cannot merge them")
        changed = provenance.difference(first.get("provenance") or {}, data.get("provenance") or {})
        if changed:
            raise UsageError(f"{folder} was graded with another set-up than {outputs[0]} ({changed}): "
                             "regrade it with the same pack, versions and options")
    found = {folder: gradebook.student_files(folder) for folder in outputs}
    for folder, files in found.items():
        for name in files:
            changed = provenance.difference(first.get("provenance") or {}, run.stored_setup(folder, name))
            if changed:
                raise UsageError(f"{untrusted.text(folder / STUDENTS_DIR / name)}.json was graded with another set-up "
                                 f"({changed}): regrade it (grade batch --students {untrusted.text(name, 200)})")
    seen = Counter(name for files in found.values() for name in files)
    duplicated = sorted(name for name, n in seen.items() if n > 1)
    if duplicated:
        raise UsageError(f"students graded in more than one output: {_names(duplicated)}")
    missing = sorted(set(first["roster"]) - set(seen))
    unknown = sorted(set(seen) - set(first["roster"]))
    if unknown:
        raise UsageError(f"results for students not on the roster: {_names(unknown)}")
    if missing and not allow_missing:
        shards_seen = sorted({tuple(d["shard"]) for d in shards})
        raise UsageError(f"{len(missing)} student(s) have no result: {_names(missing)} "
                         f"(shards given: {', '.join(f'{i}/{n}' for i, n in shards_seen)}; --allow-missing to merge anyway)")
    (out / STUDENTS_DIR).mkdir(parents=True, exist_ok=True)
    merged = {}
    for files in found.values():
        for name, path in files.items():
            merged[name] = shutil.copyfile(path, out / STUDENTS_DIR / path.name)
    manifest.write(out, first["day"], (1, 1), first["roster"], first["roster"], first.get("provenance") or {})
    gradebook.write(gradebook.read(merged), out, say)
    return {"students": len(merged), "missing": missing}


def _names(names: list[str], shown: int = 10) -> str:
    """Student folder names for a message: whoever named the folders chose them, so they are cut
    and escaped like any learner's text."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(untrusted.text(name, 200) for name in names[:shown]) + more
