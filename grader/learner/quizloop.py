"""The interactive quiz, one loop for every front end (`grade quiz`, a notebook's ``g.quiz()``).

Input and output come in as callables, so the loop knows no terminal or kernel: ``ask(prompt)``
returns the typed text or raises :class:`CannotAsk` where the front end cannot prompt (a headless
kernel) or :class:`Stopped` where the learner ended the quiz, and ``say(text, style)`` shows a line, ``style`` being None, "title", "ok" or "bad".
Each answer is checked and saved at once, where ``grade DAY`` reads it.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

from ..course import quiz as quizzes
from ..errors import UsageError


class CannotAsk(Exception):
    """The front end cannot prompt: the quiz stops with a note instead of an error."""


class Stopped(Exception):
    """The learner ended the quiz at a prompt (Ctrl-C, Ctrl-D): what they answered is kept."""


def run(day, root: Path, ask, say, ask_all: bool = False, options: str = "") -> dict:
    """Ask the questions not yet answered correctly; returns the quiz section as ``grade DAY`` reports it.
    ``options``: those of the command line that pick the submission or pack, kept in the command
    it suggests (answers are kept per submission folder)."""
    again = f"grade quiz {day.name}{options}"
    if not day.quiz_path.is_file():
        raise UsageError(f"{day.name} has no quiz")
    the_quiz = quizzes.load(day.quiz_path, day.secret)
    path = quizzes.answers_path(root, day.name)
    try:
        answers = quizzes.read_answers(path) if path.exists() or path.is_symlink() else {}  # a folder there: refused
    except quizzes.AnswerError as exc:
        raise UsageError(f"{exc} (fix or delete the file, then run `{again}` again)") from None
    say(the_quiz.title, "title")
    say(f"Answers are saved to {path} after each question. Press Enter to skip one.", None)
    total = len(the_quiz.questions)
    for number, q in enumerate(the_quiz.questions, 1):
        if quizzes.grade_question(the_quiz, q, answers.get(q.id)).status == "correct" and not ask_all:
            say(f"\n{number}/{total} {q.id}: already answered correctly", "ok")
            continue
        say(f"\n{number}/{total} [{q.points:g} point{'s' if q.points != 1 else ''}] {q.id}", "title")
        say(q.prompt, None)
        for letter, choice in zip(q.letters, q.choices):
            say(textwrap.fill(choice, width=96, initial_indent=f"  {letter}) ", subsequent_indent="     "), None)
        try:
            value = _answer(q, ask, say)
        except CannotAsk:
            say(f"(this front end cannot ask questions: fill in {path} by hand, or run `{again}`)", None)
            break
        except Stopped:
            say(f"\n(stopped: your answers so far are saved; `{again}` goes on from there)", None)
            break
        if value is None:
            continue
        answers[q.id] = value
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(quizzes.render_answers(the_quiz, answers), encoding="utf-8")
        verdict = quizzes.grade_question(the_quiz, q, value)
        if verdict.status == "correct":
            say(f"✓ correct (+{q.points:g})", "ok")
            say(textwrap.indent(verdict.explanation.strip(), "  "), None)
        else:
            say("✗ not correct", "bad")
            if q.hint:
                say(f"  hint: {q.hint}", None)
            say(f"  Try again later with `{again}` (correct answers unlock the explanation).", None)
    section = quizzes.grade_answers(the_quiz, path) if path.is_file() else quizzes.section_for(the_quiz, day.name, root)
    say(f"\nQuiz score: {section['score']:g} / {section['max_score']:g}", "title")
    left = [r["id"] for r in section["questions"] if r["status"] != "correct"]
    if left:
        say(f"Not yet correct: {', '.join(left)}", None)
    return section


def _answer(question, ask, say):
    """The answer in stored form, or None to skip; asks again until the text can be read."""
    while True:
        typed = ask(f"your answer [{question.answer_format()}]")
        if not typed.strip():
            return None
        try:
            value = quizzes.from_text(question, typed)
            quizzes.candidates(question, value)
        except quizzes.AnswerError as exc:
            say(f"  {exc}", None)
            continue
        return value
