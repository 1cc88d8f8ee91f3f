"""The human report: one line per exercise, the first failure of each explained."""
from __future__ import annotations

import os
import sys

_MARK = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "⏱", "crashed": "✗", "missing": "·", "forbidden": "⛔"}
_COLOUR = {"passed": "32", "failed": "31", "error": "31", "timeout": "33", "crashed": "31", "missing": "2", "forbidden": "35"}


def use_colour(stream=None) -> bool:
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def render(result, colour: bool = False, **_options) -> str:
    def paint(code, text):
        return f"\033[{code}m{text}\033[0m" if colour else text

    lines = [f"{result.title}: grading {result.submission}/{result.day} on {result.device}", ""]
    width = max((len(e.name) for e in result.exercises), default=10)
    for ex in result.exercises:
        counted = f" ({ex.passed_cases}/{len(ex.cases)} cases)" if ex.cases else ""
        head = f"{_MARK[ex.status]} {ex.name:<{width}}  {ex.score:5.2f}/{ex.max_score:g}  {ex.status}{counted}"
        lines.append(paint(_COLOUR[ex.status], head))
        if ex.status != "passed" and ex.feedback:
            lines.extend("    " + line for line in ex.feedback.splitlines())
        for skipped in ex.skipped[:3]:
            lines.append(paint("2", f"    skipped: {skipped}"))
        if ex.status != "passed" and ex.output.strip():
            lines.append("    your code printed: " + ex.output.strip().splitlines()[0][:120])
    if result.quiz:
        q = result.quiz
        lines.append(f"  quiz {' ' * max(0, width - 4)}  {q.get('score', 0):5.2f}/{q.get('max_score', 0):g}  {q.get('status', '')}")
    lines += ["", paint("1", f"Total: {result.score:g} / {result.max_score:g} ({result.percent:.1f}%)"
                       f" in {result.elapsed:.1f} s")]
    return "\n".join(lines) + "\n"
