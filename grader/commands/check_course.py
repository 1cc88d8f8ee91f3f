"""``grade check-course``: validate a course pack before shipping it (authoring)."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from .options import course_option


@click.command("check-course")
@course_option()
@click.option("--solutions", type=click.Path(path_type=Path), default=Path("solutions"), show_default=True,
              help="Reference solutions (and plain quiz keys), laid out like exercises/.")
def check_course_cmd(course, solutions):
    """Check manifests, that solutions score full marks and stubs zero, and that quizzes are keyed."""
    from ..course.check import check
    from ..course.manifest import Course

    problems = check(Course.locate(course), solutions, say=click.echo)
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    click.echo(f"{len(problems)} problem(s)" if problems else "course pack OK")
    sys.exit(1 if problems else 0)
