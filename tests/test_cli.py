"""The command line as a learner or CI uses it: reports, exit codes, one-line errors."""
import json
import subprocess
import sys

import pytest
import torch
from click.testing import CliRunner

from grader.cli import main

from paths import ROOT, SOLUTIONS


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_json_report_is_the_only_thing_on_stdout():
    proc = run("day3", "mse_loss", "--submission", str(SOLUTIONS), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["day"] == "day3"
    (ex,) = report["exercises"]
    assert ex["name"] == "mse_loss" and ex["status"] == "passed" and ex["score"] == ex["max_score"]
    assert {"name", "score", "max_score", "status", "cases", "feedback"} <= set(ex)


@pytest.mark.parametrize("args, message", [
    (["day99"], "unknown day 'day99'"),
    (["day3", "no_such_loss"], "unknown exercise 'no_such_loss'"),
    (["day3", "--submission", "does/not/exist"], "submission folder not found"),
    (["day3", "--course", "no/such/course"], "course pack not found"),
    *((["day3", "--timeout", bad], "'--timeout'") for bad in ("-1", "0", "nan", "inf")),
    (["day3", "--memory-mb", "0"], "'--memory-mb'"),
    (["day3", "--output", "no/such/folder/report.json"], "'--output' / '-o': folder no/such/folder does not exist"),
    (["day3", "--output", str(ROOT)], "'--output'"),
    (["batch", "day3", str(ROOT), "--student-timeout", "nan"], "'--student-timeout'"),
    (["batch", "day3", str(ROOT), "--out", str(ROOT / "README.md")], "'--out'"),
    (["merge", str(ROOT), "--out", str(ROOT / "README.md")], "'--out'"),
    (["export", "canvas", str(ROOT), "-o", "no/such/folder/grades.csv"], "folder no/such/folder does not exist"),
    (["init-gradescope", "day3", "-o", "no/such/folder/a.zip"], "folder no/such/folder does not exist"),
    (["init-gradescope", "day3", "--timeout", "inf"], "'--timeout'"),
])
def test_bad_input_is_one_line_and_exit_2(args, message):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-GPU message; this machine has a GPU")
def test_device_cuda_without_gpu_says_so():
    result = CliRunner().invoke(main, ["day3", "mse_loss", "--device", "cuda", "--submission", str(SOLUTIONS)])
    assert result.exit_code == 2
    assert "no CUDA GPU" in result.output


def test_output_file_and_fail_under(tmp_path):
    sub = tmp_path / "sub" / "day3"
    sub.mkdir(parents=True)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["day3", "mse_loss", "--submission", str(sub.parent), "--format", "json",
                                       "--output", str(out), "--fail-under", "50"])
    assert result.exit_code == 1  # nothing submitted: 0% is under 50%
    report = json.loads(out.read_text())
    assert report["exercises"][0]["status"] == "missing"
    assert result.stdout == ""  # stderr says where the report went


def test_syntax_error_and_non_tensor_are_reported_per_exercise(grade_source):
    broken = grade_source("mse_loss", "def mse_loss(input, target:\n    return 1\n")
    assert broken.status == "error" and "line 1" in broken.feedback and broken.score == 0
    wrong_type = grade_source("mse_loss", "def mse_loss(input, target, reduction='mean', weight=None):\n    return 1.0\n")
    assert wrong_type.status == "failed" and "returned float" in wrong_type.feedback


def test_missing_function_is_missing_not_a_crash(grade_source):
    result = grade_source("mse_loss", "def something_else():\n    pass\n")
    assert result.status == "missing" and "does not define a function named mse_loss" in result.feedback
    assert result.score == 0


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (none on this machine)")
def test_solutions_pass_on_cuda(day3):
    from grader.engine import Grader

    with Grader(day3, "cuda") as grader:
        result = grader.grade(SOLUTIONS)
    assert [e.name for e in result.exercises if e.status != "passed"] == []


def test_a_reader_that_stops_early_is_not_an_error():
    """`grade list day3 | head -1`: the reader closes the pipe before grade has written."""
    proc = subprocess.Popen([sys.executable, "-m", "grader", "day3", "mse_loss", "--submission", str(SOLUTIONS)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert b"error" not in err


def test_the_worker_starts_from_day_yaml_alone_and_only_for_a_readable_day(tmp_path, day3):
    """`grade DAY` starts its worker before the day's exercises load (the worker's torch import
    is the longest step); an unreadable or missing day starts none, and its load explains why."""
    from grader import workers

    (tmp_path / "day3").mkdir()
    (tmp_path / "day3" / "day.yaml").write_text("forbidden: [unclosed\n")
    assert workers.start_early(str(tmp_path), "day3") is None
    assert workers.start_early(None, "day9") is None
    pool = workers.start_early(None, "day3")
    try:
        assert workers.armed_for(pool, day3)
    finally:
        pool.close()


@pytest.mark.parametrize("raised, code, said", [
    (KeyboardInterrupt, 130, "interrupted"),  # where Ctrl-C lands while the judge waits for a job's answers
    (ValueError, 1, "internal error: RuntimeError: mse_loss: judging"),
])
def test_judging_stopped_by_ctrl_c_or_a_grader_fault_exits_as_such(monkeypatch, raised, code, said):
    from grader.engine import Grader

    def judge(*_args):
        raise raised

    monkeypatch.setattr(Grader, "_judge_case", judge)
    result = CliRunner().invoke(main, ["day3", "mse_loss", "--submission", str(SOLUTIONS)])
    assert result.exit_code == code and said in result.output, result.output
