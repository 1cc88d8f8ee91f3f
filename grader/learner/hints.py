"""Progressive hints: each ask reveals one more of an exercise's hints.

What was shown is remembered per submission folder in the user's cache folder (see
:mod:`grader.learner.cache`), keyed by the folder's absolute path, so nothing is written into the
learner's own (often version-controlled) tree.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .. import cachedir
from ..cachedir import cache_root


def _state_path(submission: Path) -> Path:
    key = hashlib.sha256(str(Path(submission).resolve()).encode()).hexdigest()[:32]
    return cache_root() / "hints" / f"{key}.json"


def _load(submission: Path) -> dict:
    try:
        data = json.loads(cachedir.read(_state_path(submission), cache_root()) or b"{}")
    except ValueError:
        return {}  # no state yet, or a mangled file: start over rather than fail
    return {k: v for k, v in data.items() if isinstance(v, int)} if isinstance(data, dict) else {}


def _save(submission: Path, state: dict) -> None:
    # Never through a link, never into a folder another user may write (see cachedir.write).
    cachedir.write(_state_path(submission), cache_root(), (json.dumps(state, indent=1, sort_keys=True) + "\n").encode())


def reveal(submission: Path, day: str, spec, everything: bool = False) -> tuple[list[str], bool]:
    """(the hints shown so far after this ask, whether this ask found none left to reveal)."""
    state = _load(submission)
    key = f"{day}/{spec.name}"
    before = state.get(key, 0)
    shown = len(spec.hints) if everything else min(before + 1, len(spec.hints))
    state[key] = shown
    _save(submission, state)
    return list(spec.hints[:shown]), before >= len(spec.hints) and not everything


def reset(submission: Path, day: str, spec) -> None:
    state = _load(submission)
    state.pop(f"{day}/{spec.name}", None)
    _save(submission, state)
