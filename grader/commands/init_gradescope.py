"""``grade init-gradescope DAY -o autograder.zip``: a Gradescope autograder for one day."""
from __future__ import annotations

import re
from pathlib import Path

import click

from ..course.manifest import Course
from .options import SECONDS, course_option, file_to_write, finite


@click.command("init-gradescope")
@click.argument("day")
@course_option()
@click.option("--grader", "grader_spec", default=None,
              help="pip requirement for the grader inside Gradescope (default: this version from PyPI).")
@click.option("--timeout", type=SECONDS, callback=finite, help="Seconds per exercise.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), callback=file_to_write,
              default=Path("autograder.zip"),
              show_default=True)
def init_gradescope_cmd(day, course, grader_spec, timeout, output):
    """Write a Gradescope autograder zip: setup.sh, run_autograder and the day's course pack."""
    from importlib import metadata

    import torch

    from ..classroom import autograder, ci, provenance
    from ..course import lint

    pack = Course.locate(course)
    # The zip pins this torch: a case this torch cannot run would be skipped for the whole class.
    lint.require_clean(pack.day_folder(day))
    loaded = pack.load_day(day)
    if grader_spec is None:
        grader_spec = f"{provenance.DISTRIBUTION}=={metadata.version(provenance.DISTRIBUTION)}"
    grader_spec = ci.check_grader(grader_spec)
    torch_version = re.sub(r"\+.*$", "", torch.__version__)
    names = autograder.build(loaded, output, grader_spec, torch_version,
                             [] if timeout is None else ["--timeout", f"{timeout:g}"])
    click.echo(f"wrote {output} ({len(names)} files): upload it as the autograder of a Gradescope "
               f"programming assignment (Ubuntu base image)", err=True)
