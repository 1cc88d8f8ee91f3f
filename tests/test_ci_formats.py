"""JUnit and Gradescope reports an instructor's CI can rely on: stable tests, spec types, skips."""
import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from grader.cli import main

from classroom import make_pack, make_student

FORBIDDEN = "import torch.nn.functional as F\n\ndef {name}(input, target, **kwargs):\n    return F.{name}(input, target)\n"


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    return make_pack(tmp_path_factory.mktemp("formats"), visibility={"l1_loss": "after_published"}, quiz=True)


def _report(pack, student, fmt):
    result = CliRunner().invoke(main, ["day3", "--course", str(pack), "--submission", str(student), "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.output


def test_junit_lists_the_same_testcases_whatever_the_submission(pack, tmp_path):
    good = make_student(tmp_path, "good", quiz=True)
    bad = make_student(tmp_path, "bad", {"mse_loss": "", "l1_loss": FORBIDDEN})
    shapes = []
    for student in (good, bad):
        root = ET.fromstring(_report(pack, student, "junit"))
        for suite in root.iter("testsuite"):
            assert suite[0].tag == "properties"  # properties before the testcases
        cases = list(root.iter("testcase"))
        assert cases and all(float(c.get("time")) >= 0 for c in cases)
        shapes.append([(c.get("classname"), c.get("name")) for c in cases])
    assert shapes[0] == shapes[1]
    root = ET.fromstring(_report(pack, bad, "junit"))
    errors = root.findall("testsuite[@name='day3.mse_loss']/testcase/error")
    assert errors and {e.get("type") for e in errors} == {"missing"}
    assert {e.get("type") for e in root.findall("testsuite[@name='day3.l1_loss']/testcase/error")} == {"forbidden"}
    quiz_cases = root.findall("testsuite[@name='day3.quiz']/testcase")
    assert len(quiz_cases) > 1 and all(c.find("failure") is not None for c in quiz_cases)


def test_junit_writes_skipped_cases(tmp_path):
    from grader.reports import FORMATS
    from grader.results import DayResult, ExerciseResult

    result = DayResult("day3", "Day 3", "s", "cpu", [ExerciseResult(
        "mse_loss", "passed", 1.0, 1.0, skipped=["weighted (secret=1): this torch's mse_loss has no parameter weight"])])
    root = ET.fromstring(FORMATS["junit"](result))
    skipped = root.find(".//testcase/skipped")
    assert skipped is not None and skipped.get("message") == "this torch's mse_loss has no parameter weight"
    assert root.get("skipped") == "1" and "secret" not in FORMATS["junit"](result)


def test_gradescope_types_visibility_and_quiz_questions(pack, tmp_path):
    report = json.loads(_report(pack, make_student(tmp_path, "ada", quiz=True), "gradescope"))
    assert isinstance(report["execution_time"], int)
    tests = {t["name"]: t for t in report["tests"]}
    assert tests["l1_loss"]["visibility"] == "after_published"
    questions = [t for name, t in tests.items() if name.startswith("day3 quiz: ")]
    assert len(questions) > 1 and all(t["status"] == "passed" and t["score"] == t["max_score"] for t in questions)
    unanswered = json.loads(_report(pack, make_student(tmp_path, "bo"), "gradescope"))
    assert [t["name"] for t in unanswered["tests"]] == [t["name"] for t in report["tests"]]
    assert sum(t["max_score"] for t in unanswered["tests"]) == sum(t["max_score"] for t in report["tests"])
