"""The day's quiz as a cell prompt: each answer is checked at once and saved where ``grade quiz``
saves it (``./DAY/quiz_answers.yaml`` beside the notebook), so ``grade DAY`` scores it too.

``ask`` is ``input`` in a kernel. A front end that cannot prompt (a headless run) ends the quiz
with a note instead of an error, so a notebook still runs top to bottom.
"""
from __future__ import annotations

from pathlib import Path

from ..course import quiz as quizzes
from ..errors import UsageError


def run(day, root: Path, ask=input, say=print, ask_all: bool = False) -> dict:
    """Ask the unanswered questions; returns the quiz section as ``grade DAY`` reports it."""
    if not day.quiz_path.is_file():
        raise UsageError(f"{day.name} has no quiz")
    the_quiz = quizzes.load(day.quiz_path)
    path = quizzes.answers_path(root, day.name)
    try:
        answers = quizzes.read_answers(path) if path.is_file() else {}
    except quizzes.AnswerError as exc:
        raise UsageError(f"{exc} (fix or delete the file, then ask again)") from None
    say(f"{the_quiz.title}: answers are saved to {path}. Press Enter to skip a question.")
    for number, question in enumerate(the_quiz.questions, 1):
        if quizzes.grade_question(the_quiz, question, answers.get(question.id)).status == "correct" and not ask_all:
            continue
        say(f"\n{number}/{len(the_quiz.questions)} {question.id}\n{question.prompt}")
        for letter, choice in zip(question.letters, question.choices):
            say(f"  {letter}) {choice}")
        value = _answer(question, ask, say)
        if value is _STOP:
            say(f"(this front end cannot ask questions: fill in {path} by hand, or run `grade quiz {day.name}`)")
            break
        if value is None:
            continue
        answers[question.id] = value
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(quizzes.render_answers(the_quiz, answers), encoding="utf-8")
        verdict = quizzes.grade_question(the_quiz, question, value)
        say(f"correct (+{question.points:g})\n{verdict.explanation.strip()}" if verdict.status == "correct"
            else "not correct" + (f"; hint: {question.hint}" if question.hint else ""))
    return quizzes.grade_answers(the_quiz, path) if path.is_file() else quizzes.section_for(the_quiz, day.name, root)


_STOP = object()


def _answer(question, ask, say):
    """The answer in stored form, None to skip, or _STOP when the front end cannot prompt."""
    while True:
        try:
            typed = ask(f"your answer [{question.answer_format()}]: ")
        except (EOFError, KeyboardInterrupt):
            return _STOP
        except Exception as exc:  # noqa: BLE001 - ipykernel's StdinNotImplementedError in a headless run
            if type(exc).__name__ == "StdinNotImplementedError":
                return _STOP
            raise
        if not typed.strip():
            return None
        try:
            value = quizzes.from_text(question, typed)
            quizzes.candidates(question, value)
        except quizzes.AnswerError as exc:
            say(f"  {exc}")
            continue
        return value
