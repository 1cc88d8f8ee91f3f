"""``grade DAY [EXERCISE...]``: grade a submission and print a report."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import workers
from ..course.manifest import Course
from ..reports import FORMATS, text
from ..sandbox import Limits
from .options import course_option, device_option, limits_options, no_cache_option, submission_option


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
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write the report here instead of stdout.")
@device_option
@course_option()
@limits_options
@click.option("--fail-under", type=click.FloatRange(0, 100), help="Exit 1 if the score is below this percentage.")
@no_cache_option()
def grade_day(day, exercises, submission, fmt, output, device, course, timeout, memory_mb, fail_under, no_cache):
    """Grade DAY of a submission (all exercises, or the EXERCISES named)."""
    loaded = Course.locate(course).load_day(day)
    for name in exercises:
        loaded.exercise(name)
    pool = workers.start(loaded)  # their torch import overlaps with ours, which the engine brings
    try:
        from ..engine import Grader

        with Grader(loaded, device, Limits(timeout=timeout, memory_mb=memory_mb), pool=pool,
                    cache=not no_cache) as grader:
            result = grader.grade(submission, exercises or None)
    finally:
        pool.close()
    report = FORMATS[fmt](result, colour=fmt == "text" and output is None and text.use_colour())
    if output:
        output.write_text(report, encoding="utf-8")
    else:
        sys.stdout.write(report)
    if fail_under is not None and result.percent < fail_under:
        sys.exit(1)
