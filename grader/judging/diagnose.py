"""Name the learner's likely mistake when a case fails: cheap checks on the trusted side.

Each check looks at the learner's (already type-checked) output or gradient, and some recompute
the reference with a changed argument (another reduction, a keyword left out) to see whether the
learner's answer matches *that*. Hints never contain expected numbers, so they are safe to show
for hidden cases too.
"""
from __future__ import annotations

import warnings

import torch

from .compare import Mismatch
from .invoke import invoke
from .reference import Expected, resolve

REDUCTIONS = ("mean", "sum", "none", "batchmean")
MAX_RECOMPUTE_NUMEL = 20_000  # above this, skip checks that re-run the reference


def diagnose(reference: str, case, expected: Expected, answer: dict, mismatch: Mismatch) -> str:
    """A one-sentence hint for a failed case, or '' when nothing recognisable is wrong."""
    if mismatch.problem == "dtype":
        return ("build new tensors with the input's dtype (torch.zeros_like(input), dtype=input.dtype): "
                "torch.tensor(...) and torch.zeros(...) default to float32")
    if mismatch.problem not in ("values", "shape"):
        return ""
    if mismatch.what == "value":
        got, truth = answer.get("output"), expected.truth
    else:
        name = mismatch.what.split("'")[1]
        got, truth = (answer.get("grads") or {}).get(name), expected.grads[name][1]
    if type(got) is not torch.Tensor or truth is None:
        return ""
    got64 = got.detach().to("cpu", torch.float64)
    truth64 = truth.detach().to("cpu", torch.float64)
    for check in (_non_finite, _zero_gradient, _float32_precision):
        hint = check(got64, truth64, mismatch, case)
        if hint:
            return hint
    if mismatch.what == "value" and _small(case):
        fn = resolve(reference)
        for check in (_other_reduction, _ignored_keyword):
            hint = check(fn, case, got64, truth64)
            if hint:
                return hint
    return _constant_factor(got64, truth64, case, mismatch.what)


def _small(case) -> bool:
    return sum(a["value"].numel() for a in case.args if a["kind"] == "tensor") <= MAX_RECOMPUTE_NUMEL


def _same(got: torch.Tensor, other: torch.Tensor) -> bool:
    if got.shape != other.shape:
        return False
    finite = other[other.isfinite()]  # a NaN scale would make allclose raise
    scale = finite.abs().max().item() if finite.numel() else 0.0
    return bool(torch.allclose(got, other, rtol=1e-4, atol=1e-6 * max(scale, 1e-30), equal_nan=True))


def _non_finite(got, truth, mismatch, case) -> str:
    if got.shape != truth.shape:
        return ""
    bad = ~torch.isfinite(got) & torch.isfinite(truth)
    if not bad.any():
        return ""
    kind = "nan" if got[bad].isnan().any() else "inf"
    where = "gradient" if mismatch.what != "value" else "result"
    return (f"your {where} is {kind} where torch's is finite: an exp() overflowed or a log() got 0. "
            "Work in log space: use the log-sum-exp trick (subtract the max first), "
            "log_softmax/logsigmoid, or clamp before the log")


def _zero_gradient(got, truth, mismatch, case) -> str:
    if mismatch.what == "value" or got.shape != truth.shape or got.any() or not truth.any():
        return ""
    return ("the values are right but this gradient is all zeros: part of your computation does not "
            "depend on the input differentiably (argmax, round, comparisons, or a detached/.item() value)")


def _float32_precision(got, truth, mismatch, case) -> str:
    if case.dtype != "float64" or got.shape != truth.shape or not torch.isfinite(got).all():
        return ""
    scale = truth.abs().max().item()
    if not 0 < (got - truth).abs().max().item() <= 1e-5 * max(scale, 1e-300):
        return ""
    return ("right to about 7 digits, which is float32 precision, in a float64 case: part of your "
            "computation runs in float32 (a torch.tensor(...) or torch.zeros(...) without dtype=, or .float())")


def _recompute(fn, case, replace: dict, drop: str | None = None):
    args = [dict(a, value=replace[a["name"]]) if a["name"] in replace else a
            for a in case.args if a["name"] != drop]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = invoke(fn, args, "cpu", upstream=None, dtype=torch.float64)
    return None if result["error"] else result["output"].to(torch.float64)


def _other_reduction(fn, case, got, truth) -> str:
    asked = next((a["value"] for a in case.args if a["name"] == "reduction"), None)
    if asked not in REDUCTIONS:
        return ""
    for other in REDUCTIONS:
        if other == asked:
            continue
        alt = _recompute(fn, case, {"reduction": other})
        if alt is not None and not _same(truth, alt) and _same(got, alt):
            return f"your output matches reduction='{other}', but reduction='{asked}' was requested"
    return ""


def _ignored_keyword(fn, case, got, truth) -> str:
    for arg in case.args:
        if not arg["keyword"] or arg["name"] == "reduction":
            continue
        alt = _recompute(fn, case, {}, drop=arg["name"])
        if alt is not None and not _same(truth, alt) and _same(got, alt):
            return (f"your output is what torch gives without {arg['name']}={_short(arg)}: "
                    f"is '{arg['name']}' used at all?")
    return ""


def _short(arg) -> str:
    value = arg["value"]
    if isinstance(value, torch.Tensor):
        return f"<{str(value.dtype).replace('torch.', '')} tensor {tuple(value.shape)}>"
    return repr(value)


def _constant_factor(got, truth, case, what) -> str:
    if got.shape != truth.shape or not got.numel():
        return ""
    nonzero = truth.abs() > 1e-12 * max(truth.abs().max().item(), 1e-300)
    if not nonzero.any() or not torch.isfinite(got).all():
        return ""
    ratio = got[nonzero] / truth[nonzero]
    r = ratio.mean().item()
    if not (ratio - r).abs().max().item() <= 1e-4 * abs(r) or abs(r - 1) < 1e-4 or r == 0:
        return ""
    subject = "your result" if what == "value" else f"your {what}"
    if abs(r + 1) < 1e-4:
        return f"{subject} has the wrong sign"
    size = _matching_size(case, r if abs(r) >= 1 else 1 / r)
    halved = abs(abs(r) - 2) < 1e-4 or abs(abs(r) - 0.5) < 1e-4
    if int(nonzero.sum()) < 2 and not (size or halved):
        return ""  # any two numbers differ by "a factor": for one element only a telling one is worth saying
    hint = f"{subject} is off by a constant factor of {r:.4g}"
    if size:
        hint += f" ({'too large' if abs(r) > 1 else 'too small'} by {size}: check what you divide by)"
    elif halved:
        hint += " (a missing or extra 1/2 or 2, e.g. in the derivative of a square?)"
    return hint


def _matching_size(case, factor: float) -> str:
    """Name a dimension of an input whose size is ``factor`` (e.g. 'the size of dim 0 of input')."""
    for arg in case.args:
        if arg["kind"] != "tensor":
            continue
        shape = arg["value"].shape
        if shape.numel() > 1 and abs(shape.numel() - factor) < 1e-6 * factor:
            return f"the number of elements of '{arg['name']}' ({shape.numel()})"
        for dim, size in enumerate(shape):
            if size > 1 and abs(size - factor) < 1e-6 * factor:
                return f"the size of dim {dim} of '{arg['name']}' ({size})"
    return ""
