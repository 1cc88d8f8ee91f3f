"""Trusted side: compute what each case should return, in the case dtype and in float64."""
from __future__ import annotations

import importlib
import inspect
import warnings
import zlib
from dataclasses import dataclass, field

import torch

from ..course.casegen import Case
from .compare import Target
from ..errors import CourseError
from .invoke import invoke, prepare


def resolve(dotted: str):
    module_name, _, attr = dotted.rpartition(".")
    try:
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError):
        raise CourseError(f"reference '{dotted}' cannot be imported") from None


@dataclass
class Expected:
    output: torch.Tensor  # torch's result in the case dtype: the dtype/shape/NaN pattern to match
    truth: torch.Tensor  # the same computed in float64: what values are compared against
    grads: dict  # name -> (torch's grad, float64 grad)
    passed: dict  # name -> the tensor as handed to the function (on the CPU), to detect in-place edits
    _targets: dict = field(default_factory=dict, repr=False)
    # torch's results for the wrong answers diagnose hypothesises (another reduction...): they
    # depend on the case alone, and a batch diagnoses the same failing case for many learners.
    hypotheses: dict = field(default_factory=dict, repr=False)
    shown: dict = field(default_factory=dict, repr=False)  # feedback's text of the case's own tensors

    def target(self, name: str | None, tol: dict) -> Target:
        """The comparison target for the output (``name`` None) or a gradient, built once."""
        key = (name, tol["atol"], tol["rtol"])  # all a Target reads of ``tol``
        if key not in self._targets:
            ref, truth = (self.output, self.truth) if name is None else self.grads[name]
            self._targets[key] = Target(ref, truth, tol)
        return self._targets[key]


def unsupported_params(fn, case: Case) -> list[str]:
    """Keyword arguments the installed torch's reference does not accept."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return []
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return []
    return [a["name"] for a in case.args if a["keyword"] and a["name"] not in params]


def compute(spec, cases: list, device: str) -> tuple[list, dict, list]:
    """(kept cases, case id -> Expected, skipped notes) for an exercise's expanded ``cases``.

    Sets each kept case's ``upstream``: the reference's output shape decides it."""
    fn = resolve(spec.reference)
    kept, expected, skipped = [], {}, []
    for case in cases:
        missing = unsupported_params(fn, case)
        if missing:
            skipped.append(f"{case.label}: this torch's {spec.reference} has no parameter {', '.join(missing)}")
            continue
        expected[case.id] = expected_for(fn, case, device)
        kept.append(case)
    return kept, expected, skipped


def expected_for(fn, case: Case, device: str) -> Expected:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. mse_loss's broadcasting warning: broadcasting is the case
        return _expected(fn, case, device)


def _expected(fn, case: Case, device: str) -> Expected:
    def make_upstream(output: torch.Tensor) -> torch.Tensor:
        g = torch.Generator().manual_seed(zlib.crc32(("upstream:" + case.id).encode()))
        case.upstream = torch.randn(output.shape, generator=g, dtype=torch.float64)
        return case.upstream

    passed = {k: v.detach().to("cpu", copy=True) for k, v in prepare(case.args, device)[3].items()}
    ref = invoke(fn, case.args, device, make_upstream)
    if ref["error"]:
        raise CourseError(f"{case.where}: the reference fails on case '{case.label}': {ref['error']}")
    # A float64 case is its own float64 truth; only lower precisions need a second run.
    truth = ref if case.dtype == "float64" else invoke(fn, case.args, device, case.upstream, dtype=torch.float64)
    grads = {name: (grad, truth["grads"].get(name)) for name, grad in ref["grads"].items()}
    return Expected(ref["output"], truth["output"], grads, passed)
