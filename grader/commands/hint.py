"""``grade hint DAY [EXERCISE]``: one more hint each time it is asked (by default for the exercise
the learner is on: the first of the day that does not pass)."""
from __future__ import annotations

import click
from .options import course_option, device_option, submission_option


@click.command("hint")
@click.argument("day")
@click.argument("exercise", required=False)
@submission_option()
@course_option()
@device_option()
@click.option("--all", "everything", is_flag=True, help="Show every hint at once.")
@click.option("--reset", is_flag=True, help="Forget the hints shown for this exercise.")
def hint_cmd(day, exercise, submission, course, device, everything, reset):
    """Show the next hint for EXERCISE (default: the first exercise that does not pass yet)."""
    if everything and reset:
        raise click.UsageError("--all and --reset ask for opposite things: use one")
    from ..course.manifest import Course
    from ..learner import hints, place, progress
    from ..learner.cache import ResultCache
    from .listing import grading

    pack = Course.locate(course)
    options = place.kept_options(click.get_current_context())  # hints shown are counted per submission folder
    if exercise is None:
        outline = progress.outline(pack.root, day)  # an unknown day is named before a missing folder
        place.day_folder(submission, day)
        current = progress.next_item(progress.survey(outline, submission, grading(pack.root, day, device, submission),
                                                     ResultCache(outline.folder, device)))
        if current is None:
            click.echo(f"every exercise of {day} passes: no hint needed (the quiz: grade quiz {day}{options})")
            return
        exercise = current.name
        click.echo(f"{exercise} ({current.state}):")
    spec = pack.load_day(day).exercise(exercise)
    if reset:
        hints.reset(submission, day, spec)
        click.echo(f"hints for {exercise} reset")
        return
    if not spec.hints:
        click.echo(f"{exercise} has no hints: read the docstring in {submission / day / exercise}.py")
        return
    shown, exhausted = hints.reveal(submission, day, spec, everything)
    for number, text in enumerate(shown, 1):
        click.echo(f"hint {number}/{len(spec.hints)}: {text}")
    if exhausted:
        click.echo(f"(no more hints for {exercise}: those are all {len(spec.hints)}; its docstring and the failing "
                   f"case in `grade {day} {exercise}` say the rest; --reset starts over)")
    elif len(shown) < len(spec.hints):
        click.echo(f"(run `grade hint {day} {exercise}{options}` again for the next one)")
