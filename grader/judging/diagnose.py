"""Name the learner's likely mistake when a case fails, and only when the numbers prove it.

Every diagnosis is a hypothesis that is checked before it is shown: the hypothesised wrong answer
is recomputed (torch's reference with another reduction, a keyword left out, two arguments
swapped, another divisor for 'mean', the inputs in float32), or read off the learner's numbers
(a constant ratio, all-zero gradients, non-finite values and the input magnitudes that could
cause them), and it is named only if it reproduces the learner's output within a tolerance (for
a single-number result, which can agree by chance, the learner's gradients too). A diagnosis that
does not explain the mismatch is never shown: no hint is better than a wrong one.
Hints never contain expected numbers, so they are safe to show for hidden cases too.
"""
from __future__ import annotations

import inspect
import math
import warnings

import torch

from .compare import Mismatch
from .invoke import invoke
from .reference import Expected, resolve

REDUCTIONS = ("mean", "sum", "none", "batchmean")
MAX_RECOMPUTE_NUMEL = 20_000  # above this, skip checks that re-run the reference
MAX_SWAPPED = 3  # tensor arguments considered for swapping: the first few (input, target, ...)
# Parameters a factor may come from, named in the hint when the ratio is one of them or its inverse.
FACTOR_PARAMS = ("delta", "beta", "margin", "eps", "p", "label_smoothing")


def diagnose(reference: str, case, expected: Expected, answer: dict, mismatch: Mismatch) -> str:
    """A one-sentence hint for a failed case, or '' when no checked explanation fits."""
    if mismatch.problem == "error":
        return _ignored_target_as_index(reference, case, mismatch)
    if mismatch.problem not in ("values", "shape", "dtype"):
        return ""
    if mismatch.what == "value":
        got, truth = answer.get("output"), expected.truth
    else:
        name = mismatch.what.split("'")[1]
        got, truth = (answer.get("grads") or {}).get(name), expected.grads[name][1]
    if type(got) is not torch.Tensor or truth is None:
        return ""
    if mismatch.problem == "dtype":  # (truth is float64 whatever the case's dtype)
        return _dtype(got.dtype, getattr(torch, case.dtype, None))
    got64 = got.detach().to("cpu", torch.float64)
    truth64 = truth.detach().to("cpu", torch.float64)
    hint = _zero_gradient(got64, truth64, mismatch)
    if not hint and mismatch.what == "value" and _small(case):
        hypo = _Hypotheses(resolve(reference), expected.hypotheses)
        for check in (_swapped, _divisor, _other_reduction, _ignored_keyword):
            hint = check(hypo, case, got64, truth64, answer)
            if hint:
                break
    if not hint:
        hint = _non_finite(got64, truth64, mismatch, expected)
    return hint or _float32_precision(got64, truth64, case, mismatch) or _constant_factor(got64, truth64, case, mismatch.what)


def _dtype(got: torch.dtype, wanted: torch.dtype) -> str:
    """Only what can make ``got`` out of an input of dtype ``wanted``: float32 from a float64 input
    is a tensor made without dtype= (or a .float()); float64 from a float32 one was asked for."""
    if wanted == torch.float64 and got == torch.float32:
        return ("part of your computation runs in float32: torch.tensor(...) and torch.zeros(...) make float32 "
                "unless given dtype=, and .float() converts; build new tensors with the input's dtype "
                "(torch.zeros_like(input), dtype=input.dtype)")
    if wanted == torch.float32 and got == torch.float64:
        return ("part of your computation runs in float64, which only happens when asked for: a .double(), "
                "dtype=torch.float64, or a float64 tensor mixed in; keep to the input's dtype")
    return "return a tensor of the input's dtype (e.g. build new tensors with dtype=input.dtype)"


def _ignored_target_as_index(reference: str, case, mismatch: Mismatch) -> str:
    """Named only when the error is about an index that is this case's ignore_index and the
    target holds it: the learner indexed with a target that was to be left out."""
    ignore = _keyword(case, "ignore_index", _default(resolve(reference), "ignore_index"))
    target = _keyword(case, "target")
    if not isinstance(ignore, int) or type(target) is not torch.Tensor or not bool((target == ignore).any()) \
            or f"index {ignore} is out of bounds" not in mismatch.message:
        return ""
    return (f"the target holds ignore_index ({ignore}) here, which is no class: leave those entries out (mask "
            "them, or index with a safe class and zero their loss) before using the target as an index")


def _small(case) -> bool:
    return sum(a["value"].numel() for a in case.args if a["kind"] == "tensor") <= MAX_RECOMPUTE_NUMEL


def _same(got: torch.Tensor, other: torch.Tensor) -> bool:
    """``got`` is ``other`` within a tolerance far looser than grading's but far tighter than the
    difference any of these hypotheses makes (NaN meets NaN)."""
    if got.shape != other.shape:
        return False
    finite = other[other.isfinite()]  # a NaN scale would make allclose raise
    scale = finite.abs().max().item() if finite.numel() else 0.0
    return bool(torch.allclose(got, other, rtol=2e-5, atol=1e-6 * max(scale, 1e-30), equal_nan=True))


def _explains(got, truth, alt) -> bool:
    """``alt`` (a recomputed wrong answer) is what the learner returned, and not the right one."""
    # A NaN meeting a NaN proves nothing by itself: some finite value must agree too.
    if alt is None or not bool(alt.isfinite().any()) or not _same(got, alt):
        return False
    if alt.shape != truth.shape:
        return True
    # Nor does a hypothesis that differs from torch only where torch is NaN or inf: where every
    # target is ignored, 'mean' is 0/0 and any guard gives what 'sum' gives, by coincidence.
    finite = truth.isfinite()
    return not _same(truth[finite], alt[finite])


def _zero_gradient(got, truth, mismatch) -> str:
    if mismatch.what == "value" or got.shape != truth.shape or got.any() or not truth.any():
        return ""
    return ("the values are right but this gradient is all zeros: part of your computation does not "
            "depend on the input differentiably (argmax, round, comparisons, or a detached/.item() value)")


class _Hypotheses:
    """torch's reference on a case's arguments changed by a hypothesis, in float64. ``key`` names
    the change (it must say everything that differs from the case's own arguments) and ``args``
    makes those arguments: each result is computed once per case and kept in ``memo``
    (:attr:`Expected.hypotheses`)."""

    def __init__(self, fn, memo: dict):
        self.fn, self.memo = fn, memo

    def output(self, key: tuple, args) -> torch.Tensor | None:
        if key not in self.memo:
            result = self._invoke(args, None)
            self.memo[key] = None if result is None or result["error"] else result["output"].to(torch.float64)
        return self.memo[key]

    def grads(self, key: tuple, args, upstream) -> dict | None:
        if ("grads", *key) not in self.memo:
            result = self._invoke(args, upstream)
            self.memo[("grads", *key)] = None if result is None else result["grads"]
        return self.memo[("grads", *key)]

    def _invoke(self, args, upstream) -> dict | None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return invoke(self.fn, args(), "cpu", upstream=upstream, dtype=torch.float64)
            except Exception:  # noqa: BLE001 - a hypothesis torch rejects (e.g. mismatched shapes) is just false
                return None


def _matches(hypo, case, got, truth, answer, key: tuple, args, scale: float = 1.0, rename: dict | None = None) -> bool:
    """torch on ``args`` (times ``scale``) is what the learner returned and not the right answer.
    One number can agree with another by chance, so where both results are single numbers the
    learner's gradients must agree with the hypothesis's too (``rename``: which of its leaves each of the learner's is)."""
    alt = hypo.output(key, args)
    if alt is None or not _explains(got, truth, alt * scale):
        return False
    return got.numel() > 1 or truth.numel() > 1 or _gradients_agree(hypo, case, answer, key, args, scale, rename or {})


def _gradients_agree(hypo, case, answer, key: tuple, args, scale: float, rename: dict) -> bool:
    if case.upstream is None:
        return True  # a case without gradients: the value is all there is
    theirs = hypo.grads(key, args, case.upstream)
    if theirs is None:
        return False
    compared = 0
    for name, mine in (answer.get("grads") or {}).items():
        other = theirs.get(rename.get(name, name))
        if type(mine) is not torch.Tensor or other is None:
            continue
        if not _same(mine.detach().to("cpu", torch.float64), other * scale):
            return False
        compared += 1
    return compared > 0


def _with(case, replace: dict | None = None, drop: str | None = None) -> list:
    replace = replace or {}
    return [dict(a, value=replace[a["name"]]) if a["name"] in replace else a for a in case.args if a["name"] != drop]


def _keyword(case, name: str, default=None):
    return next((a["value"] for a in case.args if a["name"] == name), default)


# --- recomputed hypotheses (values only) -------------------------------------------------------

def _swapped(hypo, case, got, truth, answer) -> str:
    tensors = [a for a in case.args if a["kind"] == "tensor"][:MAX_SWAPPED]
    for i, first in enumerate(tensors):
        for second in tensors[i + 1:]:
            if first["value"].shape != second["value"].shape or first["value"].dtype != second["value"].dtype:
                continue
            swap = {first["name"]: second, second["name"]: first}
            args = lambda: [dict(a, value=swap[a["name"]]["value"], transform=swap[a["name"]]["transform"])  # noqa: E731
                            if a["name"] in swap else a for a in case.args]
            if _matches(hypo, case, got, truth, answer, ("swapped", first["name"], second["name"]), args,
                        rename={first["name"]: second["name"], second["name"]: first["name"]}):
                return (f"your result is torch's with '{first['name']}' and '{second['name']}' swapped: "
                        f"check which argument plays which role")
    if getattr(hypo.fn, "__name__", "") == "kl_div":
        return _kl_reversed(hypo, case, got, truth)  # its inputs are new leaves: no gradient to compare
    return ""


def _kl_reversed(hypo, case, got, truth) -> str:
    """KL(Q || P) instead of KL(P || Q): the distributions exchanged, each in the form its argument takes."""
    if not {"input", "target"} <= {a["name"] for a in case.args}:
        return ""

    def exchanged():
        from .invoke import prepare

        passed = prepare(case.args, "cpu", torch.float64)[3]
        log_q, p = passed["input"].detach(), passed["target"].detach()
        log_target = bool(_keyword(case, "log_target", False))
        new_input, new_target = (p, log_q) if log_target else (p.log(), log_q.exp())
        return [dict(a, value=new_input, transform=None) if a["name"] == "input" else
                dict(a, value=new_target, transform=None) if a["name"] == "target" else a for a in case.args]

    if _explains(got, truth, hypo.output(("kl_reversed",), exchanged)):
        return ("your result is KL(Q || P), not KL(P || Q): in kl_div(input, target) the target is P and the "
                "input is log Q, the reverse of the math notation")
    return ""


def _divisor(hypo, case, got, truth, answer) -> str:
    """'mean' over the wrong count: the number of elements instead of the sum of the weights, or back."""
    if _keyword(case, "reduction", "mean") != "mean" or "reduction" not in {a["name"] for a in case.args}:
        return ""
    total = hypo.output(("reduction", "sum"), lambda: _with(case, {"reduction": "sum"}))
    each = hypo.output(("reduction", "none"), lambda: _with(case, {"reduction": "none"}))
    if total is None or each is None or total.dim():
        return ""
    divisors = {"the number of elements": each.numel()}
    target = _keyword(case, "target")
    ignore = _keyword(case, "ignore_index")
    if isinstance(target, torch.Tensor) and not target.is_floating_point() and isinstance(ignore, int):
        divisors["the number of targets that are not ignore_index"] = int((target != ignore).sum())
    weight = _keyword(case, "weight")
    if isinstance(weight, torch.Tensor):
        divisors["the sum of the weights"] = weight.to(torch.float64).sum().item()
        if isinstance(target, torch.Tensor) and not target.is_floating_point() and weight.dim() == 1:
            kept = target if not isinstance(ignore, int) else target[target != ignore]
            if kept.numel() and int(kept.min()) >= 0 and int(kept.max()) < weight.numel():
                divisors["the sum of the weights of the targets"] = weight.to(torch.float64)[kept].sum().item()
    right = [name for name, d in divisors.items() if d and _same(truth, total / d)]
    for name, d in divisors.items():
        if d and right and name not in right and _explains(got, truth, total / d) and \
                _matches(hypo, case, got, truth, answer, ("reduction", "sum"), lambda: _with(case, {"reduction": "sum"}),
                         scale=1 / d):
            return (f"your 'mean' divides by {name}, but torch's divides here by {right[0]}: "
                    "check what you divide the sum by")
    return ""


def _other_reduction(hypo, case, got, truth, answer) -> str:
    asked = _keyword(case, "reduction")
    left_out = asked is None
    if left_out:  # the call relies on the default: a wrong default in the learner's signature shows here
        asked = _default(hypo.fn, "reduction")
    if asked not in REDUCTIONS:
        return ""
    for other in REDUCTIONS:
        if other != asked and _matches(hypo, case, got, truth, answer, ("reduction", other),
                                       lambda: _with_keyword(case, "reduction", other)):
            if left_out:
                return (f"your output matches reduction='{other}', but the call passes no reduction=, so torch's "
                        f"default reduction='{asked}' was requested (what does your signature default to?)")
            return f"your output matches reduction='{other}', but reduction='{asked}' was requested"
    return ""


def _default(fn, name: str):
    try:
        parameter = inspect.signature(fn).parameters.get(name)
    except (TypeError, ValueError):
        return None
    return None if parameter is None or parameter.default is parameter.empty else parameter.default


def _with_keyword(case, name: str, value) -> list:
    """The case's arguments with keyword ``name`` set to ``value``, whether the case passed it or not."""
    if any(a["name"] == name for a in case.args):
        return _with(case, {name: value})
    return [*case.args, {"name": name, "kind": "value", "value": value, "grad": False, "transform": None, "keyword": True}]


def _ignored_keyword(hypo, case, got, truth, answer) -> str:
    for arg in case.args:
        if not arg["keyword"] or arg["name"] == "reduction":
            continue
        if _matches(hypo, case, got, truth, answer, ("without", arg["name"]), lambda: _with(case, drop=arg["name"])):
            return (f"your output is what torch gives without {arg['name']}={_short(arg)}: "
                    f"is '{arg['name']}' used at all?")
    return ""


def _short(arg) -> str:
    value = arg["value"]
    if isinstance(value, torch.Tensor):
        return f"<{str(value.dtype).replace('torch.', '')} tensor {tuple(value.shape)}>"
    return repr(value)


# --- read off the numbers ------------------------------------------------------------------------

def _non_finite(got, truth, mismatch, expected) -> str:
    """NaN or inf where torch is finite. Overflow is named only if an input is above what exp()
    of its dtype can hold, beside the log() of a probability rounded to 0 or 1 that such inputs
    also cause; an input is named only if, element for element, yours
    is non-finite exactly where that input is negative (NaN) or zero (inf)."""
    if got.shape != truth.shape:
        return ""
    bad = ~torch.isfinite(got) & torch.isfinite(truth)
    if not bad.any():
        return ""
    kind = "nan" if got[bad].isnan().any() else "inf"
    where = "gradient" if mismatch.what != "value" else "result"
    floats = {n: t.to(torch.float64) for n, t in expected.passed.items() if t.is_floating_point() and t.numel()}
    for name, t in floats.items():
        limit = math.log(torch.finfo(expected.passed[name].dtype).max)
        finite = t[t.isfinite()]
        if finite.numel() and finite.max().item() > limit:
            # Which of the two broke the learner's code the numbers cannot tell: both are named.
            return (f"your {where} is {kind} where torch's is finite, on inputs beyond what exp() of their dtype holds "
                    f"('{name}' goes above {limit:.0f}): there exp() is inf, and sigmoid or softmax round to exactly "
                    "0 or 1, so an exp(), or a log() of such a probability, gives inf or NaN. Work in log space: "
                    "the log-sum-exp trick (subtract the max first), log_softmax, logsigmoid")
    if mismatch.what != "value":  # the value was right: the NaN comes from a branch or a point of infinite slope
        return (f"your {where} is {kind} where torch's is finite, though your value is right: an inf or NaN in a "
                "branch that torch.where does not select, or a sqrt()/log() at 0, still reaches the gradient; "
                "make the input safe before the operation (e.g. clamp it, or torch.where on the input)")
    culprit = (lambda t: t < 0) if kind == "nan" else (lambda t: t == 0)
    named = [f"'{n}'" for n, t in floats.items() if t.shape == got.shape and bool((culprit(t) == bad).all())]
    cause = "a log() or sqrt() of a negative number, 0/0 or 0 * inf" if kind == "nan" else "a log(0) or a division by zero"
    which = f" (yours is {kind} exactly where {' and '.join(named)} {'is negative' if kind == 'nan' else 'is 0'}: " \
            "is it used in the form torch expects, e.g. already a log?)" if named else ""
    return (f"your {where} is {kind} where torch's is finite. No exp() can overflow on these inputs, so it comes "
            f"from {cause}{which}; clamp, torch.where or torch.xlogy where torch's formula is defined")


def _float32_precision(got, truth, case, mismatch) -> str:
    """Named only on float32's fingerprint: a float64 result whose elements are mostly exact float32
    numbers, each within float32's rounding of the truth. (A sum or mean in float64 of float32 terms
    leaves no such trace, and an eps in the wrong place can be as small: a scalar is never named.)"""
    if case.dtype != "float64" or mismatch.what != "value" or got.shape != truth.shape or got.numel() < 2 \
            or not torch.isfinite(got).all():
        return ""
    eps32 = torch.finfo(torch.float32).eps
    error = (got - truth).abs()
    rounded = error <= 8 * eps32 * truth.abs()
    differs = error > 0  # an element equal to the truth (a zero, say) says nothing about float32
    exact_float32 = got[differs] == got[differs].to(torch.float32).to(torch.float64)
    if not (rounded.all() and differs.any() and exact_float32.double().mean().item() >= 0.5):
        return ""
    return ("float32 precision: your float64 result holds float32 numbers (right to about 7 digits): part of your computation "
            "runs in float32 (a torch.tensor(...) or torch.zeros(...) without dtype=, or .float())")


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
    if not _same(got, truth * r):  # elements torch has at zero must be zero in yours too
        return ""
    subject = "your result" if what == "value" else f"your {what}"
    if abs(r + 1) < 1e-4:
        return f"{subject} has the wrong sign"
    source = _matching_param(case, r) or _matching_size(case, r)
    halved = abs(abs(r) - 2) < 1e-4 or abs(abs(r) - 0.5) < 1e-4
    if int(nonzero.sum()) < 2 and not (source or halved):
        return ""  # any two numbers differ by "a factor": for one element only a telling one is worth saying
    return f"{subject} is off by a constant factor of {r:.4g}" + (f" ({source})" if source else "")


def _matching_param(case, factor: float) -> str:
    """Name a scalar parameter (delta, margin...) that the factor is, or the inverse of."""
    for name in FACTOR_PARAMS:
        value = _keyword(case, name)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value not in (0, 1, -1):
            for shown, candidate in ((name, value), (f"1/{name}", 1 / value)):
                if abs(factor - candidate) <= 1e-4 * abs(candidate):
                    return f"= {shown}, with {name}={value:g}: check where {name} goes in the formula"
    return ""


def _matching_size(case, ratio: float) -> str:
    """Name a dimension of an input whose size is the ratio or its inverse (e.g. 'the size of dim 0 of input')."""
    factor, way = (abs(ratio), "too large") if abs(ratio) >= 1 else (1 / abs(ratio), "too small")
    for arg in case.args:
        if arg["kind"] != "tensor":
            continue
        shape = arg["value"].shape
        if shape.numel() > 2 and abs(shape.numel() - factor) < 1e-6 * factor:
            return f"{way} by the number of elements of '{arg['name']}' ({shape.numel()}): check what you divide by"
        for dim, size in enumerate(shape):
            if size > 2 and abs(size - factor) < 1e-6 * factor:  # a 2 is too often a coincidence
                return f"{way} by the size of dim {dim} of '{arg['name']}' ({size}): check what you divide by"
    return ""
