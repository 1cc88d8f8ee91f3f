"""``grade hint DAY EXERCISE``: one more hint each time it is asked."""
from __future__ import annotations

import click
from .options import course_option, submission_option


@click.command("hint")
@click.argument("day")
@click.argument("exercise")
@submission_option("Folder laid out like exercises/; remembers the hints shown in SUBMISSION/.grade-hints.json")
@course_option()
@click.option("--all", "everything", is_flag=True, help="Show every hint at once.")
@click.option("--reset", is_flag=True, help="Forget the hints shown for this exercise.")
def hint_cmd(day, exercise, submission, course, everything, reset):
    """Show EXERCISE's next hint (and the earlier ones)."""
    from ..learner import hints
    from ..course.manifest import Course
    from ..errors import UsageError

    spec = Course.locate(course).load_day(day).exercise(exercise)
    if not submission.is_dir():
        raise UsageError(f"submission folder not found: {submission}")
    if reset:
        hints.reset(submission, day, spec)
        click.echo(f"hints for {exercise} reset")
        return
    if not spec.hints:
        click.echo(f"{exercise} has no hints: read the docstring in {submission / day / exercise}.py")
        return
    shown = hints.reveal(submission, day, spec, everything)
    for number, text in enumerate(shown, 1):
        click.echo(f"hint {number}/{len(spec.hints)}: {text}")
    if len(shown) < len(spec.hints):
        click.echo(f"(run `grade hint {day} {exercise}` again for the next one)")
