"""A hostile submission folder: links, FIFOs, folders and huge files are refused per exercise.

The grader may run as root over a whole class, so nothing in a submission is followed through a
link or read without a bound (grader/submission/files.py). Each refusal is that exercise's
``error`` with a message naming the file; the other exercises are graded as usual.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

import pytest

from grader.errors import UsageError
from grader.submission import files

pytestmark = pytest.mark.attack

SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions"
SECRET = "TOP-SECRET-COURSE-KEY"


@pytest.fixture
def submission(tmp_path):
    """A submission whose l1_loss is the correct solution (so one refusal must not spread)."""
    root = tmp_path / "submission"
    (root / "day3").mkdir(parents=True)
    shutil.copy(SOLUTIONS / "day3" / "l1_loss.py", root / "day3" / "l1_loss.py")
    return root


@pytest.fixture
def no_hang():
    """Fail, rather than hang the suite, if a read blocks (a FIFO with no writer would)."""
    previous = signal.signal(signal.SIGALRM, lambda *_: pytest.fail("reading the submission blocked"))
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def grade(grader, root):
    result = grader.grade(root, ["mse_loss", "l1_loss"])
    by_name = {e.name: e for e in result.exercises}
    assert by_name["l1_loss"].status == "passed", by_name["l1_loss"].feedback
    return by_name["mse_loss"], json.dumps(result.to_dict())


def assert_refused(exercise, message: str):
    assert exercise.status == "error"
    assert exercise.score == 0.0
    assert message in exercise.feedback


def test_symlink_to_a_private_file_is_refused_and_never_read(grader, submission, tmp_path):
    secret = tmp_path / "private.py"
    secret.write_text(f"# {SECRET}\ndef mse_loss(input, target, **kw):\n    return (input - target).pow(2).mean()\n")
    secret.chmod(0o600)
    (submission / "day3" / "mse_loss.py").symlink_to(secret)
    exercise, report = grade(grader, submission)
    assert_refused(exercise, "mse_loss.py is a symbolic link: submit a regular file")
    assert SECRET not in report


def test_symlink_to_proc_self_mem_is_refused(grader, submission, no_hang):
    (submission / "day3" / "mse_loss.py").symlink_to("/proc/self/mem")
    assert_refused(grade(grader, submission)[0], "is a symbolic link")


def test_huge_sparse_file_is_refused_before_a_byte_is_read(grader, submission, monkeypatch):
    huge = submission / "day3" / "mse_loss.py"
    with huge.open("wb") as handle:
        handle.truncate(2 << 30)  # 2 GiB, sparse: costs no disk
    reads = []
    real_read = os.read

    def counting_read(fd, n):
        data = real_read(fd, n)
        if os.readlink(f"/proc/self/fd/{fd}") == str(huge):
            reads.append(len(data))
        return data

    monkeypatch.setattr(files.os, "read", counting_read)
    assert_refused(grade(grader, submission)[0], "mse_loss.py is larger than")
    assert reads == [], "the 2 GiB file was read"


def test_symlink_to_a_huge_file_is_refused(grader, submission, tmp_path):
    huge = tmp_path / "huge"
    with huge.open("wb") as handle:
        handle.truncate(2 << 30)
    (submission / "day3" / "mse_loss.py").symlink_to(huge)
    assert_refused(grade(grader, submission)[0], "is a symbolic link")


def test_fifo_does_not_hang(grader, submission, no_hang):
    os.mkfifo(submission / "day3" / "mse_loss.py")
    assert_refused(grade(grader, submission)[0], "mse_loss.py is a named pipe (FIFO): submit a regular file")


def test_folder_named_like_the_exercise(grader, submission):
    (submission / "day3" / "mse_loss.py").mkdir()
    assert_refused(grade(grader, submission)[0], "mse_loss.py is a folder: submit a regular file")


def test_linked_day_folder_is_refused_for_the_whole_submission(grader, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(SOLUTIONS / "day3", elsewhere)
    root = tmp_path / "linked"
    root.mkdir()
    (root / "day3").symlink_to(elsewhere)
    with pytest.raises(UsageError, match="day3 is a symbolic link"):
        grader.grade(root, ["mse_loss"])


def test_quiz_answers_through_a_link_are_an_error_not_a_crash(grader, submission, no_hang):
    (submission / "day3" / "quiz_answers.yaml").symlink_to("/proc/self/mem")
    result = grader.grade(submission)
    assert result.quiz["status"] == "error"
    assert "symbolic link" in result.quiz["message"]
    assert result.quiz["score"] == 0


def test_a_file_larger_than_its_size_says_is_cut_at_the_bound(tmp_path):
    # /proc files report size 0: the read itself must stop at the limit.
    with pytest.raises(files.Refused, match="larger than 16 bytes"):
        files.read_bytes("/proc/self/status", 16)
    assert files.read_bytes("/proc/self/status", 1 << 20).startswith(b"Name:")
