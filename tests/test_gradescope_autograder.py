"""`grade init-gradescope`: the zip, and its run_autograder against a fake /autograder layout."""
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from click.testing import CliRunner

from grader.cli import main

from classroom import WRONG, make_pack, make_student
from notebooks import solution, write


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    root = tmp_path_factory.mktemp("gradescope")
    pack = make_pack(root, quiz=True)
    zipped = root / "autograder.zip"
    result = CliRunner().invoke(main, ["init-gradescope", "day3", "--course", str(pack), "--grader",
                                       "torch-loss-grader==0.1.0", "--timeout", "5", "-o", str(zipped)])
    assert result.exit_code == 0, result.output
    return root, zipped


def _run(root, zipped, place):
    """Unpack as Gradescope does, let ``place(submission)`` lay out the upload, run, read results.json."""
    fake = root / "autograder"
    shutil.rmtree(fake, ignore_errors=True)
    with zipfile.ZipFile(zipped) as archive:
        archive.extractall(fake / "source")
        for info in archive.infolist():  # modes kept, as unzip keeps them (extractall does not)
            if info.external_attr >> 16 & 0o777:
                os.chmod(fake / "source" / info.filename, info.external_attr >> 16 & 0o777)
    (fake / "submission").mkdir()
    place(fake / "submission")
    proc = subprocess.run([sys.executable, str(fake / "source" / "run_autograder")], capture_output=True, text=True,
                          env={**os.environ, "AUTOGRADER_ROOT": str(fake)}, timeout=180)
    assert proc.returncode == 0, proc.stderr
    return json.loads((fake / "results" / "results.json").read_text())


def test_zip_holds_setup_runner_and_only_the_day(autograder):
    _root, zipped = autograder
    with zipfile.ZipFile(zipped) as archive:
        names = set(archive.namelist())
        setup = archive.read("setup.sh").decode()
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
    assert {"setup.sh", "run_autograder", "autograder.json", "course/day3/day.yaml", "course/day3/quiz.yaml"} <= names
    assert all(n.startswith("course/day3/") for n in names - {"setup.sh", "run_autograder", "autograder.json"})
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert "torch-loss-grader==0.1.0" in setup and "chmod -R go-rwx /autograder/source/course" in setup


@pytest.mark.parametrize("layout", ["flat", "day_folder", "nested_repo"])
def test_files_are_found_wherever_the_student_put_them(autograder, layout, tmp_path):
    root, zipped = autograder
    student = make_student(tmp_path, "s", {"l1_loss": WRONG}, quiz=True) / "day3"

    def place(upload):
        target = {"flat": upload, "day_folder": upload / "day3", "nested_repo": upload / "my-repo" / "Day3"}[layout]
        shutil.copytree(student, target, dirs_exist_ok=True)
        (upload / "__MACOSX").mkdir()
        (upload / "__MACOSX" / "mse_loss.py").write_text("garbage")

    report = _run(root, zipped, place)
    scores = {t["name"]: t["score"] for t in report["tests"]}
    assert scores["mse_loss"] == 1.0 and scores["l1_loss"] == 0.0
    assert isinstance(report["execution_time"], int) and report["score"] > 1.0  # the quiz counts


def test_an_upload_of_a_notebook_alone_is_graded_from_it(autograder):
    root, zipped = autograder

    def place(upload):
        write(upload / "my-work" / "day3.ipynb", "import torch", solution("mse_loss"), WRONG.format(name="l1_loss"))
        write(upload / "scratch.ipynb", solution("l1_loss"))  # another notebook: the day's is graded
        (upload / "my-work" / ".ipynb_checkpoints").mkdir()
        (upload / "my-work" / ".ipynb_checkpoints" / "day3-checkpoint.ipynb").write_text("{}")

    report = _run(root, zipped, place)
    scores = {t["name"]: t["score"] for t in report["tests"]}
    assert scores["mse_loss"] == 1.0 and scores["l1_loss"] == 0.0, report


def test_results_json_is_written_when_grading_cannot_run(autograder):
    root, zipped = autograder
    empty = _run(root, zipped, lambda upload: (upload / "notes.txt").write_text("hi"))
    assert empty["score"] == 0 and "No Python files or notebook" in empty["output"]

    def break_pack(upload):
        (upload / "mse_loss.py").write_text("def mse_loss(a, b):\n    return a\n")
        shutil.rmtree(upload.parent / "source" / "course")

    broken = _run(root, zipped, break_pack)
    assert broken["score"] == 0 and "could not grade" in broken["output"] and broken["tests"] == []


def test_a_pack_with_a_secret_keeps_it_root_only_in_the_zip_and_grades_its_keyed_quiz(tmp_path):
    """Without the secret in the zip every upload to a keyed-quiz pack came back "could not grade"."""
    from grader.course import quizbuild
    from paths import SOLUTIONS

    pack = make_pack(tmp_path / "p")
    (pack / "secret").write_text("the course secret\n")
    (pack / "secret").chmod(0o600)
    title, questions = quizbuild.load_key(SOLUTIONS / "day3" / "quiz_key.yaml")
    (pack / "day3" / "quiz.yaml").write_text(quizbuild.render_quiz(title, questions, "salt", b"the course secret"))
    zipped = tmp_path / "autograder.zip"
    result = CliRunner().invoke(main, ["init-gradescope", "day3", "--course", str(pack), "--grader",
                                       "torch-loss-grader==0.1.0", "-o", str(zipped)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(zipped) as archive:
        assert archive.read("course/secret").strip() == b"the course secret"
        assert archive.getinfo("course/secret").external_attr >> 16 == 0o600
    report = _run(tmp_path, zipped, lambda upload: shutil.copytree(
        make_student(tmp_path / "subs", "s", quiz=True) / "day3", upload, dirs_exist_ok=True))
    assert "could not grade" not in report.get("output", ""), report
    quiz = [t for t in report["tests"] if " quiz: " in t["name"]]
    assert len(quiz) == len(questions) and all(t["score"] == t["max_score"] for t in quiz), quiz


@pytest.mark.attack
def test_a_link_in_the_upload_is_never_followed(tmp_path):
    """run_autograder reads the upload as root: a link named like an exercise, to the course's
    secret or to /etc/shadow, was copied into the submission the grader reads."""
    from grader.classroom import gradescope_run

    secret = tmp_path / "secret"
    secret.write_text("SECRET = 1\n")
    upload = tmp_path / "upload"
    (upload / "day3").mkdir(parents=True)
    (upload / "day3" / "mse_loss.py").symlink_to(secret)
    (upload / "day3" / "l1_loss.py").write_text("def l1_loss(a, b):\n    return a\n")
    (upload / "day3.ipynb").symlink_to(secret)
    copied = gradescope_run.gather(upload, "day3", tmp_path / "staged")
    assert copied == ["day3/l1_loss.py"]
    assert sorted(p.name for p in (tmp_path / "staged" / "day3").iterdir()) == ["l1_loss.py"]
    assert gradescope_run.find_notebook(upload, "day3") is None
