"""What an instructor reads: misnamed files, memory hogs, progress in logs, Slurm shards, Ctrl-C."""
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from grader.classroom import progress, roster
from grader.cli import main
from grader.errors import UsageError

from classroom import HANG, make_pack, make_student

# The first cases spin a little (so the worker sends their answers on) and fail their allocation
# at the memory cap; then a case never returns: the job ends at its timeout.
HOG_THEN_HANG = ("CALLS = []\n\ndef mse_loss(input, target, **kwargs):\n    CALLS.append(1)\n"
                 "    if len(CALLS) < 3:\n        for _ in range(3_000_000):\n            pass\n"
                 "        HOARD = bytearray(64 << 30)\n    while True:\n        pass\n")


def test_memory_cap_is_named_as_memory(grade_source):
    result = grade_source("mse_loss", HOG_THEN_HANG)
    assert result.status == "timeout" and "memory" in result.feedback and "infinite loop" not in result.feedback


def test_misnamed_files_and_folders_are_named(grader, tmp_path):
    folder = tmp_path / "sub" / "day3"
    folder.mkdir(parents=True)
    (folder / "mse_loss (1).py").write_text("")
    (folder / "L1_loss.py").write_text("")
    (folder / "nll_loss.py").write_text("")
    (folder / "kl_div.py.txt").write_text("")
    result = {e.name: e for e in grader.grade(tmp_path / "sub", ["mse_loss", "l1_loss", "smooth_l1_loss", "kl_div"]).exercises}
    assert "found 'kl_div.py.txt': rename it to kl_div.py" in result["kl_div"].feedback
    assert "found 'mse_loss (1).py': rename it to mse_loss.py" in result["mse_loss"].feedback
    assert "found 'L1_loss.py': rename it to l1_loss.py" in result["l1_loss"].feedback
    assert "found '" not in result["smooth_l1_loss"].feedback  # nll_loss.py is another exercise, not a typo
    (tmp_path / "other" / "Day3").mkdir(parents=True)
    with pytest.raises(UsageError, match=r"found 'Day3/': rename it to day3/"):
        grader.grade(tmp_path / "other")


def test_progress_lines_for_logs():
    now = [0.0]
    written = []
    tick = progress.lines(20, written.append, clock=lambda: now[0])
    for _ in range(20):
        now[0] += 3.0
        tick()
    assert len(written) == 10 and written[0].startswith("graded 2/20 (10%), 20.0 students/min")
    assert "ETA 0:00:54" in written[0] and written[-1].endswith("ETA 0:00:00")
    every = []
    tick = progress.lines(7, every.append, every=3)
    for _ in range(7):
        tick()
    assert [line.split(" (")[0] for line in every] == ["graded 3/7", "graded 6/7", "graded 7/7"]


@pytest.mark.parametrize("first", [0, 1])
def test_slurm_shard_counts_from_the_first_array_id(first):
    shards = [roster.parse_shard("slurm", {"SLURM_ARRAY_TASK_ID": str(first + i), "SLURM_ARRAY_TASK_COUNT": "4",
                                           "SLURM_ARRAY_TASK_MIN": str(first)}) for i in range(4)]
    assert shards == [(1, 4), (2, 4), (3, 4), (4, 4)]
    with pytest.raises(UsageError, match="SLURM_ARRAY_TASK_ID"):
        roster.parse_shard("slurm", {})


@pytest.mark.parametrize("jobs", [1, 3])  # 3: workers forked from one zygote, closed while their jobs run
def test_ctrl_c_exits_130_and_writes_no_half_graded_student(tmp_path, jobs):
    pack = make_pack(tmp_path)
    for name in "abc"[:jobs]:
        make_student(tmp_path / "subs", name, {"mse_loss": HANG})
    proc = subprocess.Popen([sys.executable, "-m", "grader", "batch", "day3", str(tmp_path / "subs"), "--course",
                             str(pack), "--timeout", "60", "--jobs", str(jobs), "--out", str(tmp_path / "out")],
                            stderr=subprocess.PIPE, text=True)
    assert "to grade" in proc.stderr.readline()
    time.sleep(2)  # let the hanging job start; whenever the signal lands, the exit code must be 130
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=50)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err
    assert not list((tmp_path / "out" / "students").glob("*.json"))


def test_a_folder_that_is_no_class_is_refused_before_grading(tmp_path):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "notes.txt").write_text("")
    (tmp_path / "alice" / "day3").mkdir(parents=True)
    for folder, said in (("files", "no students in"), ("alice", "looks like one student's folder")):
        result = CliRunner().invoke(main, ["batch", "day3", str(tmp_path / folder), "--out", str(tmp_path / "out")])
        assert result.exit_code == 2 and said in result.output, result.output
        assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["eve\x1b[31m", "mallory\u202egpj", "tab\there"])
def test_a_student_name_that_could_drive_a_terminal_is_refused_before_grading(tmp_path, name):
    (tmp_path / "class" / "alice" / "day3").mkdir(parents=True)
    (tmp_path / "class" / name / "day3").mkdir(parents=True)
    result = CliRunner().invoke(main, ["batch", "day3", str(tmp_path / "class"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and ascii(name) in result.output, result.output
    assert name not in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
