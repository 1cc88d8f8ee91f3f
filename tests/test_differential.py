"""Every solution is torch's loss: values and gradients agree in float64 on random calls spread over
each signature's parameters and corners (tests/fuzz_inputs.py), so a solution, and the docstring it
implements, cannot drift from torch. The solutions are trusted, so they run in-process here."""
import pytest
import torch

import fuzz_inputs
import mutant_sources

DRAWS = 40
EXERCISES = sorted(p.stem for p in (mutant_sources.SOLUTIONS / "day3").glob("*.py"))


def solution(exercise: str):
    return mutant_sources.function(exercise, (mutant_sources.SOLUTIONS / "day3" / f"{exercise}.py").read_text())


@pytest.mark.parametrize("exercise", EXERCISES)
def test_solution_matches_torch(exercise):
    mine, theirs = solution(exercise), getattr(torch.nn.functional, exercise)
    rtol = fuzz_inputs.RTOL.get(exercise, 1e-10)
    failures = [(seed, why) for seed in range(DRAWS)
                if (why := fuzz_inputs.differs(mine, theirs, fuzz_inputs.draw(exercise, seed), rtol))]
    assert not failures, f"{len(failures)} of {DRAWS} calls differ from torch, e.g. seed {failures[0][0]}: {failures[0][1]}"


def test_a_wrong_solution_is_told_apart():
    wrong = mutant_sources.source("mse_loss", "abs_instead_of_square")
    call = fuzz_inputs.draw("mse_loss", 0)
    assert fuzz_inputs.differs(mutant_sources.function("mse_loss", wrong), torch.nn.functional.mse_loss, call)


def test_every_exercise_is_fuzzed(day3):
    assert sorted(e.name for e in day3.exercises) == EXERCISES
    assert all(hasattr(fuzz_inputs, name) for name in EXERCISES)
