"""The reference solutions earn full marks, the stubs earn nothing, and the two never drift."""
import pytest

from grader.course import build

from paths import EXERCISES, SOLUTIONS


def test_every_solution_scores_full_marks(grader, day3):
    result = grader.grade(SOLUTIONS)
    failing = {e.name: e.feedback for e in result.exercises if e.status != "passed"}
    assert not failing
    assert result.quiz["status"] == "passed"  # solutions/day3/quiz_answers.yaml is the answered quiz
    assert result.score == result.max_score == sum(e.points for e in day3.exercises) + result.quiz["max_score"]


def test_untouched_stubs_score_zero(grader):
    result = grader.grade(EXERCISES)
    assert result.score == 0
    assert result.quiz["score"] == 0 and result.quiz["status"] == "failed"  # the empty answers template
    assert {e.status for e in result.exercises} == {"failed"}
    assert all("NotImplementedError" in e.feedback for e in result.exercises)


def test_stubs_are_generated_from_solutions():
    assert build.drifted(SOLUTIONS, EXERCISES) == []


def test_every_manifest_exercise_has_a_solution_and_a_stub(day3):
    for ex in day3.exercises:
        assert (SOLUTIONS / "day3" / f"{ex.name}.py").is_file()
        assert (EXERCISES / "day3" / f"{ex.name}.py").is_file()


@pytest.mark.parametrize("name", ["mse_loss"])
def test_stub_keeps_signature_and_docstring(name):
    stub = (EXERCISES / "day3" / f"{name}.py").read_text()
    assert f"def {name}(" in stub and '"""' in stub
    assert "BEGIN SOLUTION" not in stub
