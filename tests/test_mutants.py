"""Every realistic wrong implementation in tests/mutants loses points; the grader catches bugs.

A mutant is ``tests/mutants/day3/<exercise>/<what_is_wrong>.py``. A mutant named
``correct_*.py`` is an alternative *correct* formulation and must keep full marks.
"""
import pytest

from conftest import MUTANTS

MUTANT_FILES = sorted(MUTANTS.glob("day3/*/*.py"))


@pytest.mark.parametrize("path", MUTANT_FILES, ids=[f"{p.parent.name}/{p.stem}" for p in MUTANT_FILES])
def test_mutant(grade_source, path):
    result = grade_source(path.parent.name, path.read_text())
    if path.stem.startswith("correct_"):
        assert result.status == "passed", result.feedback
        assert result.score == result.max_score
    else:
        assert result.score < result.max_score, f"{path.name} was not caught"
        assert result.status != "passed"
