"""The procedure that runs a function on a case, on both sides: its shortcuts change nothing the
grader judges."""
from __future__ import annotations

import warnings

import pytest
import torch

import mutant_sources
from grader.judging.invoke import backward, invoke, prepare
from paths import SOLUTIONS

_BITS = {2: torch.int16, 4: torch.int32, 8: torch.int64}


def same_bits(a: torch.Tensor, b: torch.Tensor) -> bool:
    return (a.dtype == b.dtype and a.shape == b.shape and a.stride() == b.stride()
            and torch.equal(a.view(_BITS[a.element_size()]), b.view(_BITS[b.element_size()])))


def gradients(fn, case, run_backward) -> dict:
    positional, keyword, leaves, _ = prepare(case.args, "cpu")
    out = fn(*positional, **keyword)
    run_backward(out, case.upstream.to(dtype=out.dtype))
    return {name: leaf.grad for name, leaf in leaves.items()}


@pytest.mark.parametrize("exercise", [p.stem for p in sorted((SOLUTIONS / "day3").glob("*.py"))])
def test_backward_gives_the_gradients_of_out_backward_bit_for_bit(grader, day3, exercise):
    fn = mutant_sources.function(exercise, (SOLUTIONS / "day3" / f"{exercise}.py").read_text())
    cases = [c for c in grader.prepare(day3.exercise(exercise)).cases if c.upstream is not None]
    assert cases
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for case in cases:
            ours = gradients(fn, case, backward)
            torchs = gradients(fn, case, lambda out, grad: out.backward(grad))
            assert ours.keys() == torchs.keys()
            for name, grad in torchs.items():
                assert (grad is None) == (ours[name] is None), (case.label, name)
                assert grad is None or same_bits(ours[name], grad), (case.label, name)
