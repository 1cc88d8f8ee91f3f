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


MSE_LOSS = (SOLUTIONS / "day3" / "mse_loss.py").read_text()
LOSS = "    loss = (input - target) ** 2\n"


def test_an_input_changed_in_place_after_the_right_answer_fails_every_case_with_its_message(grade_source):
    assert MSE_LOSS.count(LOSS) == 1
    # .data: autograd does not see the edit, so values and gradients stay right
    result = grade_source("mse_loss", MSE_LOSS.replace(LOSS, LOSS + "    target.data.add_(1.0)\n"))
    assert result.cases and not any(case.passed for case in result.cases)
    for case in result.cases:
        assert (case.what, case.problem) == ("input 'target'", "modified"), case.message
        assert "your function changed 'target' in place; work on new tensors (e.g. x = x * 2, not x *= 2)" in case.message


def test_an_input_written_in_place_with_its_own_values_counts_as_unchanged(grade_source):
    result = grade_source("mse_loss", MSE_LOSS.replace(LOSS, LOSS + "    target.data.copy_(target.data.clone())\n"))
    assert result.status == "passed", result.feedback


def test_only_the_inputs_a_call_changed_come_back():
    args = [{"name": name, "kind": "tensor", "value": torch.arange(4.0), "grad": True, "transform": None,
             "keyword": False} for name in ("a", "b")]

    def edits_b(a, b):
        b.data[0] = 7.0
        return (a * b).sum()

    assert invoke(lambda a, b: (a * b).sum(), args, "cpu", torch.tensor(1.0))["after"] == {}
    after = invoke(edits_b, args, "cpu", torch.tensor(1.0))["after"]
    assert list(after) == ["b"] and after["b"].tolist() == [7.0, 1.0, 2.0, 3.0]
    assert args[1]["value"].tolist() == [0.0, 1.0, 2.0, 3.0]  # the case's own tensor is not the one passed


def test_an_input_changed_in_place_is_named_before_the_wrong_value_it_brings(grade_source):
    # the mutant subtracts target from input in place, then computes the loss from the changed input
    result = grade_source("mse_loss", mutant_sources.source("mse_loss", "edits_input_in_place"))
    failed = [case for case in result.cases if not case.passed]
    assert failed and {case.problem for case in failed} <= {"modified", "error"}, {c.message for c in failed}
    assert "your function changed 'input' in place" in result.feedback.splitlines()[0], result.feedback
