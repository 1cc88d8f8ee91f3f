"""Skip a test, visibly, where this system's job sandbox lacks every layer that would stop its attack."""
from __future__ import annotations

import pytest

from grader.sandbox import isolation


def needs(level: dict, *layers: str) -> None:
    """Skip, naming them, unless one of ``layers`` holds: 'root' (the uid switch) or a key of
    the sandbox level ('landlock', 'seccomp', 'netns', ...; 'landlock>=6' for an ABI)."""
    def holds(layer):
        if layer == "root":
            return isolation.is_root()
        name, _, abi = layer.partition(">=")
        return bool(level[name]) and level[name] >= int(abi or 1)

    if not any(holds(layer) for layer in layers):
        pytest.skip(f"needs one of {', '.join(layers)}; this system's job sandbox: {level}")
