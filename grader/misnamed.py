"""Which file or folder of a submission was probably meant to be one the grader looked for.

Rule: a name matches when it equals the wanted one after lower-casing, reading '-' as '_' and
dropping what downloads and editors add (" (1)", " copy", "-2", "_final", spaces, a ".txt" after ".py"). No fuzzy
matching: nll_loss.py is close to l1_loss.py and is another exercise. The message names what is
there and what to rename it to; the file is never read.
"""
from __future__ import annotations

import re
from pathlib import Path

from .judging import untrusted

_NOISE = re.compile(r"(\s*\(\d+\)|[\s_-]+(copy|final|old|new|v?\d+)|\s+)$", re.IGNORECASE)


def _key(stem: str) -> str:
    previous = None
    stem = stem.strip().lower()
    while previous != stem:
        previous, stem = stem, _NOISE.sub("", stem)
    return stem.replace("-", "_").replace(" ", "_")


def _stem(name: str, suffix: str) -> str | None:
    """The name without ``suffix``, also under the '.txt' an editor on Windows adds (mse_loss.py.txt); None if other."""
    lower = name.lower()
    if lower.endswith(suffix + ".txt"):
        return name[:-len(suffix) - 4]
    return name[:-len(suffix)] if lower.endswith(suffix) else None


def suggestion(folder: Path, wanted: str, directory: bool = False) -> str:
    """'' or " (found 'mse_loss (1).py': rename it to mse_loss.py)" for a missing ``folder/wanted``."""
    try:
        entries = [p for p in folder.iterdir() if p.is_dir() == directory and not p.name.startswith(".")]
    except OSError:
        return ""
    suffix = "" if directory else Path(wanted).suffix
    stem = Path(wanted).stem if suffix else wanted
    bases = {p.name: _stem(p.name, suffix) if suffix else p.name for p in entries}
    named = sorted(name for name, base in bases.items() if base is not None and _key(base) == _key(stem))
    if not named:
        return ""
    shown = untrusted.text(named[0], 120) + ("/" if directory else "")  # a learner chose this name
    return f" (found '{shown}': rename it to {wanted}{'/' if directory else ''})"
