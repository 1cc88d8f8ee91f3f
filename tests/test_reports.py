"""The CI report formats: JUnit XML, Gradescope results.json, GitHub step summary, --fail-under."""
import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.reports import FORMATS
from grader.results import CaseResult, DayResult, ExerciseResult

from classroom import WRONG, make_pack, make_student


def _case(i, public, passed, kind="weighted"):
    return CaseResult(f"mse_loss:c{i}", f"{kind} (reduction='sum', float32, secret={i})", kind, public, passed,
                      1 / 3 if passed else 0.0, 1 / 3, message="" if passed else "values differ at [0]: yours 1.5",
                      problem="" if passed else "values", call="mse_loss(input, target)")


@pytest.fixture
def result():
    cases = [_case(0, True, True), _case(1, False, False, kind="weight with zeros"), _case(2, False, True)]
    return DayResult("day3", "Day 3", "sub", "cpu", [
        ExerciseResult("mse_loss", "failed", 2 / 3, 1.0, feedback="hidden case 'weight with zeros': values differ",
                       cases=cases, visibility="after_due_date", output="debug \x00 print"),
        ExerciseResult("l1_loss", "missing", 0.0, 1.0, feedback="l1_loss.py not found", visibility="hidden"),
    ], quiz={"score": 1.5, "max_score": 2.0, "status": "failed", "message": "", "questions": [
        {"id": "logits", "status": "correct", "score": 1.5, "max_score": 1.5, "message": ""},
        {"id": "kl", "status": "unanswered", "score": 0.0, "max_score": 0.5, "message": ""}]})


def test_junit_has_one_testcase_per_case_and_hides_hidden_parameters(result):
    root = ET.fromstring(FORMATS["junit"](result))
    cases = root.findall(".//testcase")
    assert len(cases) == 3 + 1 + 2  # mse cases, the missing exercise (no cases known), the quiz's questions
    names = [c.get("name") for c in cases]
    assert names[0].startswith("weighted (reduction='sum'")
    assert names[1] == "hidden case 1: weight with zeros" and names[2] == "hidden case 2: weighted"
    assert "secret" not in "".join(names[1:])
    failure = cases[1].find("failure")
    assert failure.get("message") == "values differ at [0]: yours 1.5" and failure.text is None
    assert cases[3].find("error").get("type") == "missing"
    assert root.get("tests") == "6" and root.get("failures") == "2" and root.get("errors") == "1"
    assert "\x00" not in root.find(".//system-out").text


def test_gradescope_keeps_fractions_and_visibility(result):
    report = json.loads(FORMATS["gradescope"](result))
    assert report["score"] == pytest.approx(2 / 3 + 1.5, abs=1e-4)  # not rounded to a whole point
    mse, l1, logits, kl = report["tests"]
    assert mse["score"] == pytest.approx(0.6667) and mse["max_score"] == 1.0
    assert (mse["visibility"], l1["visibility"]) == ("after_due_date", "hidden")
    assert "2/3 cases passed" in mse["output"] and "weight with zeros" in mse["output"]
    assert (logits["name"], logits["score"], logits["status"]) == ("day3 quiz: logits", 1.5, "passed")
    assert (kl["score"], kl["max_score"], kl["status"]) == (0.0, 0.5, "failed")


def test_gradescope_overall_output_counts_only_the_tests_shown_now(result):
    report = json.loads(FORMATS["gradescope"](result))
    # mse_loss (after_due_date) and l1_loss (hidden) are held back: a total there would give them away
    assert f"{result.score:g}" not in report["output"] and "1.5 / 2" in report["output"]
    assert report["output_format"] == report["test_output_format"] == "text"  # tensors keep their columns
    shown = DayResult("day3", "Day 3", "sub", "cpu", result.exercises[:1], quiz=result.quiz)
    shown.exercises[0].visibility = "visible"
    assert f"{shown.score:g} / {shown.max_score:g}" in json.loads(FORMATS["gradescope"](shown))["output"]


def test_github_summary_appends_to_step_summary(result, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    markdown = FORMATS["github"](result)
    assert "| ❌ | `mse_loss` | 0.67 / 1 | failed | 2/3 |" in markdown
    assert "l1_loss.py not found" in markdown
    assert summary.read_text() == "earlier step\n" + markdown + "\n"


def test_github_summary_still_printed_when_the_step_summary_cannot_be_written(result, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "no such folder" / "summary.md"))
    markdown = FORMATS["github"](result)
    assert "| ❌ | `mse_loss` |" in markdown
    assert "cannot append to GITHUB_STEP_SUMMARY" in capsys.readouterr().err


def test_github_summary_without_the_variable_writes_no_file(result, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    FORMATS["github"](result)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def pack_and_student(tmp_path_factory):
    root = tmp_path_factory.mktemp("reports")
    pack = make_pack(root, visibility={"l1_loss": "hidden"})
    student = make_student(root / "subs", "ada", {"l1_loss": WRONG})
    return pack, student


@pytest.mark.parametrize("fail_under, code", [(40, 0), (60, 1)])
def test_fail_under_against_a_half_score(pack_and_student, fail_under, code):
    pack, student = pack_and_student
    result = CliRunner().invoke(main, ["day3", "--course", str(pack), "--submission", str(student),
                                       "--format", "gradescope", "--fail-under", str(fail_under)])
    assert result.exit_code == code, result.output
    assert ("below --fail-under" in result.stderr) == bool(code)  # the CI log says why the step failed
    report = json.loads(result.stdout)
    assert report["score"] == 1.0  # mse_loss right, l1_loss wrong: 50%
    assert [t["visibility"] for t in report["tests"]] == ["visible", "hidden"]


def test_junit_from_the_cli_is_valid_xml(pack_and_student):
    pack, student = pack_and_student
    result = CliRunner().invoke(main, ["day3", "--course", str(pack), "--submission", str(student), "--format", "junit"])
    assert result.exit_code == 0, result.output
    root = ET.fromstring(result.output)
    l1 = root.find("testsuite[@name='day3.l1_loss']")
    assert l1.get("failures") == l1.get("tests") != "0"
    assert all(c.find("failure").get("message") for c in l1.findall("testcase"))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_report_renders_every_status(fmt):
    from grader.results import STATUSES

    exercises = [ExerciseResult(f"ex_{status}", status, 0.0, 1.0, feedback="the reason") for status in STATUSES]
    rendered = FORMATS[fmt](DayResult("day3", "Day 3", "sub", "cpu", exercises), colour=True)
    for status in STATUSES:
        assert f"ex_{status}" in rendered
        assert status in rendered.split(f"ex_{status}", 1)[1].split("ex_", 1)[0]  # its own entry says it


def test_json_cases_round_score_and_max_score_alike(result):
    """A consumer that checks score == max_score for a passed case, or sums the cases, reads the same figures."""
    (mse, _) = json.loads(FORMATS["json"](result))["exercises"]
    passed = [c for c in mse["cases"] if c["passed"]]
    assert passed and all(c["score"] == c["max_score"] for c in passed), passed


@pytest.mark.parametrize("submission, graded", [("work/exercises", "work/exercises/day3"), ("work/day3.ipynb", "work/day3.ipynb")])
def test_text_report_names_the_folder_or_the_notebook_it_graded(submission, graded):
    text = FORMATS["text"](DayResult("day3", "Day 3", submission, "cpu", []))
    assert text.splitlines()[0] == f"Day 3: grading {graded} on cpu"
