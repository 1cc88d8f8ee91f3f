"""Decide one case: the worker's untrusted answer against the trusted expectation."""
from __future__ import annotations

import torch

from ..course.casegen import Case
from . import untrusted
from .compare import Mismatch
from .invoke import unchanged
from .reference import Expected
from ..sandbox import wire


def decode(frame: bytes):
    """Load an answer frame; anything but the plain structure we expect is rejected. Its strings
    are still the job's: whoever shows one passes it through :func:`untrusted.text`."""
    try:
        data = wire.decode(frame)
    except Exception:  # noqa: BLE001 - hostile bytes may fail in many ways
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return None
    return data


def judge(case: Case, expected: Expected, answer: dict | None, tol: dict) -> Mismatch | None:
    """Why ``answer`` fails the case, or None. Never raises: an answer the checks cannot even
    handle (a meta tensor where data was expected...) is a failed case, not a grader fault."""
    try:
        return _judge(case, expected, answer, tol)
    except Exception as exc:  # noqa: BLE001 - hostile answers can break a check in many ways
        return Mismatch("value", "error", f"your answer could not be checked: {type(exc).__name__}: "
                                          f"{untrusted.text(exc)}")


def _judge(case: Case, expected: Expected, answer: dict | None, tol: dict) -> Mismatch | None:
    if answer is None:
        return Mismatch("value", "missing", "no answer: the worker stopped before this case")
    if answer.get("error"):  # "raised ..." or "returned ..., expected a torch.Tensor"
        return Mismatch("value", "error", f"your function {untrusted.text(answer['error'])}")
    # An input changed in place comes first: it is the cause, and the wrong value it usually
    # brings would otherwise hide it behind "values differ".
    found = _modified_inputs(expected, answer.get("after"))
    if found:
        return found
    if "value" in case.compare:
        found = expected.target(None, tol).check("value", answer.get("output"))
        if found or "grad" not in case.compare:
            return found
    return _gradients(expected, answer, tol) if "grad" in case.compare else None


def _modified_inputs(expected: Expected, after) -> Mismatch | None:
    """The first input the answer shows changed, checked against the trusted copy. The job
    sends back only the inputs it found changed (see :func:`invoke.invoke`), so one left out is
    taken as unchanged. That trusts the job, as the check always did: when every input came
    back, a job could send copies it had kept untouched. The check is feedback on an honest
    learner's slip, not a defence, and a job that leaves out an input it changed gains nothing
    it could not gain before."""
    after = after if isinstance(after, dict) else {}
    for name, before in expected.passed.items():
        if name not in after:
            continue
        if not unchanged(after[name], before):
            return Mismatch(f"input '{name}'", "modified",
                            f"your function changed '{name}' in place; work on new tensors (e.g. x = x * 2, not x *= 2)")
    return None


def _gradients(expected: Expected, answer: dict, tol: dict) -> Mismatch | None:
    grads = answer.get("grads") if isinstance(answer.get("grads"), dict) else {}
    for name, (ref, truth) in expected.grads.items():
        if ref is None:
            continue  # torch itself does not differentiate w.r.t. this input
        what = f"gradient w.r.t. '{name}'"
        got = grads.get(name)
        if got is None and _exactly_zero(truth if truth is not None else ref):
            continue  # no graph to '{name}' is right where the true gradient is zero or empty
        if got is None:
            why = answer.get("grad_error")
            message = (f"backward failed: {untrusted.text(why)}" if why else
                       f"no gradient reached '{name}': values right but the graph is cut. "
                       "Did you detach, call .item() or .tolist(), or build a new tensor with torch.tensor(...)?")
            return Mismatch(what, "missing", message)
        found = expected.target(name, tol).check(what, got)
        if found:
            return found
    return None


def _exactly_zero(grad: torch.Tensor) -> bool:
    return not bool(grad.any())
