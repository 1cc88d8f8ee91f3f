"""Grade from inside a notebook, with the same sandbox and feedback as ``grade DAY``.

    from grader import notebook as g
    g.check("day3", "mse_loss")   # the mse_loss you ran, graded in the sandbox; returns its result
    g.check_all("day3")           # the whole day with the quiz
    g.hint("day3", "mse_loss")    # one more hint each time
    g.quiz("day3")                # the quiz as a cell prompt; answers in ./day3/quiz_answers.yaml
    %grade day3 mse_loss          # the magic (registered when this module is imported in IPython)

The source graded is the one the kernel ran, read from its cell history (grader.notebook.kernel),
never the live object. Results display as HTML in Jupyter and as the text report elsewhere
(grader.notebook.render). The device defaults to ``auto``: CUDA when the runtime has a GPU.
Errors in what was asked (an unknown day or exercise) show as one line, not a traceback, and so
does an interrupted check, after which the next check gets fresh workers.
"""
from __future__ import annotations

import functools
import inspect
from pathlib import Path

from ..errors import GraderError
from . import kernel
from .render import DayView, ExerciseView

__all__ = ["check", "check_all", "hint", "quiz", "load_ipython_extension"]


class NotebookError(GraderError):
    """A problem with what was asked; IPython shows it as one line."""

    def _render_traceback_(self):
        return [f"error: {self}"]


def _one_line_errors(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except NotebookError:
            raise
        except GraderError as exc:
            raise NotebookError(str(exc)) from None
    return wrapper


def _interruptible(function):
    """An interrupted check ends in one line, and its day's warm workers are replaced."""
    @functools.wraps(function)
    def wrapper(day: str, *args, **kwargs):
        try:
            return function(day, *args, **kwargs)
        except KeyboardInterrupt:
            arguments = inspect.signature(function).bind(day, *args, **kwargs)
            arguments.apply_defaults()
            kernel.drop_grader(day, arguments.arguments["device"], arguments.arguments["course"])
            raise NotebookError("interrupted: nothing was graded; run the check again") from None
    return wrapper


def _show(view):
    if kernel.ipython() is not None:
        return view.show()
    print(view.text(), end="")
    return view


@_one_line_errors
@_interruptible
def check(day: str, exercise: str, device: str = "auto", course=None) -> ExerciseView:
    """Grade ``exercise`` as last defined in this kernel; returns it (``.score``, ``.max_score``, ``.status``)."""
    grader = kernel.grader(day, device, course)
    grader.day.exercise(exercise)
    result = grader.grade(kernel.submission(day), [exercise])
    return _show(ExerciseView(result.exercises[0], day))


@_one_line_errors
@_interruptible
def check_all(day: str, device: str = "auto", course=None) -> DayView:
    """Grade the whole day as defined in this kernel, with the quiz from ./DAY/quiz_answers.yaml."""
    return _show(DayView(kernel.grader(day, device, course).grade(kernel.submission(day))))


@_one_line_errors
def hint(day: str, exercise: str, everything: bool = False, course=None) -> None:
    """Show one more of ``exercise``'s hints each call (as ``grade hint``; state in ./.grade-hints.json)."""
    from ..course.manifest import Course
    from ..learner import hints

    spec = Course.locate(course).load_day(day).exercise(exercise)
    if not spec.hints:
        print(f"{exercise} has no hints: read its docstring")
        return
    shown, exhausted = hints.reveal(Path.cwd(), day, spec, everything)
    for number, text in enumerate(shown, 1):
        print(f"hint {number}/{len(spec.hints)}: {text}")
    if exhausted:
        print(f"(no more hints for {exercise}: those are all {len(spec.hints)}; its docstring and the failing "
              f"case in g.check({day!r}, {exercise!r}) say the rest)")
    elif len(shown) < len(spec.hints):
        print(f"(run g.hint({day!r}, {exercise!r}) again for the next one)")


@_one_line_errors
def quiz(day: str, ask_all: bool = False, course=None) -> None:
    """Ask the day's quiz in the cell; answers are saved to ./DAY/quiz_answers.yaml and scored."""
    from ..course.manifest import Course
    from . import quizcell

    quizcell.run(Course.locate(course).load_day(day), Path.cwd(), ask_all=ask_all)


def _grade_magic(line: str):
    """%grade DAY [EXERCISE]: check one exercise, or the whole day."""
    words = line.split()
    if len(words) == 1:
        return check_all(words[0])
    if len(words) == 2:
        return check(*words)
    raise NotebookError("usage: %grade DAY [EXERCISE]  (e.g. %grade day3 mse_loss)")


def load_ipython_extension(ipython):
    """``%load_ext grader.notebook``; importing the module in IPython does it too."""
    ipython.register_magic_function(_grade_magic, "line", "grade")


if kernel.ipython() is not None:
    load_ipython_extension(kernel.ipython())
