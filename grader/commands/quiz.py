"""``grade quiz DAY``: answer the day's quiz interactively; answers go to the answers file."""
from __future__ import annotations

import textwrap
import click
from .options import course_option, submission_option


@click.command("quiz")
@click.argument("day")
@submission_option("Folder laid out like exercises/: answers go to SUBMISSION/DAY/quiz_answers.yaml")
@course_option()
@click.option("--all", "ask_all", is_flag=True, help="Ask every question again, even those already answered correctly.")
def quiz_cmd(day, submission, course, ask_all):
    """Answer DAY's quiz; each answer is checked and explained at once, and saved."""
    from ..course import quiz
    from ..course.manifest import Course
    from ..errors import UsageError
    from ..reports.text import use_colour

    loaded = Course.locate(course).load_day(day)
    if not loaded.quiz_path.is_file():
        raise UsageError(f"{day} has no quiz")
    the_quiz = quiz.load(loaded.quiz_path, loaded.secret)
    path = quiz.answers_path(submission, day)
    if not path.parent.is_dir():
        raise UsageError(f"submission folder not found: {path.parent}")
    answers = {}
    if path.is_file():
        try:
            answers = quiz.read_answers(path)
        except quiz.AnswerError as exc:
            raise UsageError(f"{exc} (fix or delete the file, then run `grade quiz {day}` again)") from None
    colour = use_colour()

    def say(text="", **style):
        click.echo(click.style(text, **style) if style else text, color=colour)

    say(the_quiz.title, bold=True)
    say(f"Answers are saved to {path} after each question. Press Enter to skip one.")
    total = len(the_quiz.questions)
    for number, q in enumerate(the_quiz.questions, 1):
        before = quiz.grade_question(the_quiz, q, answers.get(q.id))
        if before.status == "correct" and not ask_all:
            say(f"\n{number}/{total} {q.id}: already answered correctly", fg="green")
            continue
        say(f"\n{number}/{total} [{q.points:g} point{'s' if q.points != 1 else ''}] {q.id}", bold=True)
        say(q.prompt)
        for letter, choice in zip(q.letters, q.choices):
            say(textwrap.fill(choice, width=96, initial_indent=f"  {letter}) ", subsequent_indent="     "))
        typed = _ask(q)
        if typed is None:
            continue
        answers[q.id] = typed
        path.write_text(quiz.render_answers(the_quiz, answers), encoding="utf-8")
        result = quiz.grade_question(the_quiz, q, typed)
        if result.status == "correct":
            say(f"✓ correct (+{q.points:g})", fg="green", bold=True)
            say(textwrap.indent(result.explanation.strip(), "  "))
        else:
            say("✗ not correct", fg="red", bold=True)
            if q.hint:
                say(f"  hint: {q.hint}")
            say(f"  Try again later with `grade quiz {day}` (correct answers unlock the explanation).")
    section = quiz.grade_answers(the_quiz, path)
    say(f"\nQuiz score: {section['score']:g} / {section['max_score']:g}", bold=True)
    left = [r["id"] for r in section["questions"] if r["status"] != "correct"]
    if left:
        say(f"Not yet correct: {', '.join(left)}")


def _ask(q):
    """The learner's answer in stored form, or None to skip; re-asks until it can be read."""
    from ..course import quiz

    while True:
        text = click.prompt(f"your answer [{q.answer_format()}]", default="", show_default=False)
        if not text.strip():
            return None
        try:
            value = quiz.from_text(q, text)
            quiz.candidates(q, value)
        except quiz.AnswerError as exc:
            click.echo(f"  {exc}")
            continue
        return value
