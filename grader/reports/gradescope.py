"""Gradescope's results.json: one test per exercise and one per quiz question, partial credit kept.

Each exercise's ``visibility`` comes from its manifest (visible, hidden, after_due_date,
after_published), so an instructor can hold hidden exercises back until grades are published.
The quiz's questions are always all listed (unanswered ones score 0), so every submission has
the same tests. ``execution_time`` is whole seconds, as the spec types it. The overall ``output``
line counts only the visible tests when some are held back. Output is the learner
feedback the text report shows, which never includes hidden inputs or expected values.
"""
from __future__ import annotations

import json
import math


def render(result, **_options) -> str:
    tests = [_test(number, exercise) for number, exercise in enumerate(result.exercises, 1)]
    if result.quiz:
        tests += _quiz_tests(result.day, result.quiz, len(tests))
    report = {
        "score": result.score,
        "execution_time": int(math.ceil(result.elapsed)),
        "output": _overall(result, tests),
        # Plain text, not Gradescope's default simple_format: it would collapse the aligned tensors
        # and render any markup a learner's message carries.
        "output_format": "text",
        "test_output_format": "text",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    return json.dumps(report, indent=2) + "\n"


def _overall(result, tests: list) -> str:
    """The submission's line, which students always see: a total over held-back tests would give
    their results away, so it then counts only the tests shown now."""
    shown = [t for t in tests if t["visibility"] == "visible"]
    if len(shown) == len(tests):
        return f"{result.title}: {result.score:g} / {result.max_score:g} ({result.percent:.1f}%)"
    score, max_score = round(sum(t["score"] for t in shown), 4), round(sum(t["max_score"] for t in shown), 4)
    return f"{result.title}: {score:g} / {max_score:g} on the tests shown now (the others are shown later)"


def _test(number: int, exercise) -> dict:
    counted = f"{exercise.passed_cases}/{len(exercise.cases)} cases passed" if exercise.cases else exercise.status
    output = counted + (f"\n{exercise.feedback}" if exercise.feedback and exercise.status != "passed" else "")
    return {
        "name": exercise.name,
        "number": str(number),
        "score": round(exercise.score, 4),
        "max_score": exercise.max_score,
        "status": "passed" if exercise.status == "passed" else "failed",
        "output": output,
        "visibility": exercise.visibility,
    }


def _quiz_tests(day: str, quiz: dict, before: int) -> list:
    note = f"\n{quiz['message']}" if quiz.get("message") else ""
    return [{"name": f"{day} quiz: {q['id']}", "number": str(before + n),
             "score": q.get("score", 0.0), "max_score": q.get("max_score", 0.0),
             "status": "passed" if q.get("status") == "correct" else "failed",
             "output": (q.get("status", "") + (f": {q['message']}" if q.get("message") else "")) + (note if n == 1 else ""),
             "visibility": "visible"}
            for n, q in enumerate(quiz.get("questions") or [], 1)]
