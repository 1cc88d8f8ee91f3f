"""The human report: one line per exercise; of each failing one, the most telling failed case
explained (or, with ``verbose``, every failed case), with what the learner's code printed while
running it, and a count of the other failing kinds of case.

Learner output is shown with control characters replaced and whole lines wrapped, never cut mid-word.
"""
from __future__ import annotations

import os
import re
import sys
import textwrap
from collections import Counter

import click

from ..judging.feedback import case_text, shown_case

# How each status looks: its mark and its click.style keywords (one table, as commands/listing.py styles).
_LOOK = {"passed": ("✓", {"fg": "green"}), "failed": ("✗", {"fg": "red"}), "error": ("!", {"fg": "red"}),
         "timeout": ("⏱", {"fg": "yellow"}), "crashed": ("✗", {"fg": "red"}), "missing": ("·", {"dim": True}),
         "forbidden": ("⛔", {"fg": "magenta"})}
_DIM, _TOTAL, _DONE = {"dim": True}, {"bold": True}, {"fg": "green"}


def use_colour(stream=None) -> bool:
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def paint(style: dict, text: str, colour: bool) -> str:
    return click.style(text, **style) if colour else text


def exercise_lines(ex, width: int, colour: bool = False, verbose: bool = False) -> list[str]:
    """One exercise: its score line and, unless it passed, why (shared by the report and watch)."""
    counted = f" ({ex.passed_cases}/{len(ex.cases)} cases)" if ex.cases else ""
    mark, style = _LOOK[ex.status]
    head = f"{mark} {ex.name:<{width}}  {ex.score:5.2f}/{ex.max_score:g}  {ex.status}{counted}"
    lines = [paint(style, head, colour)]
    failed = [c for c in ex.cases if not c.passed]
    started = ex.status == "failed" and failed and not ex.feedback.startswith("not started")
    if ex.status != "passed" and started:
        shown = failed if verbose else [shown_case(ex.cases)]
        for case in shown:
            lines.extend("    " + line for line in case_text(case).splitlines())
            lines.extend(_printed(case.output, "    your code printed in this case:"))
        others = Counter(c.kind for c in failed if c not in shown).most_common()
        if others:
            listed = ", ".join(f"{kind} ×{n}" for kind, n in others[:MAX_KINDS])
            left = len(others) - MAX_KINDS
            more = f", and {left} more kind{'s' if left > 1 else ''} (grade -v shows every case)" if left > 0 else ""
            lines.append("    also failing: " + listed + more)
    elif ex.status != "passed" and ex.feedback:
        lines.extend("    " + line for line in ex.feedback.splitlines())
    for skipped in ex.skipped[:3]:
        lines.append(paint(_DIM, f"    skipped: {skipped}", colour))
    if ex.status != "passed" and not started and ex.output.strip():
        lines.extend(_printed(ex.output, "    your code printed:"))
    return lines


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
MAX_OUTPUT_LINES = 6
MAX_KINDS = 8


def _printed(output: str, title: str) -> list[str]:
    """Learner output, made harmless for a terminal and bounded, each line wrapped at word breaks."""
    text = _CONTROL.sub("?", output).strip()
    if not text:
        return []
    wrapped = [part for line in text.splitlines()
               for part in (textwrap.wrap(line, 96, break_long_words=True, break_on_hyphens=False) or [""])]
    more = len(wrapped) - MAX_OUTPUT_LINES
    shown = [title, *("      " + line for line in wrapped[:MAX_OUTPUT_LINES])]
    return shown + ([f"      [{more} more line(s): see --format json]"] if more > 0 else [])


def quiz_lines(quiz: dict, day: str, width: int, colour: bool = False, options: str = "") -> list[str]:
    """``options``: those of the command line that pick the submission or pack, kept in the
    commands suggested (progress is kept per submission folder)."""
    status = quiz.get("status", "")
    mark, style = _LOOK.get(status, _LOOK["missing"])
    lines = [paint(style, f"{mark} {'quiz':<{width}}  {quiz.get('score', 0):5.2f}/"
                         f"{quiz.get('max_score', 0):g}  {status}", colour)]
    wrong = [q["id"] for q in quiz.get("questions", []) if q["status"] == "wrong"]
    if wrong:
        lines.append(f"    not correct: {', '.join(wrong)} (grade quiz {day}{options} to try again)")
    questions = quiz.get("questions", [])
    unanswered = sum(q["status"] == "unanswered" for q in questions)
    if unanswered and status not in ("missing", "error"):  # their message says why none counted
        lines.append(f"    not answered yet: {unanswered} of {len(questions)} questions (grade quiz {day}{options} asks them)")
    if quiz.get("message"):
        lines.append(f"    {quiz['message']}")
    return lines


def render(result, colour: bool = False, verbose: bool = False, next_step: str | None = None, options: str = "",
           **_options) -> str:
    """``next_step``: the "Next:" line the command worked out (it knows the day's order and the
    options typed); by default, the first failing exercise of the report. ``options``: as for
    :func:`quiz_lines`."""
    graded = result.submission if result.submission.endswith(".ipynb") else f"{result.submission}/{result.day}"
    lines = [f"{result.title}: grading {graded} on {result.device}", ""]
    width = max((len(e.name) for e in result.exercises), default=10)
    for ex in result.exercises:
        lines.extend(exercise_lines(ex, width, colour, verbose))
    if result.quiz:
        lines.extend(quiz_lines(result.quiz, result.day, width, colour, options))
    lines += ["", paint(_TOTAL, f"Total: {result.score:g} / {result.max_score:g} ({result.percent:.1f}%)"
                       f" in {result.elapsed:.1f} s", colour)]
    if next_step is None:
        from ..learner import progress

        todo = next((e for e in result.exercises if e.status != "passed"), None)
        next_step = progress.next_step(result.day, todo and progress.of_result(todo), result.submission)
    if next_step:  # like rustlings: always say what to do next
        lines.append(next_step)
    elif result.quiz and result.quiz.get("status") == "passed" and result.percent >= 100:
        lines.append(paint(_DONE, f"{result.title} complete: every exercise and the quiz pass. Well done!", colour))
    return "\n".join(lines) + "\n"
