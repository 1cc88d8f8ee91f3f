"""The day's quiz as a cell prompt: the shared quiz loop with ``input`` and ``print``, saving
where ``grade quiz`` saves (``./DAY/quiz_answers.yaml`` beside the notebook), so ``grade DAY``
scores it too. A front end that cannot prompt (a headless run) ends the quiz with a note instead
of an error, so a notebook still runs top to bottom.
"""
from __future__ import annotations

from pathlib import Path

from ..learner import quizloop


def run(day, root: Path, ask=input, say=print, ask_all: bool = False) -> dict:
    """Ask the unanswered questions; returns the quiz section as ``grade DAY`` reports it."""
    def prompt(text):
        try:
            return ask(f"{text}: ")
        except (EOFError, KeyboardInterrupt):
            raise quizloop.CannotAsk from None
        except Exception as exc:  # noqa: BLE001 - ipykernel's StdinNotImplementedError in a headless run
            if type(exc).__name__ == "StdinNotImplementedError":
                raise quizloop.CannotAsk from None
            raise

    return quizloop.run(day, root, prompt, lambda text, _style: say(text), ask_all=ask_all)
