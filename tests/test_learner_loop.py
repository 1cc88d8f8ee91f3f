"""The learner's loop: list, hint, watch, feedback that shows the failing public example, colour."""
import shutil

import pytest
import yaml
from click.testing import CliRunner

from grader.learner import hints, progress
from grader.course.check import check
from grader.cli import main
from grader.course.manifest import Course
from grader.reports import text
from grader.learner.watch import Watcher

import mutant_sources
import notebooks
from paths import EXERCISES, SOLUTIONS


def _submission(tmp_path, files):
    folder = tmp_path / "sub" / "day3"
    folder.mkdir(parents=True)
    for name, source in files.items():
        (folder / f"{name}.py").write_text(source if isinstance(source, str) else source.read_text())
    return folder.parent


def test_untouched_stub_is_not_started_edited_one_is():
    stub = (EXERCISES / "day3" / "mse_loss.py").read_text()
    assert progress.is_untouched_stub(stub, "mse_loss")
    assert not progress.is_untouched_stub((SOLUTIONS / "day3" / "mse_loss.py").read_text(), "mse_loss")


def test_survey_reports_each_state(grader, tmp_path):
    sub = _submission(tmp_path, {"mse_loss": SOLUTIONS / "day3" / "mse_loss.py",
                                 "l1_loss": mutant_sources.source("l1_loss", "squares_the_error"),
                                 "huber_loss": EXERCISES / "day3" / "huber_loss.py"})
    outline = progress.outline(grader.day.folder.parent, "day3")
    items = progress.survey(outline, sub, lambda names: grader.grade(sub, names).exercises,
                            names=["mse_loss", "l1_loss", "huber_loss", "cross_entropy"])
    assert [i.state for i in items] == ["passing", "failing", "not started", "missing"]
    assert progress.next_item(items).name == "l1_loss"


def test_survey_reads_a_notebook_as_the_grader_does(grader, tmp_path):
    stubs = [(EXERCISES / "day3" / f"{name}.py").read_text() for name in ("mse_loss", "l1_loss")]
    work = notebooks.write(tmp_path / "work.ipynb", *stubs)
    outline = progress.outline(grader.day.folder.parent, "day3")
    graded = []

    def grade(names):
        graded.extend(names)
        return grader.grade(work, names).exercises

    names = ["mse_loss", "l1_loss", "huber_loss"]
    assert [i.state for i in progress.survey(outline, work, grade, names=names)] == \
        ["not started", "not started", "missing"] and graded == []
    notebooks.write(work, notebooks.solution("mse_loss"), stubs[1])
    assert [i.state for i in progress.survey(outline, work, grade, names=names)] == \
        ["passing", "not started", "missing"] and graded == ["mse_loss"]


def test_hints_come_one_at_a_time_then_all_then_reset(tmp_path):
    spec = Course.locate().load_day("day3").exercise("cross_entropy")
    assert len(spec.hints) >= 2
    run = lambda *extra: CliRunner().invoke(main, ["hint", "day3", "cross_entropy", "-s", str(tmp_path), *extra])
    first, second = run(), run()
    assert f"hint 1/{len(spec.hints)}: {spec.hints[0]}" in first.output and "hint 2/" not in first.output
    # hints shown are counted per submission folder: the command suggested names the same one
    assert f"(run `grade hint day3 cross_entropy --submission {tmp_path}` again for the next one)" in first.output
    assert f"hint 2/{len(spec.hints)}: {spec.hints[1]}" in second.output
    assert f"hint {len(spec.hints)}/" in run("--all").output
    assert run("--reset").exit_code == 0
    assert "hint 2/" not in run().output
    assert list(tmp_path.iterdir()) == []  # the state is kept outside the learner's tree
    both = run("--all", "--reset")
    assert both.exit_code == 2 and "--all and --reset" in both.output and "hints for" not in both.output


def test_failing_public_case_shows_inputs_call_outputs_and_names_the_mistake(grade_source):
    result = grade_source("mse_loss", mutant_sources.source("mse_loss", "always_mean"))
    case = next(c for c in result.cases if not c.passed and c.public)
    assert "input = torch.tensor([[" in case.example and "out = mse_loss(input, target, reduction='sum')" in case.example
    assert "your out: torch.tensor(" in case.example and "expected: torch.tensor(" in case.example
    assert case.hint == "your output matches reduction='mean', but reduction='sum' was requested"
    assert "max abs error" in case.message and case.example in result.feedback.replace("\n    ", "\n")
    assert "index" not in case.message  # a 0-d result has no index worth naming


def test_an_elementwise_mismatch_names_the_first_differing_index(grade_source):
    result = grade_source("mse_loss", mutant_sources.source("mse_loss", "abs_instead_of_square"))
    case = next(c for c in result.cases if not c.passed and c.public and "'none'" in c.name)
    assert "elements differ, first at index [" in case.message


def test_hidden_cases_never_show_inputs_or_expected_numbers(grade_source):
    result = grade_source("mse_loss", mutant_sources.source("mse_loss", "mean_ignores_weight_sum"))
    hidden = [c for c in result.cases if not c.passed and not c.public]
    assert hidden and all(not c.example and "expected" not in c.message and "got" not in c.message for c in hidden)


def test_gradient_feedback_names_the_input_and_the_cut_graph(grade_source):
    result = grade_source("mse_loss", mutant_sources.source("mse_loss", "detached_output"))
    case = next(c for c in result.cases if not c.passed and c.public)
    assert case.what == "gradient w.r.t. 'input'" and "did you detach" in case.message.lower()
    assert "out.backward(" in case.example and "your input.grad: None" in case.example


def test_overflow_is_recognised(grade_source):
    naive = '''
import torch
def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    logp = (input.exp() / input.exp().sum(1, keepdim=True)).log()
    return -logp.gather(1, target.unsqueeze(1)).mean()
'''
    result = grade_source("cross_entropy", naive)
    hints_given = {c.hint for c in result.cases if "large logits" in c.name and not c.passed}
    assert any("log-sum-exp" in h for h in hints_given)


def test_float32_precision_in_float64_case_is_named(grade_source):
    result = grade_source("mse_loss", mutant_sources.source("mse_loss", "computes_in_float32"))
    assert any("float32 precision" in c.hint for c in result.cases if not c.passed)


def test_watch_regrades_the_saved_file_and_points_to_the_next(grader, tmp_path):
    sub = _submission(tmp_path, {"mse_loss": EXERCISES / "day3" / "mse_loss.py"})
    said = []
    watcher = Watcher(grader, sub, lambda line, **style: said.append(line))
    watcher.start()
    assert any("Next:" in line and "mse_loss.py (not started)" in line for line in said)
    assert not watcher.step()
    said.clear()
    (sub / "day3" / "mse_loss.py").write_text((SOLUTIONS / "day3" / "mse_loss.py").read_text() + "\n")
    assert watcher.step()
    assert any("mse_loss.py changed" in line for line in said)
    assert any(line.startswith("✓ mse_loss") for line in said)
    assert any("Next:" in line and "l1_loss.py (missing)" in line for line in said)


def test_watch_exits_cleanly_on_ctrl_c(tmp_path, monkeypatch):
    sub = _submission(tmp_path, {"mse_loss": EXERCISES / "day3" / "mse_loss.py"})

    def interrupted(_seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr("grader.learner.watch.time.sleep", interrupted)
    out = CliRunner().invoke(main, ["watch", "day3", "-s", str(sub)])
    assert out.exit_code == 0 and "Stopped watching." in out.output and "Traceback" not in out.output


def test_list_command(tmp_path):
    sub = _submission(tmp_path, {"mse_loss": EXERCISES / "day3" / "mse_loss.py"})
    out = CliRunner().invoke(main, ["list", "day3", "-s", str(sub)])
    assert out.exit_code == 0
    assert "0/" in out.output and "mse_loss" in out.output and "not started" in out.output
    assert "Next:" in out.output and "\033[" not in out.output


def test_colour_only_in_a_tty_and_never_with_no_color(monkeypatch):
    class Tty:
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert text.use_colour(Tty()) and not text.use_colour(object())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not text.use_colour(Tty())


@pytest.fixture
def tiny_course(tmp_path):
    course = tmp_path / "course" / "day3"
    course.mkdir(parents=True)
    src = Course.locate().root / "day3"
    manifest = yaml.safe_load((src / "day.yaml").read_text())
    (course / "day.yaml").write_text(yaml.safe_dump({**manifest, "exercises": ["mse_loss"]}))
    shutil.copy(src / "mse_loss.yaml", course)
    solutions = tmp_path / "solutions" / "day3"
    solutions.mkdir(parents=True)
    shutil.copy(SOLUTIONS / "day3" / "mse_loss.py", solutions)
    return Course.locate(course.parent), solutions.parent


def test_check_course_accepts_a_good_pack_and_names_file_and_line(tiny_course):
    course, solutions = tiny_course
    assert check(course, solutions) == []
    (solutions / "day3" / "mse_loss.py").write_text(mutant_sources.source("mse_loss", "always_mean"))
    (course.root / "day3" / "quiz.yaml").write_text("salt: x\nquestions:\n  - {id: q, type: choice, prompt: '?', choices: [a, b]}\n")
    problems = check(course, solutions)
    assert any(p.startswith(f"{course.root / 'day3' / 'mse_loss.yaml'}:") and "fails case" in p for p in problems)
    assert any(p.startswith(f"{course.root / 'day3' / 'quiz.yaml'}:3:") and "cannot be answered" in p for p in problems)


def test_the_text_report_says_what_to_do_next(grader):
    from grader.reports import text

    todo = text.render(grader.grade(EXERCISES, ["mse_loss", "l1_loss"]))
    assert todo.rstrip().splitlines()[-1].startswith(f"Next: {EXERCISES}/day3/mse_loss.py (not started)")
    assert "Next:" not in text.render(grader.grade(SOLUTIONS, ["mse_loss", "l1_loss"]))


def test_watch_on_a_notebook_regrades_only_the_functions_that_changed(grader, tmp_path):
    stubs = [(EXERCISES / "day3" / f"{name}.py").read_text() for name in ("mse_loss", "l1_loss")]
    work = notebooks.write(tmp_path / "work.ipynb", *stubs)
    said = []
    watcher = Watcher(grader, work, lambda line, **style: said.append(line))
    watcher.start()
    assert any("Next: mse_loss() in" in line for line in said)
    assert not watcher.step()
    said.clear()
    notebooks.write(work, notebooks.solution("mse_loss") + "\n", stubs[1])
    assert watcher.step()
    changed = [line for line in said if "changed:" in line]
    assert len(changed) == 1 and "mse_loss() changed" in changed[0]
    assert any(line.startswith("✓ mse_loss") for line in said)
