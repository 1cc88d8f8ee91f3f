"""``grade list DAY``: every exercise of the day with its state, and what to do next."""
from __future__ import annotations

import click
from .options import course_option, device_option, no_cache_option, submission_option

_STYLE = {"passing": ("✓", "green"), "failing": ("✗", "red"), "not started": ("·", None), "missing": ("?", "yellow")}


@click.command("list")
@click.argument("day")
@submission_option()
@course_option()
@device_option
@no_cache_option()
def list_cmd(day, submission, course, device, no_cache):
    """List DAY's exercises: not started, failing or passing."""
    from ..learner import progress
    from ..course.manifest import Course
    from ..engine import Grader
    from ..errors import UsageError
    from ..reports.text import use_colour

    loaded = Course.locate(course).load_day(day)
    if not (submission / day).is_dir():
        raise UsageError(f"submission folder not found: {submission / day}")
    with Grader(loaded, device, cache=not no_cache) as grader:
        items = progress.survey(grader, submission)
    colour = use_colour()
    width = max(len(i.name) for i in items)
    done = sum(i.state == progress.PASSING for i in items)
    click.echo(click.style(f"{loaded.title}: {done}/{len(items)} passing", bold=True), color=colour)
    for item in items:
        mark, fg = _STYLE[item.state]
        score = f"  {item.result.score:.2f}/{item.result.max_score:g}" if item.result else ""
        click.echo(click.style(f"  {mark} {item.name:<{width}}  {item.state}{score}", fg=fg), color=colour)
    upcoming = progress.next_exercise(items)
    if upcoming:
        click.echo(f"\nNext: {submission / day / upcoming.name}.py   "
                   f"(grade {day} {upcoming.name}; grade hint {day} {upcoming.name})")
    else:
        click.echo(click.style(f"\nEvery exercise of {day} passes.", fg="green"), color=colour)
