"""``grade quiz DAY``: answer the day's quiz interactively; answers go to the answers file."""
from __future__ import annotations

import click

from .options import course_option, submission_option


@click.command("quiz")
@click.argument("day")
@submission_option("Folder laid out like exercises/ (answers go to SUBMISSION/DAY/quiz_answers.yaml), or a notebook (answers go to DAY/quiz_answers.yaml beside it)")
@course_option()
@click.option("--all", "ask_all", is_flag=True, help="Ask every question again, even those already answered correctly.")
def quiz_cmd(day, submission, course, ask_all):
    """Answer DAY's quiz; each answer is checked and explained at once, and saved."""
    from ..course import quiz
    from ..course.manifest import Course
    from ..errors import UsageError
    from ..learner import place, quizloop
    from ..reports.text import use_colour
    from ..submission import quiz_root

    loaded = Course.locate(course).load_day(day)
    root = quiz_root(submission)
    path = quiz.answers_path(root, day)
    if root == submission and not path.parent.is_dir():  # beside a notebook, the folder is made
        raise UsageError(f"submission folder not found: {path.parent}")
    colour = use_colour()
    styles = {"title": {"bold": True}, "ok": {"fg": "green", "bold": True}, "bad": {"fg": "red", "bold": True}}

    def say(text, style):
        click.echo(click.style(text, **styles[style]) if style else text, color=colour)

    def ask(prompt):
        try:
            return click.prompt(prompt, default="", show_default=False)
        except click.exceptions.Abort:  # Ctrl-C or end of input at the prompt: the learner is done
            raise quizloop.Stopped() from None

    quizloop.run(loaded, root, ask, say, ask_all=ask_all, options=place.kept_options(click.get_current_context()))
