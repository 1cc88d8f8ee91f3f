"""A Markdown summary for GitHub Actions' job page.

When ``GITHUB_STEP_SUMMARY`` is set (inside a workflow step) the summary is also appended to
that file, which is how a step publishes to the run's summary page; the Markdown still goes to
stdout or ``--output`` like every other format, even when that file cannot be written (a warning
on stderr says so).
"""
from __future__ import annotations

import os
import sys

_ICON = {"passed": "✅", "failed": "❌", "error": "❗", "timeout": "⏱️", "crashed": "💥", "missing": "➖",
         "forbidden": "⛔"}


def render(result, **_options) -> str:
    lines = [f"## {result.title}: {result.score:g} / {result.max_score:g} ({result.percent:.1f}%)", "",
             "| | Exercise | Score | Status | Cases |", "|---|---|---:|---|---:|"]
    for ex in result.exercises:
        cases = f"{ex.passed_cases}/{len(ex.cases)}" if ex.cases else ""
        lines.append(f"| {_ICON[ex.status]} | `{ex.name}` | {ex.score:.2f} / {ex.max_score:g} | {ex.status} | {cases} |")
    if result.quiz:
        quiz = result.quiz
        lines.append(f"| | quiz | {quiz.get('score', 0):.2f} / {quiz.get('max_score', 0):g} | {quiz.get('status', '')} | |")
    problems = [ex for ex in result.exercises if ex.status != "passed" and ex.feedback]
    if problems:
        lines += ["", "<details><summary>What to fix</summary>", ""]
        for ex in problems:
            lines += [f"**{ex.name}** ({ex.status})", "", "```", ex.feedback.replace("```", "'''"), "```", ""]
        lines.append("</details>")
    markdown = "\n".join(lines) + "\n"
    _append_to_step_summary(markdown)
    return markdown


def _append_to_step_summary(markdown: str) -> None:
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        try:
            with open(path, "a", encoding="utf-8") as summary:
                summary.write(markdown + "\n")
        except OSError as exc:  # the job page misses it; the report itself still goes out
            sys.stderr.write(f"warning: cannot append to GITHUB_STEP_SUMMARY ({path}): {exc.strerror or exc}\n")
