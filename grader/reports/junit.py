"""JUnit XML: one testcase per graded case, for CI systems that display test results.

An exercise that could not run at all (missing, forbidden, error, timeout, crashed) is one
testcase carrying its feedback as an error, so a CI summary shows why rather than N failures.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from ._common import titled_cases, xml_text

_RAN = ("passed", "failed")


def render(result, **_options) -> str:
    suites = ET.Element("testsuites", name=f"grade {result.day}")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for exercise in result.exercises:
        suite = ET.SubElement(suites, "testsuite", name=f"{result.day}.{exercise.name}",
                              time=f"{exercise.elapsed:.3f}")
        counts = _fill(suite, result.day, exercise)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="score", value=f"{exercise.score:g}")
        ET.SubElement(props, "property", name="max_score", value=f"{exercise.max_score:g}")
        if exercise.output:
            ET.SubElement(suite, "system-out").text = xml_text(exercise.output)
    if result.quiz:
        totals = _add_quiz(suites, result, totals)
    for key, value in totals.items():
        suites.set(key, str(value))
    suites.set("time", f"{result.elapsed:.3f}")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _fill(suite, day: str, exercise) -> dict:
    classname = f"{day}.{exercise.name}"
    if exercise.status not in _RAN:
        case = ET.SubElement(suite, "testcase", classname=classname, name=exercise.name)
        ET.SubElement(case, "error", type=exercise.status, message=xml_text(exercise.feedback))
        return {"tests": 1, "failures": 0, "errors": 1}
    failures = 0
    for title, case in titled_cases(exercise):
        element = ET.SubElement(suite, "testcase", classname=classname, name=xml_text(title))
        if not case.passed:
            failures += 1
            failure = ET.SubElement(element, "failure", type=case.problem or "failed", message=xml_text(case.message))
            if case.public and case.call:
                failure.text = xml_text(f"call: {case.call}")
    return {"tests": len(exercise.cases), "failures": failures, "errors": 0}


def _add_quiz(suites, result, totals: dict) -> dict:
    quiz = result.quiz
    suite = ET.SubElement(suites, "testsuite", name=f"{result.day}.quiz", tests="1", errors="0")
    case = ET.SubElement(suite, "testcase", classname=f"{result.day}.quiz", name="quiz")
    full = quiz.get("score", 0) >= quiz.get("max_score", 0)
    if not full:
        ET.SubElement(case, "failure", type="quiz",
                      message=f"quiz: {quiz.get('score', 0):g} / {quiz.get('max_score', 0):g}")
    suite.set("failures", "0" if full else "1")
    return {**totals, "tests": totals["tests"] + 1, "failures": totals["failures"] + (not full)}
