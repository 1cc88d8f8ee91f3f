"""Where the grader keeps its caches (references, learners' results, hint progress): one folder
on the trusted side, never inside a submission. ``$GRADER_CACHE_DIR`` wins; else the XDG cache
folder (``$XDG_CACHE_HOME``, ignored when relative, as the XDG spec says), else ``~/.cache``."""
from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "GRADER_CACHE_DIR"
FOLDER = "torch-loss-grader"


def cache_root() -> Path:
    chosen = os.environ.get(CACHE_ENV)
    if chosen:
        return Path(chosen).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache") / FOLDER
