"""The command line as a learner or CI uses it: reports, exit codes, one-line errors."""
import glob
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

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
    (["day3", "--submission", "does/not/exist.ipynb"], "submission not found: does/not/exist.ipynb (--submission takes"),
    (["day3", "--course", "no/such/course"], "course pack not found"),
    *((["day3", "--timeout", bad], "'--timeout'") for bad in ("-1", "0", "nan", "inf")),
    (["day3", "--memory-mb", "0"], "'--memory-mb'"),
    (["day3", "--output", "no/such/folder/report.json"], "'--output' / '-o': folder no/such/folder does not exist"),
    (["day3", "--output", str(ROOT)], "'--output'"),
    (["day3", "--report", "yaml:report.yaml"], "'--report': unknown format 'yaml' (choose from github, gradescope,"),
    (["day3", "--report", "summary.md"], "'--report': 'summary.md' is not FORMAT:PATH"),
    (["day3", "--report", "github:no/such/folder/s.md"], "'--report': folder no/such/folder does not exist"),
    (["day3", "--report", f"github:{ROOT}"], "'--report': File"),
    (["day3", "-o", "r.md", "--report", "github:./r.md"], "'--report': r.md is named twice"),
    (["day3", "--report", "json:r.json", "--report", "junit:r.json"], "'--report': r.json is named twice"),
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


def test_one_grading_run_writes_every_report(tmp_path, monkeypatch):
    """What a CI job needs from one run: the main report, each --report file, the step summary
    published once, and --fail-under's verdict as before."""
    from grader.engine import Grader

    runs = []
    grade = Grader.grade
    monkeypatch.setattr(Grader, "grade", lambda *args: runs.append(args) or grade(*args))
    sub = tmp_path / "sub" / "day3"
    sub.mkdir(parents=True)
    step_summary = tmp_path / "step-summary.md"
    result = CliRunner().invoke(main, [
        "day3", "mse_loss", "--submission", str(sub.parent), "--format", "json", "--fail-under", "50",
        "--report", f"gradescope:{tmp_path / 'results.json'}", "--report", f"github:{tmp_path / 'summary.md'}",
        "--report", f"junit:{tmp_path / 'junit.xml'}"], env={"GITHUB_STEP_SUMMARY": str(step_summary)})
    assert result.exit_code == 1 and "score 0.0% is below --fail-under 50%: exit 1" in result.output
    assert len(runs) == 1
    assert json.loads(result.stdout)["exercises"][0]["status"] == "missing"
    assert [t["name"] for t in json.loads((tmp_path / "results.json").read_text())["tests"]] == ["mse_loss"]
    assert "| ➖ | `mse_loss` |" in (tmp_path / "summary.md").read_text()
    assert ET.parse(tmp_path / "junit.xml").getroot().find(".//testcase/error") is not None
    assert step_summary.read_text().count("## ") == 1
    assert result.stderr.count("wrote ") == 3


def test_a_report_folder_that_cannot_be_written_is_refused_before_grading(tmp_path, monkeypatch):
    from grader.engine import Grader

    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    access = os.access  # root may write anywhere, so the folder's answer is simulated
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: path != locked and access(path, mode, **kw))
    monkeypatch.setattr(Grader, "grade", lambda *args: pytest.fail("graded before checking --report"))
    result = CliRunner().invoke(main, ["day3", "--report", f"github:{locked / 's.md'}"])
    assert result.exit_code == 2 and f"'--report': folder {locked} is not writable" in result.output


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


def test_ctrl_c_stops_a_job_that_never_returns_at_once_and_leaves_no_process(tmp_path):
    """As a terminal sends it, to the whole foreground group: the worker lives in a session of its
    own, so the grader must end it rather than wait out the job's 60 s timeout."""
    from classroom import HANG, make_student

    student = make_student(tmp_path, "ada", {"mse_loss": HANG})
    proc = subprocess.Popen([sys.executable, "-m", "grader", "day3", "mse_loss", "--submission", str(student),
                             "--timeout", "60"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    job = _job_of(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err, err
    deadline = time.monotonic() + 10  # the job dies with its zygote
    while _running(job) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(job)


def _running(pid: int) -> bool:
    """Not ended: a zombie has ended (orphaned, it waits for init, which may reap it seconds later)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _job_of(grader: int) -> int:
    """The pid of the job ``grader``'s zygote forked, once it runs."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for zygote in _children(grader):
            for job in _children(zygote):
                return job
        time.sleep(0.05)
    raise AssertionError("the job never started")


def _children(pid: int) -> list:
    """Of every thread of ``pid``: a worker thread starts the zygote."""
    found = []
    for task in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            with open(task) as fh:
                found += [int(child) for child in fh.read().split()]
        except FileNotFoundError:  # a thread that just ended
            pass
    return found


def test_an_exercise_named_twice_is_graded_once():
    result = CliRunner().invoke(main, ["day3", "mse_loss", "l1_loss", "mse_loss", "--submission", str(SOLUTIONS),
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [e["name"] for e in report["exercises"]] == ["mse_loss", "l1_loss"]
    assert report["max_score"] == sum(e["max_score"] for e in report["exercises"])
