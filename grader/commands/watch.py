"""``grade watch DAY``: re-grade each exercise as it is saved (like rustlings watch)."""
from __future__ import annotations

import click
from .options import course_option, device_option, no_cache_option, submission_option


@click.command("watch")
@click.argument("day")
@submission_option()
@course_option()
@device_option()
@click.option("--interval", type=click.FloatRange(0.05, 10), default=0.5, show_default=True,
              help="Seconds between checks for saved files.")
@no_cache_option()
def watch_cmd(day, submission, course, device, interval, no_cache):
    """Re-grade DAY's exercises whenever you save one; Ctrl-C stops."""
    from ..course.manifest import Course
    from ..engine import Grader
    from ..learner import place
    from ..learner.cache import ResultCache
    from ..learner.watch import Watcher
    from ..reports.text import use_colour

    loaded = Course.locate(course).load_day(day)
    place.day_folder(submission, day)
    colour = use_colour()

    def echo(text, **style):
        click.echo(click.style(text, **style) if style else text, color=colour)

    with Grader(loaded, device, cache=not no_cache) as grader:
        watcher = Watcher(grader, submission, echo, colour, ResultCache(loaded.folder, device),
                          place.kept_options(click.get_current_context()))
        try:
            watcher.start()
        except KeyboardInterrupt:
            pass
        else:
            echo(f"Watching {submission / day} (exercises and quiz_answers.yaml) for changes...")
            watcher.run(interval)
    echo("\nStopped watching.")
