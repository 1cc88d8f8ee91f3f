"""Gradescope's results.json: one test per exercise (and the quiz), partial credit kept as is.

Each test's ``visibility`` comes from the exercise manifest (visible, hidden, after_due_date), so
an instructor can hold back hidden exercises until grades are published. Output is the same
learner feedback the text report shows, which never includes hidden inputs or expected values.
"""
from __future__ import annotations

import json


def render(result, **_options) -> str:
    tests = [_test(number, exercise) for number, exercise in enumerate(result.exercises, 1)]
    if result.quiz:
        quiz = result.quiz
        tests.append({"name": f"{result.day} quiz", "number": str(len(tests) + 1),
                      "score": quiz.get("score", 0.0), "max_score": quiz.get("max_score", 0.0),
                      "output": f"quiz {quiz.get('status', '')}".strip(), "visibility": "visible"})
    report = {
        "score": result.score,
        "execution_time": round(result.elapsed, 3),
        "output": f"{result.title}: {result.score:g} / {result.max_score:g} ({result.percent:.1f}%)",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    return json.dumps(report, indent=2) + "\n"


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
