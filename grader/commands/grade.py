"""``grade DAY [EXERCISE...]``: grade a submission and print a report."""
from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path

import click

from ..errors import UsageError, did_you_mean
from ..learner import progress
from ..learner.progress import QUIZ
from ..reports import FORMATS
from . import report_files
from .options import course_option, device_option, file_to_write, limits_options, no_cache_option, submission_option


class _DayCommand(click.Command):
    """Invoked as ``grade DAY ...`` (the group routes any unknown first word here), so its usage
    line should read that way rather than name the hidden command."""

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.parent.command_path if ctx.parent else "grade",
                              " ".join(self.collect_usage_pieces(ctx)))


@click.command("day", cls=_DayCommand, hidden=True)
@click.argument("day")
@click.argument("exercises", nargs=-1)
@submission_option()
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False, writable=True),
              callback=file_to_write, help="Write the report here instead of stdout.")
@report_files.report_option()
@device_option()
@course_option()
@limits_options()
@click.option("--fail-under", type=click.FloatRange(0, 100), help="Exit 1 if the score is below this percentage.")
@click.option("--verbose", "-v", is_flag=True, help="Text report: explain every failing case, not only the first.")
@no_cache_option()
def grade_day(day, exercises, submission, fmt, output, reports, device, course, timeout, memory_mb, fail_under,
              verbose, no_cache):
    """Grade DAY of a submission (all exercises, or the EXERCISES named; 'quiz' names the quiz)."""
    from ..course import quiz
    from ..learner import place
    from ..results import DayResult
    from ..sandbox import Limits
    from ..submission import quiz_root

    ctx = click.get_current_context()
    targets = report_files.targets(fmt, output, reports)
    names = list(dict.fromkeys(n for n in exercises if n != QUIZ))  # named twice is graded once, as pytest does
    if names or not exercises:
        with _early_workers(course, day) as pool:
            loaded = _load_day(course, day)
            for name in names:
                loaded.exercise(name)
            place.day_folder(submission, day)
            result = _grade(loaded, device, Limits(timeout=timeout, memory_mb=memory_mb), submission, names or None,
                            cache=not no_cache, pool=pool)
        if QUIZ in exercises:
            result.quiz = quiz.section_for(quiz.for_day(loaded), day, quiz_root(submission))
    else:  # only the quiz: no workers, no torch
        loaded = _load_day(course, day)
        place.day_folder(submission, day)
        if not loaded.quiz_path.is_file():
            raise UsageError(f"{day} has no quiz")
        result = DayResult(day, loaded.title, str(submission), device, [],
                           quiz=quiz.section_for(quiz.for_day(loaded), day, quiz_root(submission)))
    started = ctx.meta.get("grader.started")
    if started:  # the wall time since `grade` started, not only the grading
        result.elapsed = time.monotonic() - started
    upcoming = None if Path(submission).is_file() else _upcoming(loaded, result, exercises)  # a notebook has no files to point at
    options = place.kept_options(ctx)
    report_files.write(targets, result, verbose=verbose, options=options,
                       next_step=progress.next_step(day, upcoming, submission, options))
    if fail_under is not None and result.percent < fail_under:
        # Said on stderr: a CI log shows why the step failed, whatever format stdout carries.
        click.echo(f"score {result.percent:.1f}% is below --fail-under {fail_under:g}%: exit 1", err=True)
        sys.exit(1)


def _load_day(course, day):
    from ..course.manifest import Course

    try:
        return Course.locate(course).load_day(day)
    except UsageError as exc:
        from . import COMMANDS

        suggestion = did_you_mean(day, [c.name for c in COMMANDS if not c.hidden])
        if suggestion and "unknown day" in str(exc):
            raise UsageError(f"unknown day or command '{day}'{suggestion.replace(chr(39), chr(39) + 'grade ', 1)}") from None
        raise


@contextlib.contextmanager
def _early_workers(course, day):
    """The worker, started first of all: its torch import is the longest step of a grade."""
    from .. import workers

    pool = workers.start_early(course, day)
    try:
        yield pool
    finally:
        if pool is not None:  # when a usage error came first; closing it again after a Grader did is harmless
            pool.close()


def _grade(loaded, device, limits, submission, names, cache, pool):
    from .. import workers

    if pool is None or not workers.armed_for(pool, loaded):  # day.yaml changed or could not be read early
        pool = workers.start(loaded)
    from ..engine import Grader  # its torch import overlaps with the worker's

    with Grader(loaded, device, limits, pool=pool, cache=cache) as grader:
        return grader.grade(submission, names)


def _upcoming(loaded, result, asked):
    """What "Next:" points at: the first failing exercise graded; after a pass of some exercises, the
    next one of the day not known to pass; after the exercises, the quiz unless it passed."""
    from ..course import quiz
    from ..learner.cache import ResultCache

    todo = next((e for e in result.exercises if e.status != "passed"), None)
    if todo is not None:
        return progress.of_result(todo)
    order = [e.name for e in loaded.exercises]
    graded = [order.index(e.name) for e in result.exercises]
    later = order[max(graded) + 1:] if graded and asked else []
    cache = ResultCache(loaded.folder, result.device) if later else None
    for name in later:  # the next one not known to pass
        item = progress.ungraded(Path(result.submission), loaded.name, name, cache)
        if item.state != progress.PASSING:
            return item
    section = result.quiz if result.quiz is not None else (
        quiz.section_for(quiz.for_day(loaded), loaded.name, Path(result.submission)) if asked else None)
    if section is not None and section["status"] != "passed":
        return progress.Progress(progress.QUIZ, progress.quiz_state(section), section)
    return None
