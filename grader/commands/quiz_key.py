"""``grade quiz-key``: build each day's shipped quiz (hashed key) from the authors' plain key."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from .options import course_option

KEY_FILE = "quiz_key.yaml"


@click.command("quiz-key")
@click.option("--solutions", type=click.Path(path_type=Path), default=Path("solutions"), show_default=True,
              help="Authors' folder holding DAY/quiz_key.yaml (plain answers; never ship it).")
@click.option("--exercises", type=click.Path(path_type=Path), default=Path("exercises"), show_default=True,
              help="Learners' folder: DAY/quiz_answers.yaml gets an empty answers template.")
@course_option("Course pack to write DAY/quiz.yaml into (default: the built-in one).")
@click.option("--check", is_flag=True, help="Only check that the built files are up to date; exit 1 if not.")
def quiz_key_cmd(solutions, exercises, course, check):
    """Build DAY/quiz.yaml (hashed answers) from the plain key (authoring)."""
    from ..course import quizbuild
    from ..course.manifest import Course
    from ..errors import UsageError

    from ..course import secret as course_secret

    root = Course.locate(course).root
    secret = course_secret.load(root)  # a private pack's quiz is keyed with its secret
    keys = sorted(solutions.glob(f"*/{KEY_FILE}"))
    if not keys:
        raise UsageError(f"no quiz keys found under {solutions}/<day>/{KEY_FILE}")
    stale = []
    for key in keys:
        day = key.parent.name
        for path, text in quizbuild.plan(key, root / day / "quiz.yaml", exercises / day / "quiz_answers.yaml", secret):
            if path.is_file() and path.read_text(encoding="utf-8") == text:
                continue
            if check:
                stale.append(path)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            click.echo(f"wrote {path}")
    for path in stale:
        click.echo(f"out of date: {path} (run: grade quiz-key)", err=True)
    sys.exit(1 if stale else 0)
