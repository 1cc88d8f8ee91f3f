"""Options that several commands share, defined once so their names, defaults and help agree."""
from __future__ import annotations

import math
import os
from pathlib import Path

import click

from ..sandbox import Limits


def submission_option(help_text: str = "Folder laid out like exercises/: SUBMISSION/DAY/<name>.py"):
    return click.option("--submission", "-s", type=click.Path(path_type=Path), callback=_submission,
                        show_default="exercises/, looked for upwards from here", help=help_text)


def _submission(ctx, param, value):
    from ..learner.place import default_submission

    return value if value is not None else default_submission()


def course_option(help_text: str = "Course pack folder (default: the built-in one; env GRADER_COURSE)."):
    return click.option("--course", type=click.Path(path_type=Path), envvar="GRADER_COURSE", help=help_text)


def device_option():
    return click.option("--device", type=click.Choice(["cpu", "cuda", "auto"]), default="cpu",
                        show_default=True, help="Where cases run; auto uses CUDA when available.")


def limits_options():
    """``--timeout`` and ``--memory-mb``, the sandbox limits a user may want to change."""
    def decorate(command):
        command = click.option("--memory-mb", type=click.IntRange(min=1), default=Limits.memory_mb, show_default=True,
                               help="Extra address space per exercise on CPU.")(command)
        return click.option("--timeout", type=SECONDS, callback=finite, default=Limits.timeout, show_default=True,
                            help="Seconds per exercise.")(command)
    return decorate


def file_to_write(ctx, param, value):
    """A file a command will write: a folder that does not exist or cannot be written is said before
    any work is done."""
    if value is not None and not value.parent.is_dir():
        raise click.BadParameter(f"folder {value.parent} does not exist")
    if value is not None and not value.exists() and not os.access(value.parent, os.W_OK):
        raise click.BadParameter(f"folder {value.parent} is not writable")
    return value


SECONDS = click.FloatRange(min=0, min_open=True)


def finite(ctx, param, value):
    """Refuses what click's ranges let through: nan compares false with any bound, and inf is no limit."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number")
    return value


def no_cache_option():
    return click.option("--no-cache", is_flag=True,
                        help="Compute every reference instead of reading the reference cache "
                             "(GRADER_CACHE_DIR, default ~/.cache/torch-loss-grader).")
