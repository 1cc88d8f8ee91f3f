"""Progress without friction: the quiz inside list, watch and Next; the project found from any
subfolder; suggestions for typos; hints that follow the learner; results of unchanged files reused."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from grader.cli import main
from grader.course import quiz
from grader.course.manifest import Course
from grader.learner import hints, progress
from grader.learner.cache import ResultCache
from grader.learner.watch import Watcher
from grader.reports import text
from grader.results import DayResult, ExerciseResult

import mutant_sources
from paths import EXERCISES, ROOT, SOLUTIONS


def _project(tmp_path, files):
    """tmp/proj/exercises/day3 holding ``files`` ({exercise: source or path})."""
    folder = tmp_path / "proj" / "exercises" / "day3"
    folder.mkdir(parents=True)
    for name, source in files.items():
        (folder / f"{name}.py").write_text(source if isinstance(source, str) else source.read_text())
    return folder.parent


def _grade(*args):
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="grade")


# --- the quiz in the loop ---------------------------------------------------------------------

def test_list_shows_the_quiz_and_next_points_to_it_once_exercises_pass(tmp_path):
    sub = _project(tmp_path, {"mse_loss": EXERCISES / "day3" / "mse_loss.py"})
    shutil.copy(EXERCISES / "day3" / "quiz_answers.yaml", sub / "day3")
    out = _grade("list", "day3", "-s", sub)
    assert out.exit_code == 0, out.output
    assert any(line.split()[:3] == ["·", "quiz", "not"] for line in out.output.splitlines())
    items = [progress.Progress("mse_loss", progress.PASSING), progress.Progress("quiz", progress.NOT_STARTED)]
    step = progress.next_step("day3", progress.next_item(items), sub)
    assert step.startswith("Next: the quiz (not started): grade quiz day3")
    shutil.copy(SOLUTIONS / "day3" / "quiz_answers.yaml", sub / "day3")
    assert any(line.split()[:3] == ["✓", "quiz", "passing"] for line in _grade("list", "day3", "-s", sub).output.splitlines())


def test_grade_day_quiz_grades_only_the_quiz():
    out = _grade("day3", "quiz", "-s", SOLUTIONS, "--format", "json")
    report = json.loads(out.stdout)
    assert out.exit_code == 0 and report["exercises"] == []
    assert report["quiz"]["status"] == "passed" and report["score"] == report["quiz"]["max_score"]


def test_the_answers_template_can_be_filled_in_by_hand(tmp_path):
    the_quiz = quiz.load(Course.locate().root / "day3" / "quiz.yaml")
    template = (EXERCISES / "day3" / "quiz_answers.yaml").read_text()
    comments = " ".join(line.lstrip("# ").strip() for line in template.splitlines() if line.startswith("#"))
    for q in the_quiz.questions:
        assert " ".join(q.prompt.split()) in " ".join(comments.split())
        for letter, choice in zip(q.letters, q.choices):
            assert f"{letter}) " + " ".join(choice.split()) in " ".join(comments.split())
    filled = tmp_path / "quiz_answers.yaml"
    filled.write_text(template.replace("\nce_raw_logits:\n", "\nce_raw_logits: b\n"))
    assert quiz.read_answers(filled)["ce_raw_logits"] == "b"
    assert subprocess.run([sys.executable, "-m", "grader", "quiz-key", "--check"], cwd=ROOT).returncode == 0


def test_watch_regrades_the_quiz_when_its_answers_are_saved(grader, tmp_path):
    sub = _project(tmp_path, {"mse_loss": SOLUTIONS / "day3" / "mse_loss.py"})
    said = []
    watcher = Watcher(grader, sub, lambda line, **style: said.append(line))
    watcher.start()
    assert not watcher.step()
    shutil.copy(SOLUTIONS / "day3" / "quiz_answers.yaml", sub / "day3")
    assert watcher.step()
    assert any("quiz_answers.yaml changed" in line for line in said)
    assert any(line.startswith("✓ quiz") for line in said)


def test_watch_opens_on_the_current_failure(grader, tmp_path):
    sub = _project(tmp_path, {"mse_loss": mutant_sources.source("mse_loss", "always_mean")})
    said = []
    Watcher(grader, sub, lambda line, **style: said.append(line)).start()
    shown = "\n".join(said)
    assert "public case '" in shown and "hint: your output matches reduction='mean'" in shown
    assert shown.index("public case") < shown.index("Next:")


# --- friction ---------------------------------------------------------------------------------

def test_the_project_is_found_from_a_subfolder_and_a_day_folder_gets_a_suggestion(tmp_path, monkeypatch):
    sub = _project(tmp_path, {"mse_loss": EXERCISES / "day3" / "mse_loss.py"})
    monkeypatch.chdir(sub / "day3")
    out = _grade("list", "day3")
    assert out.exit_code == 0 and "mse_loss" in out.output, out.output
    wrong = _grade("day3", "mse_loss", "--submission", sub / "day3")
    assert wrong.exit_code == 2 and "looks like a day folder" in wrong.output
    assert f"--submission {sub}" in wrong.output


def test_typos_get_a_suggestion_and_usage_errors_name_the_command_run():
    assert "did you mean 'mse_loss'?" in _grade("day3", "mse_los").output
    assert "did you mean 'day3'?" in _grade("dya3").output
    assert "did you mean 'grade list'?" in _grade("lsit", "day3").output
    for typed in ("mse", "mse_loss.py", "exercises/day3/mse_loss.py"):
        assert "did you mean 'mse_loss'?" in _grade("day3", typed).output
    assert "did you mean 'kl_div'?" in _grade("day3", "kl").output
    assert "(known: " in _grade("day3", "triplet").output  # two exercises start so: no guess
    hint = _grade("hint", "day9")
    assert hint.exit_code == 2 and "unknown day 'day9'" in hint.output
    option = _grade("day3", "--submision", "x")
    assert option.exit_code == 2 and "'--submission'" in option.output and "Try 'grade day3 --help'" in option.output


def test_hint_follows_the_current_exercise_and_says_when_none_are_left(tmp_path):
    sub = _project(tmp_path, {"mse_loss": SOLUTIONS / "day3" / "mse_loss.py",
                              "l1_loss": EXERCISES / "day3" / "l1_loss.py"})
    spec = Course.locate().load_day("day3").exercise("l1_loss")
    graded = _grade("day3", "-s", sub, "mse_loss", "l1_loss").output.rstrip().splitlines()
    assert graded[-1].startswith(f"Next: {sub / 'day3' / 'l1_loss.py'} (not started)"), graded
    after_one = _grade("day3", "-s", sub, "mse_loss").output.rstrip().splitlines()
    assert after_one[-1].startswith(f"Next: {sub / 'day3' / 'l1_loss.py'} (not started)"), after_one
    first = _grade("hint", "day3", "-s", sub)
    assert first.exit_code == 0 and first.output.startswith("l1_loss (not started):")
    assert f"hint 1/{len(spec.hints)}: {spec.hints[0]}" in first.output
    for _ in spec.hints:
        last = _grade("hint", "day3", "-s", sub)
    assert "no more hints for l1_loss" in last.output
    assert not any(p.name.startswith(".grade") for p in sub.rglob("*"))
    assert ".grade-hints.json" in (ROOT / ".gitignore").read_text().split()


def test_next_keeps_the_options_and_follows_a_one_exercise_pass(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path))  # no result of l1_loss known
    course = Course.locate().root
    out = _grade("day3", "mse_loss", "--submission", SOLUTIONS, "--course", course)
    line = out.output.rstrip().splitlines()[-1]
    assert line.startswith(f"Next: {SOLUTIONS}/day3/l1_loss.py (started)")  # not graded in this run
    assert f"grade day3 l1_loss --submission {SOLUTIONS} --course {course}" in line


def test_next_skips_the_exercises_whose_unchanged_files_are_known_to_pass(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path))
    day = Course.locate().load_day("day3")
    l1 = ExerciseResult("l1_loss", "passed", 1.0, 1.0)
    ResultCache(day.folder, "cpu").put("l1_loss", (SOLUTIONS / "day3" / "l1_loss.py").read_bytes(), l1)
    line = _grade("day3", "mse_loss", "--submission", SOLUTIONS).output.rstrip().splitlines()[-1]
    assert line.startswith(f"Next: {SOLUTIONS}/day3/huber_loss.py (started)"), line


def test_a_complete_day_says_so():
    result = DayResult("day3", "Day 3", "sub", "cpu", [], quiz={"status": "passed", "score": 2.0, "max_score": 2.0})
    assert "Day 3 complete" in text.render(result, next_step="")


# --- results of unchanged files ---------------------------------------------------------------

def test_list_reuses_results_of_unchanged_files_without_importing_torch(tmp_path):
    sub = _project(tmp_path, {"mse_loss": SOLUTIONS / "day3" / "mse_loss.py",
                              "l1_loss": mutant_sources.source("l1_loss", "squares_the_error")})
    env = {"GRADER_CACHE_DIR": str(tmp_path / "cache")}
    script = ("import sys, os; os.environ.update(%r)\n"
              "from click.testing import CliRunner\nfrom grader.cli import main\n"
              "out = CliRunner().invoke(main, ['list', 'day3', '-s', %r])\n"
              "print(out.output); print('TORCH', 'torch' in sys.modules)") % (env, str(sub))
    run = lambda: subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT).stdout
    first = run()
    assert "TORCH True" in first and "mse_loss" in first
    second = run()
    assert "TORCH False" in second
    assert second.split("TORCH")[0] == first.split("TORCH")[0]
    (sub / "day3" / "l1_loss.py").write_text((SOLUTIONS / "day3" / "l1_loss.py").read_text())
    third = run()
    assert "TORCH True" in third and third.count("passing  1.00/1") == 2


def test_the_cache_key_covers_the_file_the_pack_and_the_device(tmp_path):
    day = Course.locate().root / "day3"
    cache = ResultCache(day, "cpu", tmp_path)
    stored = ExerciseResult("mse_loss", "passed", 1.0, 1.0)
    cache.put("mse_loss", b"source", stored)
    assert cache.get("mse_loss", b"source") == stored
    assert cache.get("mse_loss", b"source ") is None and cache.get("l1_loss", b"source") is None
    assert ResultCache(day, "cuda", tmp_path).get("mse_loss", b"source") is None
    pack = tmp_path / "pack"
    shutil.copytree(day, pack)
    assert ResultCache(pack, "cpu", tmp_path).get("mse_loss", b"source") is not None
    (pack / "mse_loss.yaml").write_text((pack / "mse_loss.yaml").read_text() + "\n# changed\n")
    assert ResultCache(pack, "cpu", tmp_path).get("mse_loss", b"source") is None


@pytest.mark.attack
def test_results_and_hints_in_a_folder_others_may_write_are_never_trusted_nor_written_through(tmp_path, monkeypatch):
    """In a shared GRADER_CACHE_DIR another user could plant a 'passed' result for `grade list`
    to show, or a link where the hint state goes, which the learner's next hint overwrote."""
    day = Course.locate().root / "day3"
    shared = tmp_path / "shared"
    cache = ResultCache(day, "cpu", shared)
    cache.put("mse_loss", b"source", ExerciseResult("mse_loss", "passed", 1.0, 1.0))
    cache.put_quiz(b"answers", {"score": 20.0})
    assert cache.get("mse_loss", b"source") is not None and cache.get_quiz(b"answers") == {"score": 20.0}
    (shared / "results").chmod(0o777)  # as another user's folder would be
    assert cache.get("mse_loss", b"source") is None and cache.get_quiz(b"answers") is None

    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))
    victim, submission = tmp_path / "precious.txt", tmp_path / "sub"
    victim.write_text("keep me")
    state = hints._state_path(submission)
    state.parent.mkdir(parents=True)
    state.symlink_to(victim)
    hints._save(submission, {"day3/mse_loss": 1})
    assert victim.read_text() == "keep me" and not state.is_symlink()
    assert hints._load(submission) == {"day3/mse_loss": 1}
    state.parent.chmod(0o777)
    assert hints._load(submission) == {}
    hints._save(submission, {"day3/mse_loss": 2})
    state.parent.chmod(0o755)
    assert hints._load(submission) == {"day3/mse_loss": 1}  # nothing was written where others may write


def test_torch_version_is_read_without_importing_torch():
    import torch

    from grader.learner.cache import torch_version

    assert torch_version() == torch.__version__


def test_next_names_the_file_as_typed_from_where_the_learner_stands(tmp_path, monkeypatch):
    day = tmp_path / "exercises" / "day3"
    day.mkdir(parents=True)
    item = progress.Progress("mse_loss", progress.FAILING)
    monkeypatch.chdir(day)
    assert progress.next_step("day3", item, Path("..")).startswith("Next: mse_loss.py (failing)")
    monkeypatch.chdir(tmp_path)
    assert progress.next_step("day3", item, Path("exercises")).startswith("Next: exercises/day3/mse_loss.py")
    assert progress.next_step("day3", item, day.parent).startswith(f"Next: {day / 'mse_loss.py'}")
    (tmp_path / "work.ipynb").write_text("{}")
    assert progress.next_step("day3", item, Path("work.ipynb")).startswith("Next: mse_loss() in work.ipynb")
    quiz_next = progress.next_step("day3", progress.Progress(progress.QUIZ, progress.FAILING), Path("work.ipynb"))
    assert "fill in day3/quiz_answers.yaml" in quiz_next
