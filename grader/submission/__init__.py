"""What a submission is, and how the grader gets each exercise's source text out of it.

A submission is either a folder laid out like ``exercises/`` (``ROOT/DAY/<exercise>.py``, see
:mod:`.folder`) or a Jupyter notebook (``work.ipynb``, or ``ROOT/DAY.ipynb`` when ``ROOT/DAY/``
does not exist, see :mod:`.notebook`). Either way the engine asks it for one exercise's
:class:`Source` and grades that text exactly as it grades a file: same scan, sandbox, cases and
reports. Reading never follows a link and never reads more than a bound (:mod:`.files`).

Quiz answers are ``ROOT/DAY/quiz_answers.yaml`` for a folder, and for a notebook the same file
beside it (``<notebook's folder>/DAY/quiz_answers.yaml``): that is where ``grade quiz`` run in
that folder, and ``g.quiz()`` run in the notebook, store them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


MAX_SOURCE_BYTES = 1 << 20
MAX_NOTEBOOK_BYTES = 16 << 20  # notebooks carry their outputs (plots, tables) besides the code
NOTEBOOK_SUFFIX = ".ipynb"


@dataclass(frozen=True)
class Source:
    """One exercise's source text, and how messages should point into it."""

    text: str
    filename: str  # the name the worker compiles the text under (tracebacks show it)
    shown: str  # how messages name the file: "mse_loss.py", "work.ipynb"
    origins: tuple = ()  # notebooks: for each line of ``text``, (cell number, line in that cell)
    cell_format: str = "cell {}"  # a kernel's history names cells by execution count: "In [{}]"

    def at(self, line: int) -> str:
        """'mse_loss.py line 3', or for a notebook 'work.ipynb cell 4 line 3'."""
        if 0 < line <= len(self.origins):
            cell, cell_line = self.origins[line - 1]
            return f"{self.shown} {self.cell_format.format(cell)} line {cell_line}"
        return f"{self.shown} line {line}"


def text_of(raw: bytes, shown: str) -> str:
    """Learner bytes as text: UTF-8, or an ``error`` for this exercise."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Unreadable("error", f"{shown} is not valid UTF-8 text") from None


class Unreadable(Exception):
    """This exercise cannot be graded from the submission: it scores 0 with ``status``."""

    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status = status


def open_submission(path, day: str):
    """The submission at ``path`` for ``day``: a :class:`.folder.Folder` or a
    :class:`.notebook.Notebook` (an object of either kind is returned as it is).
    UsageError when there is nothing to grade there."""
    if not isinstance(path, (str, Path)):
        return path
    path = Path(path)
    if path.suffix == NOTEBOOK_SUFFIX and not path.is_dir():
        from .notebook import Notebook

        return Notebook.read(path, day)
    beside = path / f"{day}{NOTEBOOK_SUFFIX}"
    if not (path / day).exists() and not (path / day).is_symlink() and beside.is_file():
        from .notebook import Notebook

        return Notebook.read(beside, day)
    from .folder import Folder

    return Folder(path, day)


def quiz_root(path: Path) -> Path:
    """The folder that holds ``DAY/quiz_answers.yaml`` for the submission at ``path``."""
    path = Path(path)
    return path.parent if path.suffix == NOTEBOOK_SUFFIX and not path.is_dir() else path


def student_submission(submissions: Path, name: str) -> Path:
    """A student's submission in a class folder: ``SUBMISSIONS/NAME/`` or a loose ``NAME.ipynb``."""
    loose = submissions / f"{name}{NOTEBOOK_SUFFIX}"
    return loose if not (submissions / name).is_dir() and loose.is_file() else submissions / name


def is_loose_notebook(path: Path) -> bool:
    """A class folder's entry that is a student's notebook rather than a student's folder."""
    return path.suffix == NOTEBOOK_SUFFIX and path.is_file() and not path.is_symlink()


__all__ = ["MAX_SOURCE_BYTES", "Source", "Unreadable", "open_submission", "quiz_root", "student_submission"]
