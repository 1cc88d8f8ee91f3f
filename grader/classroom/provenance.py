"""What a batch's grades were produced with, so results from different set-ups are never mixed.

Rule: two results may share a gradebook only if their ``setup`` is equal: the course pack's
content hash (every file of the day's folder), the grader and torch versions, the device and the
grading options. Each student's result also records the hash of every file of their day folder,
so a resumed batch regrades exactly the students whose files changed.
"""
from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "torch-loss-grader"


def pack_hash(day_folder: Path) -> str:
    """sha256 over the relative path and bytes of every file in the pack's day folder."""
    digest = hashlib.sha256()
    for path in sorted(p for p in day_folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(day_folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def setup(day, device: str, options: dict) -> dict:
    import torch

    try:
        version = metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        version = "unknown"
    return {"day": day.name, "pack_sha256": pack_hash(day.folder), "grader": version,
            "torch": torch.__version__, "device": device, "options": options}


def file_hashes(student_folder: Path, day: str) -> dict:
    """{relative path: sha256} of the student's day folder (empty when there is none)."""
    folder = student_folder / day
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def difference(expected: dict, found: dict) -> str:
    """'' when equal, else the first differing field in words, e.g. "course pack 3fa2c1d0 vs 81bc77e2"."""
    if bool(expected) != bool(found):
        return "one side has no set-up recorded: graded by an older grader"
    for key in sorted(set(expected) | set(found)):
        a, b = expected.get(key), found.get(key)
        if a != b:
            if key == "pack_sha256":
                return f"course pack {str(a)[:12]} vs {str(b)[:12]}"
            return f"{key} {a!r} vs {b!r}"
    return ""
