"""Build notebooks for the tests: nbformat's own constructors, one code cell per source."""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from paths import SOLUTIONS


def notebook(*cells: str, markdown: str = "# My work") -> str:
    """A notebook's JSON: a markdown cell, then one code cell per source."""
    nb = new_notebook(cells=[new_markdown_cell(markdown)] + [new_code_cell(c) for c in cells])
    return nbformat.writes(nb)


def solution(name: str) -> str:
    return (SOLUTIONS / "day3" / f"{name}.py").read_text(encoding="utf-8")


def write(path: Path, *cells: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(notebook(*cells), encoding="utf-8")
    return path
