"""The running kernel as a submission: its cell history, and one warm Grader per day and device.

``check()`` never grades the live function object: it reads the source the learner ran (IPython's
raw input history, in execution order, so the last cell run wins as it does in the kernel; or,
outside IPython, the ``__main__`` script's source through ``inspect``) and grades that text in the
sandbox exactly as ``grade DAY --submission work.ipynb`` would (grader.submission.notebook).
"""
from __future__ import annotations

import atexit
import inspect
import sys
import threading
from pathlib import Path

from ..errors import UsageError
from ..submission.notebook import Notebook

_GRADERS: dict = {}


def ipython():
    """The running IPython shell, or None (plain Python, or IPython not installed)."""
    module = sys.modules.get("IPython")
    getter = getattr(module, "get_ipython", None)
    return getter() if getter else None


def history() -> list[tuple[int, str]]:
    """(execution count, raw source) of every cell run so far in this kernel."""
    shell = ipython()
    if shell is not None:
        raw = shell.history_manager.input_hist_raw
        return [(n, code) for n, code in enumerate(raw) if code.strip() and not _only_magic(code)]
    main = sys.modules.get("__main__")
    try:
        return [(1, inspect.getsource(main))]
    except (TypeError, OSError):
        raise UsageError("no source to grade: run check() in Jupyter, IPython or a script file") from None


def _only_magic(code: str) -> bool:
    """Cells of nothing but magics and shell escapes (``%grade day3``, ``!pip install``) define
    nothing, so they are left out without a note."""
    return all(not line.strip() or line.lstrip().startswith(("%", "!")) for line in code.splitlines())


def submission(day: str) -> Notebook:
    """The kernel's cells as a notebook submission; quiz answers in ./DAY/quiz_answers.yaml."""
    if ipython() is not None:
        return Notebook(history(), "In", day, Path.cwd(), cell_format="[{}]", where="this notebook",
                        called="this notebook")
    return Notebook(history(), Path(getattr(sys.modules["__main__"], "__file__", "script")).name, day, Path.cwd())


def _key(day: str, device: str, course) -> tuple:
    return day, device, str(course) if course else None


def grader(day: str, device: str = "auto", course=None):
    """One warm Grader per (day, device, course) for the kernel's lifetime: workers start once."""
    key = _key(day, device, course)
    if key not in _GRADERS:
        from ..course.manifest import Course
        from ..engine import Grader

        _GRADERS[key] = Grader(Course.locate(course).load_day(day), device)
        atexit.register(_GRADERS[key].close)
    return _GRADERS[key]


def drop_grader(day: str, device: str = "auto", course=None) -> None:
    """Let go of the warm Grader after an interrupted check: its worker may still run the job that
    was stopped (a hanging one held the next check until its timeout), so the next check starts a
    fresh one, and this one closes in the background once that job has ended."""
    found = _GRADERS.pop(_key(day, device, course), None)
    if found is not None:
        threading.Thread(target=found.close, name="grader-close", daemon=True).start()
