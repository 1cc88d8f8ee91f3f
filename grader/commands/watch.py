"""``grade watch DAY``: re-grade each exercise as it is saved (like rustlings watch)."""
from __future__ import annotations

from pathlib import Path

import click


@click.command("watch")
@click.argument("day")
@click.option("--submission", "-s", type=click.Path(path_type=Path), default=Path("exercises"), show_default=True,
              help="Folder laid out like exercises/: SUBMISSION/DAY/<name>.py")
@click.option("--course", type=click.Path(path_type=Path), envvar="GRADER_COURSE",
              help="Course pack folder (default: the built-in one; env GRADER_COURSE).")
@click.option("--device", type=click.Choice(["cpu", "cuda", "auto"]), default="cpu", show_default=True)
@click.option("--interval", type=click.FloatRange(0.05, 10), default=0.5, show_default=True,
              help="Seconds between checks for saved files.")
def watch_cmd(day, submission, course, device, interval):
    """Re-grade DAY's exercises whenever you save one; Ctrl-C stops."""
    from ..course import Course
    from ..engine import Grader
    from ..errors import UsageError
    from ..reports.text import use_colour
    from ..watch import Watcher

    loaded = Course.locate(course).load_day(day)
    if not (submission / day).is_dir():
        raise UsageError(f"submission folder not found: {submission / day}")
    colour = use_colour()

    def echo(text, **style):
        click.echo(click.style(text, **style) if style else text, color=colour)

    with Grader(loaded, device) as grader:
        watcher = Watcher(grader, submission, echo, colour)
        try:
            watcher.start()
        except KeyboardInterrupt:
            pass
        else:
            echo(f"Watching {submission / day} for changes...")
            watcher.run(interval)
    echo("\nStopped watching.")
