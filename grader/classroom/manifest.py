"""``batch.json``: what a batch (or one shard of it) was asked to grade and with what set-up.

Rule: an output folder holds the results of one set-up only (see provenance.py): a resumed batch
with another pack, grader, torch, device or options is refused unless ``--force`` regrades all.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import UsageError
from . import provenance

MANIFEST = "batch.json"


def write(out: Path, day: str, shard: tuple[int, int], roster: list[str], assigned: list[str], setup: dict) -> None:
    data = {"day": day, "shard": list(shard), "roster": roster, "students": assigned, "provenance": setup}
    (out / MANIFEST).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def read(out: Path) -> dict:
    path = out / MANIFEST
    if not path.is_file():
        raise UsageError(f"{out} is not a batch output folder (no {MANIFEST})")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise UsageError(f"{path} is not valid JSON: {exc}") from None


def check_rerun(out: Path, day: str, shard: tuple[int, int], roster: list[str], setup: dict, force: bool) -> None:
    """A resumed batch must be the same batch: same day, shard, roster and set-up as the first run."""
    if not (out / MANIFEST).is_file():
        return
    before = read(out)
    if (before["day"], tuple(before["shard"]), before["roster"]) != (day, shard, roster):
        raise UsageError(f"{out} holds another batch (day, shard or roster differ): use a new --out folder")
    changed = provenance.difference(before.get("provenance") or {}, setup)
    if changed and not force:
        raise UsageError(f"{out} was graded with another set-up ({changed}): "
                         "use a new --out folder, or --force to regrade every student")
