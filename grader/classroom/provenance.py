"""What a batch's grades were produced with, so results from different set-ups are never mixed.

Rule: two results may share a gradebook only if their ``setup`` is equal: the course pack's
content hash (every file of the day's folder), which course secret keyed its hidden cases, the
grader and torch versions, the device and the grading options. Each student's result also records the hash of every file of their day folder,
so a resumed batch regrades exactly the students whose files changed.
"""
from __future__ import annotations

import errno
import hashlib
import hmac
from importlib import metadata
from pathlib import Path

from ..course.manifest import pack_hash

DISTRIBUTION = "torch-loss-grader"
MAX_HASHED_BYTES = 16 << 20


def setup(day, device: str, options: dict) -> dict:
    import torch

    try:
        version = metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        version = "unknown"
    return {"day": day.name, "pack_sha256": pack_hash(day.folder), "secret": secret_id(day.folder.parent),
            "grader": version, "torch": torch.__version__, "device": device, "options": options}


def secret_id(pack_root: Path) -> str:
    """Which course secret drew the hidden cases (a keyed fingerprint, never the secret), or 'none'."""
    from ..course import secret

    key = secret.load(pack_root)
    return "none" if key is None else hmac.new(key, b"grader provenance", hashlib.sha256).hexdigest()[:16]


def file_hashes(submission: Path, day: str) -> dict:
    """{name: sha256} of what a student handed in: the regular files of their day folder, and a
    notebook (the submission itself, or DAY.ipynb beside a missing day folder). Links and files
    over MAX_HASHED_BYTES are recorded by kind, never read: the folder is the student's."""
    found = {}
    candidates = [submission] if submission.is_file() else [submission / f"{day}.ipynb"]
    folder = submission / day
    if folder.is_dir() and not folder.is_symlink():
        try:
            candidates += sorted(folder.iterdir())
        except OSError as exc:  # a folder unpacked with mode 000: that student's error, not the batch's
            found[day] = _unreadable(exc)
    for path in candidates:
        try:
            if path.is_symlink():
                found[path.name] = "symlink"
            elif path.is_file() and path.stat().st_size <= MAX_HASHED_BYTES:
                found[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
            elif path.is_file():
                found[path.name] = f"{path.stat().st_size} bytes"
        except OSError as exc:
            found[path.name] = _unreadable(exc)
    return found


def _unreadable(exc: OSError) -> str:
    return f"unreadable ({errno.errorcode.get(exc.errno, exc.errno)})"


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
