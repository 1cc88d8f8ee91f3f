"""Results of unchanged files, so ``grade list`` and ``grade watch`` need not re-grade them.

A result is kept under the SHA-256 of everything that decides it: the exercise's name, the
learner file's bytes, every file of the day's course pack, the grader's version and the size and
time of each of its modules, torch's version (read from its dist-info folder, without importing
torch) and the device. Any change to one of them is a
miss. The cache lives on the trusted side, in ``$GRADER_CACHE_DIR`` or the user's cache folder,
never in the submission, and jobs cannot reach it. ``grade DAY`` itself never reads it: a score
is always computed afresh; the cache only makes progress views instant.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

from .. import __version__
from .. import cachedir
from ..cachedir import cache_root

FORMAT = "1"  # bump when the stored shape of a result changes


def _grader_stamp() -> str:
    """Size and time of every module of the grader: an edited (e.g. editable-installed) grader
    whose version did not change still misses. A stat per file, a millisecond or two."""
    package = Path(__file__).resolve().parents[1]
    stamps = []
    for folder, _dirs, files in os.walk(package):
        for name in sorted(files):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                stamps.append(f"{folder}/{name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(sorted(stamps)).encode()).hexdigest()


def torch_version() -> str:
    """torch's installed version from its dist-info folder's name: importlib.metadata would cost
    more than the rest of a cached ``grade list`` (measured: ~60 ms)."""
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.startswith("torch-") and name.endswith(".dist-info"):
                return name[len("torch-"):-len(".dist-info")]
    return "none"


class ResultCache:
    def __init__(self, day_folder: Path, device: str, root: Path | None = None):
        self.root = root or cache_root()
        self.folder = self.root / "results"
        self._base = hashlib.sha256()
        for part in (FORMAT, __version__, torch_version(), device, _grader_stamp()):
            self._base.update(part.encode() + b"\0")
        for path in sorted(Path(day_folder).iterdir()):  # the whole pack of the day: cases, quiz, conftest
            if path.is_file():
                self._base.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")

    def _path(self, name: str, source: bytes) -> Path:
        key = self._base.copy()
        key.update(name.encode() + b"\0" + source)
        return self.folder / f"{key.hexdigest()}.json"

    def get(self, name: str, source: bytes):
        """The stored ExerciseResult, or None on a miss (or an unreadable entry)."""
        from ..results import CaseResult, ExerciseResult

        try:
            data = json.loads(self._read(self._path(name, source)))
            data["cases"] = [CaseResult(**case) for case in data["cases"]]
            return ExerciseResult(**data)
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def put(self, name: str, source: bytes, result) -> None:
        self._write(self._path(name, source), asdict(result))

    def get_quiz(self, answers: bytes) -> dict | None:
        try:
            return json.loads(self._read(self._path("quiz", answers)))
        except (OSError, ValueError, TypeError):
            return None

    def put_quiz(self, answers: bytes, section: dict) -> None:
        self._write(self._path("quiz", answers), section)

    def _read(self, path: Path) -> bytes:
        """What this user alone can have stored (:func:`cachedir.read`): another user of a shared
        cache folder must not make `grade list` call a failing exercise passing."""
        data = cachedir.read(path, self.root)
        if data is None:
            raise OSError(f"no private cache entry at {path}")
        return data

    def _write(self, path: Path, data) -> None:
        cachedir.write(path, self.root, json.dumps(data).encode())
