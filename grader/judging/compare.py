"""Trusted comparison of what the worker returned with the reference, in learner terms.

Tolerances are per dtype and relative to the magnitude of the values: an element passes when
``|got - truth| <= atol * max|truth| + rtol * |truth| + 4 * |torch - truth|``, where ``truth`` is
the reference computed in float64 and ``torch`` is the reference in the case's dtype. The last term
admits any implementation at least as accurate as torch's own; float64 cases use the float64
reference for both, so their tolerance is the rtol alone.

The principle: accept every honest implementation, reject every other. The float64 rtol (1e-8) is
above the largest relative error torch's own building blocks make with their defaults, so a loss
built from them keeps full marks in every case (softplus returns x above its threshold 20, off by
up to e^-20 = 2.1e-9 in value and slope; torch keeps cosine_embedding_loss's 1e-12 eps as a float32,
off by 4e-9 relative, ~2e-9 in the loss); and it is well below float32's rounding (6e-8), so a
program that computes in float32 when given float64 still fails.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

DEFAULT_TOLERANCE = {
    "float32": {"rtol": 1e-5, "atol": 1e-6},
    "float64": {"rtol": 1e-8, "atol": 1e-12},
}


@dataclass
class Mismatch:
    """Why a case failed. ``what`` names the tensor: 'value' or 'gradient w.r.t. input'."""

    what: str
    problem: str  # 'error', 'type', 'dtype', 'shape', 'device', 'values', 'missing', 'modified'
    message: str
    max_abs: float | None = None
    max_rel: float | None = None
    index: tuple | None = None
    got: float | None = None
    expected: float | None = None
    mismatched: int = 0
    total: int = 0
    non_finite: str = ""  # e.g. "2 nan, 1 inf" among the differing elements, which have no error size


    def describe(self, public: bool) -> str:
        """The failure in words. For a hidden case the error sizes have one significant figure:
        with three, a scalar result's error beside the learner's own output gave torch's
        expected value to three figures."""
        text = f"{self.what}: {self.message}"
        size = "{:.3g}" if public else "about {:.0e}"
        if self.problem == "values":
            if self.non_finite:
                text += f"; yours has {self.non_finite} where the expected value is not"
            if self.max_abs is not None:
                text += "; max abs error " + size.format(self.max_abs)
            if self.max_rel is not None:
                text += ", max rel error " + size.format(self.max_rel)
            if self.index:  # a 0-dimensional result has no index worth naming
                text += f"; {self.mismatched} of {self.total} elements differ, first at index {list(self.index)}"
            if public:
                got, expected = _distinct(self.got, self.expected)
                text += f" (got {got}, expected {expected})"
        return text


def _distinct(got: float, expected: float) -> tuple[str, str]:
    """Both numbers to six significant figures, or to as many more as they need to differ: a
    tiny error (an eps left out) showed 'got 0.790669, expected 0.790669'."""
    for digits in range(6, 18):
        shown = f"{got:.{digits}g}", f"{expected:.{digits}g}"
        if shown[0] != shown[1]:
            break
    return shown


def tolerance_for(dtype: str, overrides: dict) -> dict:
    return {**DEFAULT_TOLERANCE[dtype], **(overrides.get(dtype) or {})}


class Target:
    """A reference tensor and what judging an answer against it needs, computed once: a grader
    that judges a whole class compares every student's answer with the same targets."""

    def __init__(self, ref: torch.Tensor, truth: torch.Tensor | None, tol: dict):
        self.ref, self.shape, self.device = ref, ref.shape, ref.device.type  # read once, not per answer
        if ref.is_floating_point():
            self.ref64 = ref.detach().to("cpu", torch.float64)
            self.truth64 = self.ref64 if truth is None else truth.detach().to("cpu", torch.float64)
            self.finite = torch.isfinite(self.ref64)
            self.all_finite = bool(self.finite.all())
            truth_abs = self.truth64.abs()
            magnitude = float(torch.where(self.finite, truth_abs, 0).max()) if self.truth64.numel() else 0.0
            self.allowed = (tol["atol"] * max(magnitude, 1e-30) + tol["rtol"] * truth_abs
                            + 4 * (self.ref64 - self.truth64).abs())
        # Judging is element by element, so an answer equal to torch's own result element for
        # element (as most honest answers are) gets the reference's verdict: one op, not seven.
        self.ref_passes = self._values("", ref) is None

    def check(self, what: str, got) -> Mismatch | None:
        """Check type, device, dtype, shape, non-finite pattern and values of one tensor."""
        ref = self.ref
        if type(got) is not torch.Tensor:
            return Mismatch(what, "type", f"got {type(got).__name__}, expected a torch.Tensor")
        if got.device.type != self.device:
            return Mismatch(what, "device", f"on {got.device.type}, expected {self.device} (keep tensors on the input's device)")
        if got.dtype != ref.dtype:
            return Mismatch(what, "dtype", f"dtype {_dt(got.dtype)}, expected {_dt(ref.dtype)} (compute in the input's dtype)")
        if got.shape != self.shape:
            return Mismatch(what, "shape", f"shape {tuple(got.shape)}, expected {tuple(self.shape)}")
        if self.ref_passes and torch.equal(got, ref):
            return None
        return self._values(what, got)

    def _values(self, what: str, got: torch.Tensor) -> Mismatch | None:
        """Compare the values of ``got``, of the reference's dtype and shape."""
        ref = self.ref
        if not ref.is_floating_point():
            bad = got != ref
            return _values_mismatch(what, bad, got, ref, torch.zeros_like(ref, dtype=torch.float64)) if bad.any() else None
        got64 = got.detach().to("cpu", torch.float64)
        err = (got64 - self.truth64).abs()
        if self.all_finite and bool((err <= self.allowed).all()):  # the common case, in a few ops
            return None
        # NaN must meet NaN and inf must meet inf of the same sign; nothing else non-finite passes.
        ref64 = self.ref64
        pattern_bad = ~self.finite & ~((got64 == ref64) | (got64.isnan() & ref64.isnan()))
        value_bad = self.finite & ~(err <= self.allowed)  # NaN error counts as bad
        bad = pattern_bad | value_bad
        if not bad.any():
            return None
        return _values_mismatch(what, bad, got64, ref64, err)


def _unravel(flat: int, shape) -> tuple:
    """A flat index as an index into ``shape``; not torch.unravel_index, whose argument checks
    import sympy (half a second, on the first failing case of every run)."""
    index = []
    for size in reversed(shape):
        flat, at = divmod(flat, size)
        index.append(at)
    return tuple(reversed(index))


def _values_mismatch(what, bad, got, ref, err) -> Mismatch:
    flat = bad.reshape(-1).nonzero()
    first = flat[0].item() if len(flat) else 0
    index = _unravel(first, bad.shape)
    # Errors are sized over finite differing elements only (a NaN is counted, not called "inf"), and
    # relative errors only where the expected value is not zero.
    got64, ref64 = got.to(torch.float64), ref.to(torch.float64)
    sized = bad & torch.isfinite(got64) & torch.isfinite(ref64)
    err = err.to(torch.float64)
    max_abs = err[sized].max().item() if sized.any() else None
    relative = sized & (ref64 != 0)
    max_rel = (err[relative] / ref64[relative].abs()).max().item() if relative.any() else None
    counts = [(int((bad & got64.isnan()).sum()), "nan"), (int((bad & got64.isinf()).sum()), "inf")]
    non_finite = ", ".join(f"{n} {kind}" for n, kind in counts if n)
    got_v = got.reshape(-1)[first].item() if got.numel() else float("nan")
    ref_v = ref.reshape(-1)[first].item() if ref.numel() else float("nan")
    return Mismatch(what, "values", "values differ", max_abs=max_abs, max_rel=max_rel,
                    index=index, got=float(got_v), expected=float(ref_v),
                    mismatched=int(bad.sum()), total=bad.numel(), non_finite=non_finite)


def _dt(dtype: torch.dtype) -> str:
    return str(dtype).replace("torch.", "")
