"""Every realistic wrong implementation loses points; every alternative correct one keeps full marks.

The mutants live in tests/mutants (see tests/mutant_sources.py for their two forms).
"""
import pytest

import mutant_sources

MUTANTS = mutant_sources.names("day3")


@pytest.mark.parametrize("exercise, name", MUTANTS, ids=[f"{e}/{n}" for e, n in MUTANTS])
def test_mutant(grade_source, exercise, name):
    result = grade_source(exercise, mutant_sources.source(exercise, name))
    if name.startswith("correct_"):
        assert result.status == "passed", result.feedback
        assert result.score == result.max_score
    else:
        assert result.score < result.max_score, f"{name} was not caught"
        assert result.status != "passed"


def test_every_exercise_has_wrong_and_correct_mutants(day3):
    for exercise in day3.exercises:
        mine = [n for e, n in MUTANTS if e == exercise.name]
        assert len([n for n in mine if not n.startswith("correct_")]) >= 3, exercise.name
        assert any(n.startswith("correct_") for n in mine), exercise.name
