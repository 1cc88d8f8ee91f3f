"""JUnit XML: one testcase per graded case, for CI systems that display test results.

Rules: every suite has its ``properties`` first (as the schema orders them), every testcase has a
``time`` (the exercise's time shared among its cases: jobs are timed per exercise), and the set of
testcases is the same whatever the submission did: an exercise that could not run (missing,
forbidden, error, timeout, crashed) lists each of its cases as an error carrying the reason, a
case this torch cannot run is a ``<skipped>`` testcase, and the quiz has one testcase per question.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from ._common import titled_cases, xml_text

_RAN = ("passed", "failed")


def render(result, **_options) -> str:
    suites = ET.Element("testsuites", name=f"grade {result.day}")
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for exercise in result.exercises:
        suite = _suite(suites, f"{result.day}.{exercise.name}", exercise.elapsed,
                       {"score": f"{exercise.score:g}", "max_score": f"{exercise.max_score:g}", "status": exercise.status})
        _add(totals, suite, _fill(suite, result.day, exercise))
        if exercise.output:
            ET.SubElement(suite, "system-out").text = xml_text(exercise.output)
    if result.quiz:
        quiz = result.quiz
        suite = _suite(suites, f"{result.day}.quiz", 0.0,
                       {"score": f"{quiz.get('score', 0):g}", "max_score": f"{quiz.get('max_score', 0):g}"})
        _add(totals, suite, _quiz(suite, result.day, quiz))
    for key, value in totals.items():
        suites.set(key, str(value))
    suites.set("time", f"{result.elapsed:.3f}")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _suite(parent, name: str, seconds: float, properties: dict):
    suite = ET.SubElement(parent, "testsuite", name=name, time=f"{seconds:.3f}")
    props = ET.SubElement(suite, "properties")
    for key, value in properties.items():
        ET.SubElement(props, "property", name=key, value=value)
    return suite


def _add(totals: dict, suite, counts: dict) -> None:
    for key, value in counts.items():
        suite.set(key, str(value))
        totals[key] += value


def _fill(suite, day: str, exercise) -> dict:
    classname = f"{day}.{exercise.name}"
    counts = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    each = f"{exercise.elapsed / max(1, len(exercise.cases)):.3f}"
    ran = exercise.status in _RAN
    for title, case in titled_cases(exercise):
        element = ET.SubElement(suite, "testcase", classname=classname, name=xml_text(title), time=each)
        counts["tests"] += 1
        if case.passed:
            continue
        if ran:
            counts["failures"] += 1
            failure = ET.SubElement(element, "failure", type=case.problem or "failed", message=xml_text(case.message))
            if case.public and case.call:
                failure.text = xml_text(f"call: {case.call}")
        else:
            counts["errors"] += 1
            ET.SubElement(element, "error", type=exercise.status, message=xml_text(exercise.feedback))
    if not exercise.cases and not ran:  # nothing to list (a student who could not be graded at all)
        case = ET.SubElement(suite, "testcase", classname=classname, name=exercise.name, time=each)
        ET.SubElement(case, "error", type=exercise.status, message=xml_text(exercise.feedback))
        counts["tests"] += 1
        counts["errors"] += 1
    for number, reason in enumerate(exercise.skipped, 1):
        # The reason's leading label may name a hidden case's parameters: only the reason is shown.
        case = ET.SubElement(suite, "testcase", classname=classname, name=f"skipped case {number}", time="0.000")
        ET.SubElement(case, "skipped", message=xml_text(reason.rsplit(": ", 1)[-1]))
        counts["tests"] += 1
        counts["skipped"] += 1
    return counts


def _quiz(suite, day: str, quiz: dict) -> dict:
    counts = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for question in quiz.get("questions") or []:
        case = ET.SubElement(suite, "testcase", classname=f"{day}.quiz", name=str(question["id"]), time="0.000")
        counts["tests"] += 1
        if question.get("status") != "correct":
            counts["failures"] += 1
            message = question.get("status", "") + (f": {question['message']}" if question.get("message") else "")
            ET.SubElement(case, "failure", type="quiz", message=xml_text(message))
    return counts
