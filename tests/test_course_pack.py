"""Course packs are data plus pytest hooks: what an instructor's pack can rely on."""
import json
import shutil

import pytest
import yaml
from click.testing import CliRunner

from grader.cli import main
from grader.course.manifest import Course
from grader.engine import Grader
from grader.errors import CourseError

from classroom import make_pack
from paths import EXERCISES, SOLUTIONS

RECORDER = '''
import json, os

def pytest_runtest_logreport(report):
    with open(os.environ["CASE_LOG"], "a") as log:
        log.write(json.dumps({"nodeid": report.nodeid, "outcome": report.outcome, "location": report.location}) + "\\n")
'''


def test_a_packs_conftest_hooks_see_every_case(tmp_path, monkeypatch):
    pack = make_pack(tmp_path)
    (pack / "day3" / "conftest.py").write_text(RECORDER)
    (pack / "day3" / "extra").mkdir()  # only the day's own exercise files are cases
    shutil.copy(pack / "day3" / "mse_loss.yaml", pack / "day3" / "extra" / "mse_loss.yaml")
    log = tmp_path / "cases.jsonl"
    monkeypatch.setenv("CASE_LOG", str(log))
    day = Course.locate(pack).load_day("day3")
    with Grader(day) as grader:
        result = grader.grade(SOLUTIONS, ["mse_loss"])
    reports = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(reports) == len(result.exercises[0].cases) > 0
    assert {r["outcome"] for r in reports} == {"passed"}
    assert all(r["nodeid"].startswith("mse_loss.yaml::") for r in reports)
    labels = [f"mse_loss: {case.name}" for case in result.exercises[0].cases]
    assert [r["location"] for r in reports] == [["mse_loss.yaml", None, label] for label in labels]


LOGGER = '''
import json, os
import pytest

def _log(**entry):
    with open(os.environ["CASE_LOG"], "a") as log:
        log.write(json.dumps(entry) + "\\n")

def pytest_runtest_logstart(nodeid, location):
    _log(hook="start", nodeid=nodeid)

def pytest_runtest_logreport(report):
    _log(hook="report", nodeid=report.nodeid, outcome=report.outcome, when=report.when, longrepr=str(report.longrepr))

def pytest_runtest_logfinish(nodeid, location):
    _log(hook="finish", nodeid=nodeid)
'''
PROTOCOL = '''
@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _log(hook="protocol", nodeid=item.nodeid)
    return (yield)
'''


@pytest.mark.parametrize("own_protocol", [False, True], ids=["log hooks", "log hooks and a protocol wrapper"])
def test_a_packs_log_hooks_see_each_case_start_report_and_finish(tmp_path, monkeypatch, grader, own_protocol):
    pack = make_pack(tmp_path)
    (pack / "day3" / "conftest.py").write_text(LOGGER + (PROTOCOL if own_protocol else ""))
    log = tmp_path / "cases.jsonl"
    monkeypatch.setenv("CASE_LOG", str(log))
    day = Course.locate(pack).load_day("day3")
    result = Grader(day, "cpu", grader.limits, pool=grader._pool).grade(EXERCISES, ["mse_loss"])
    cases = result.exercises[0].cases
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    hooks = ["protocol", "start", "report", "finish"] if own_protocol else ["start", "report", "finish"]
    assert [e["hook"] for e in entries] == hooks * len(cases) and len(cases) > 0
    reports = [e for e in entries if e["hook"] == "report"]
    assert [r["nodeid"] for r in reports] == [f"mse_loss.yaml::{case.id.split(':', 1)[1]}" for case in cases]
    # The untouched stub fails every case: each report is a failed call phase carrying the case's message.
    assert [(r["outcome"], r["when"], r["longrepr"]) for r in reports] == [("failed", "call", case.message) for case in cases]


def test_cases_are_judged_in_the_order_the_exercises_run_not_by_file_name(tmp_path, monkeypatch):
    pack = make_pack(tmp_path)
    (pack / "day3" / "conftest.py").write_text(RECORDER)
    log = tmp_path / "cases.jsonl"
    monkeypatch.setenv("CASE_LOG", str(log))
    day = Course.locate(pack).load_day("day3")
    with Grader(day) as grader:
        grader.grade(SOLUTIONS, ["mse_loss", "l1_loss"])
    files = [json.loads(line)["nodeid"].split("::")[0] for line in log.read_text().splitlines()]
    assert files == sorted(files, key=["mse_loss.yaml", "l1_loss.yaml"].index) and len(set(files)) == 2


def test_cases_for_a_parameter_this_torch_lacks_are_skipped_visibly(tmp_path):
    pack = make_pack(tmp_path)
    spec_path = pack / "day3" / "mse_loss.yaml"
    spec = yaml.safe_load(spec_path.read_text())
    spec["cases"].append({"kind": "a knob from the future", "args": spec["cases"][0]["args"],
                          "kwargs": {"sharpness": 2.0}})
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False))
    result = CliRunner().invoke(main, ["day3", "mse_loss", "--course", str(pack), "--submission", str(SOLUTIONS),
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    (ex,) = json.loads(result.output)["exercises"]
    assert ex["status"] == "passed" and ex["score"] == ex["max_score"]
    assert ex["skipped"] and all("has no parameter sharpness" in s for s in ex["skipped"])
    text = CliRunner().invoke(main, ["day3", "mse_loss", "--course", str(pack), "--submission", str(SOLUTIONS)])
    assert "skipped: a knob from the future" in text.output


def test_a_broken_pack_is_one_line_naming_file_and_line(tmp_path):
    pack = make_pack(tmp_path)
    (pack / "day3" / "l1_loss.yaml").write_text("name: l1_loss\npoints: -1\nreference: x\ncases: []\n")
    result = CliRunner().invoke(main, ["day3", "--course", str(pack), "--submission", str(SOLUTIONS)])
    assert result.exit_code == 2
    assert "l1_loss.yaml:2: 'points' must be a positive number" in result.output  # the key's own line
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    (pack / "day3" / "l1_loss.yaml").write_text("name: l1_loss\nreference: x\npoints: true\ncases: []\n")
    flagged = CliRunner().invoke(main, ["day3", "--course", str(pack), "--submission", str(SOLUTIONS)])
    assert "l1_loss.yaml:3: 'points' must be a positive number" in flagged.output  # a boolean is no number


def test_a_pack_of_a_later_format_stops_with_a_message(tmp_path):
    pack = tmp_path / "course"
    shutil.copytree(Course.locate(None).root / "day3", pack / "day3")
    day_yaml = pack / "day3" / "day.yaml"
    day_yaml.write_text(day_yaml.read_text().replace("format_version: 1", "format_version: 2"))
    with pytest.raises(CourseError, match="format_version 2: this grader reads format 1"):
        Course.locate(pack).load_day("day3")


def test_a_pack_file_that_is_not_yaml_or_not_utf8_is_one_line_naming_it(tmp_path):
    pack = make_pack(tmp_path)
    day_yaml = pack / "day3" / "day.yaml"
    kept = day_yaml.read_text()
    day_yaml.write_text("exercises: [mse_loss\n")
    listed = CliRunner().invoke(main, ["list", "day3", "--course", str(pack), "--submission", str(SOLUTIONS)])
    assert listed.exit_code == 2 and f"{day_yaml}:2: invalid YAML" in listed.output, listed.output
    day_yaml.write_text(kept)
    (pack / "day3" / "l1_loss.yaml").write_bytes(b"name: l1_loss\n# \xff\xfe\n")
    for args, code in ((["day3"], 2), (["check-course", "--solutions", str(tmp_path / "none")], 1)):
        result = CliRunner().invoke(main, [*args, "--course", str(pack)])
        assert result.exit_code == code and "l1_loss.yaml: not UTF-8 text" in result.output, result.output
        assert "internal error" not in result.output and "Traceback" not in result.output
