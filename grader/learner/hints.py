"""Progressive hints: each ask reveals one more of an exercise's hints; state lives in the submission."""
from __future__ import annotations

import json
from pathlib import Path

STATE_FILE = ".grade-hints.json"


def _state_path(submission: Path) -> Path:
    return Path(submission) / STATE_FILE


def _load(submission: Path) -> dict:
    try:
        data = json.loads(_state_path(submission).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no state yet, or a hand-mangled file: start over rather than fail
    return {k: v for k, v in data.items() if isinstance(v, int)} if isinstance(data, dict) else {}


def _save(submission: Path, state: dict) -> None:
    _state_path(submission).write_text(json.dumps(state, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def reveal(submission: Path, day: str, spec, everything: bool = False) -> list[str]:
    """The hints shown so far after this ask (one more than last time, or all of them)."""
    state = _load(submission)
    key = f"{day}/{spec.name}"
    shown = len(spec.hints) if everything else min(state.get(key, 0) + 1, len(spec.hints))
    state[key] = shown
    _save(submission, state)
    return list(spec.hints[:shown])


def reset(submission: Path, day: str, spec) -> None:
    state = _load(submission)
    state.pop(f"{day}/{spec.name}", None)
    _save(submission, state)
