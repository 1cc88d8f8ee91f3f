"""Where the learner's work is: found from any subfolder the way git finds its repository, and
named back to the learner the way they would type it.

The submission defaults to the ``exercises/`` folder of the nearest folder, upwards from the
current one, that holds one. A day folder given where its parent is meant gets a suggestion.
"""
from __future__ import annotations

import os
import shlex
from pathlib import Path

from ..errors import UsageError

MARKER = "exercises"


def default_submission(start: Path | None = None) -> Path:
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_dir():
            return Path(os.path.relpath(folder / MARKER))
    return Path(MARKER)  # the error about it then names the folder the learner expects


def day_folder(submission: Path, day: str) -> Path:
    """``SUBMISSION/DAY``, or a UsageError that says what was probably meant."""
    folder = Path(submission) / day
    if folder.is_dir() or Path(submission).is_file():  # a file (a notebook) is the engine's to read
        return folder
    given = Path(submission)
    if given.is_dir() and (given.name == day or any(given.glob("*.py")) or (given / "quiz_answers.yaml").is_file()):
        parent = str(given.parent) if given.is_absolute() else os.path.relpath(given.resolve().parent)
        raise UsageError(f"{given} looks like a day folder itself; --submission takes the folder that holds "
                         f"{day}/: try --submission {shlex.quote(str(parent))}")
    if given.suffix in (".ipynb", ".py") and not given.exists():  # a file was meant, not a folder
        raise UsageError(f"submission not found: {given} (--submission takes a notebook or a folder holding {day}/)")
    raise UsageError(f"submission folder not found: {folder} (run grade from your project, or pass --submission DIR)")


def kept_options(ctx) -> str:
    """The options of this command line that select the submission or the course pack, to repeat
    them in a suggested next command."""
    import click

    kept = []
    for name, flag in (("submission", "--submission"), ("course", "--course")):
        if ctx.params.get(name) is not None and ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE:
            kept.append(f" {flag} {shlex.quote(str(ctx.params[name]))}")
    return "".join(kept)
