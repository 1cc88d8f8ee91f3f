"""The tolerance principle (docs/course-pack.md), both sides, at the level of one comparison:
torch's building blocks pass in float64, float32 arithmetic does not; a missing gradient passes
exactly where the true gradient is zero or empty."""
from types import SimpleNamespace

import torch
import torch.nn.functional as F

from grader.judging.compare import DEFAULT_TOLERANCE, Target
from grader.judging.judge import judge
from grader.judging.reference import Expected

F64 = DEFAULT_TOLERANCE["float64"]


def soft_margin_grad(z: torch.Tensor, loss) -> torch.Tensor:
    z = z.detach().clone().requires_grad_(True)
    loss(z).sum().backward()
    return z.grad


def test_softplus_threshold_passes_and_float32_arithmetic_fails():
    z = torch.linspace(-3.0, 26.0, 300, dtype=torch.float64)  # across softplus's threshold 20
    truth = soft_margin_grad(z, lambda x: x.clamp_min(0) + torch.log1p(torch.exp(-x.abs())))
    via_softplus = soft_margin_grad(z, F.softplus)
    in_float32 = soft_margin_grad(z, lambda x: F.softplus(x.float()).double())
    assert not torch.equal(via_softplus, truth)  # the shortcut really is off
    assert Target(truth, None, F64).check("gradient", via_softplus) is None
    assert Target(truth, None, F64).check("gradient", in_float32) is not None


def expected_with_gradient(grad: torch.Tensor) -> Expected:
    out = torch.zeros(grad.shape[:1], dtype=torch.float64)
    return Expected(out, out, {"input": (grad, grad)}, {})


def answer_without_gradient(expected: Expected) -> dict:
    return {"id": "c", "output": expected.output.clone(), "after": {}, "grads": {"input": None}}


def test_missing_gradient_passes_only_where_the_true_gradient_is_zero_or_empty():
    case = SimpleNamespace(compare=("value", "grad"))
    for zero in (torch.zeros(3, 2, dtype=torch.float64), torch.zeros(0, 4, dtype=torch.float64)):
        expected = expected_with_gradient(zero)
        assert judge(case, expected, answer_without_gradient(expected), F64) is None
    expected = expected_with_gradient(torch.tensor([[0.0, 1e-300], [0.0, 0.0]], dtype=torch.float64))
    found = judge(case, expected, answer_without_gradient(expected), F64)
    assert found is not None and found.problem == "missing"
