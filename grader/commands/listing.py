"""``grade list DAY``: every exercise of the day and the quiz with its state, and what to do next."""
from __future__ import annotations

import click
from .options import course_option, device_option, no_cache_option, submission_option

_STYLE = {"passing": ("✓", "green"), "failing": ("✗", "red"), "not started": ("·", None), "missing": ("?", "yellow"),
          "started": ("~", None)}


@click.command("list")
@click.argument("day")
@submission_option()
@course_option()
@device_option()
@no_cache_option()
def list_cmd(day, submission, course, device, no_cache):
    """List DAY's exercises and quiz: not started, failing or passing (unchanged files are not re-graded)."""
    from ..course.manifest import Course
    from ..learner import place, progress
    from ..learner.cache import ResultCache
    from ..reports.text import use_colour

    root = Course.locate(course).root
    outline = progress.outline(root, day)
    place.day_folder(submission, day)
    items = progress.survey(outline, submission, grading(root, day, device, submission, cache=not no_cache),
                            ResultCache(outline.folder, device))
    quiz_item = progress.quiz_progress(outline, submission, ResultCache(outline.folder, device))
    colour = use_colour()
    width = max(len(i.name) for i in items)
    done = sum(i.state == progress.PASSING for i in items)
    click.echo(click.style(f"{outline.title}: {done}/{len(items)} exercises passing", bold=True), color=colour)
    for item in items:
        mark, fg = _STYLE[item.state]
        score = f"  {item.result.score:.2f}/{item.result.max_score:g}" if item.result else ""
        click.echo(click.style(f"  {mark} {item.name:<{width}}  {item.state}{score}", fg=fg), color=colour)
    if quiz_item:
        mark, fg = _STYLE[quiz_item.state]
        score = f"  {quiz_item.result['score']:.2f}/{quiz_item.result['max_score']:g}"
        click.echo(click.style(f"  {mark} {'quiz':<{width}}  {quiz_item.state}{score}", fg=fg), color=colour)
    upcoming = progress.next_item(items + ([quiz_item] if quiz_item else []))
    if upcoming:
        click.echo("\n" + progress.next_step(day, upcoming, submission, place.kept_options(click.get_current_context())))
    else:
        everything = "every exercise and the quiz pass" if quiz_item else "every exercise passes"
        click.echo(click.style(f"\n{outline.title} complete: {everything}.", fg="green"), color=colour)


def grading(course_root, day, device, submission, cache=True):
    """``grade(names)`` for :func:`progress.survey`: loads the day and starts a grader only when
    some file really needs grading."""
    def grade(names):
        from ..course.manifest import Course
        from ..engine import Grader

        with Grader(Course.locate(course_root).load_day(day), device, cache=cache) as grader:
            return grader.grade(submission, names).exercises

    return grade
