"""Every solution is torch's loss: values and gradients agree in float64 on random calls spread over
each signature's parameters and corners (tests/fuzz_inputs.py), so a solution, and the docstring it
implements, cannot drift from torch. The solutions are trusted, so they run in-process here."""
import importlib.util
import warnings

import pytest
import torch

import fuzz_inputs
from mutant_sources import SOLUTIONS

DRAWS = 40
# torch keeps cosine_embedding_loss's eps as a float32 (9.99999996e-13): with tiny norms a solution
# using the documented 1e-12 differs from torch by ~1e-9 relative (and matches it in float32).
RTOL = {"cosine_embedding_loss": 1e-8}
EXERCISES = sorted(p.stem for p in (SOLUTIONS / "day3").glob("*.py"))


def solution(exercise: str):
    spec = importlib.util.spec_from_file_location(f"solution_{exercise}", SOLUTIONS / "day3" / f"{exercise}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, exercise)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_solution_matches_torch(exercise):
    mine, theirs = solution(exercise), getattr(torch.nn.functional, exercise)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # broadcasting and kl_div 'mean' warnings: both are the point
        failures = [(seed, why) for seed in range(DRAWS)
                    if (why := fuzz_inputs.differs(mine, theirs, fuzz_inputs.draw(exercise, seed), RTOL.get(exercise, 1e-10)))]
    assert not failures, f"{len(failures)} of {DRAWS} calls differ from torch, e.g. seed {failures[0][0]}: {failures[0][1]}"


def test_every_exercise_is_fuzzed(day3):
    assert sorted(e.name for e in day3.exercises) == EXERCISES
    assert all(hasattr(fuzz_inputs, name) for name in EXERCISES)
