"""Call a function on prepared inputs, then backpropagate: the one procedure both sides run.

The trusted side runs it on the reference; the worker runs it on the learner's function.
Arguments travel as plain dicts (``name``, ``kind``, ``value``, ``grad``, ``transform``,
``keyword``) so they survive ``torch.save``/``torch.load(weights_only=True)``.
"""
from __future__ import annotations

import torch

try:  # torch >= 2.3: what out.backward() ends in
    from torch.autograd.graph import _engine_run_backward
except ImportError:  # older torch (pyproject allows 2.1): what that function wraps
    from torch.autograd.variable import Variable

    _engine_run_backward = Variable._execution_engine.run_backward

from .tensorfns import CALLABLES, TRANSFORMS


def prepare(args: list, device: str, dtype: torch.dtype | None = None):
    """Return (positional, keyword, leaves, passed): leaves are tensors gradients are taken
    w.r.t.; passed are the tensors the function receives (to detect in-place edits)."""
    positional, keyword, leaves, passed = [], {}, {}, {}
    for arg in args:
        value = arg["value"]
        if arg["kind"] == "tensor":
            leaf = value.detach().clone().to(device)
            if dtype is not None and leaf.is_floating_point():
                leaf = leaf.to(dtype)
            if arg["grad"]:
                leaf.requires_grad_(True)
                leaves[arg["name"]] = leaf
            value = TRANSFORMS[arg["transform"]](leaf) if arg["transform"] else leaf
            passed[arg["name"]] = value
        elif arg["kind"] == "callable":
            value = CALLABLES[value]
        if arg["keyword"]:
            keyword[arg["name"]] = value
        else:
            positional.append(value)
    return positional, keyword, leaves, passed


def invoke(fn, args: list, device: str, upstream, dtype: torch.dtype | None = None) -> dict:
    """Run ``fn`` and backward; never raises for what ``fn`` does (errors are reported). The
    result's ``after`` holds the inputs the call changed in place, if any.

    ``upstream`` is the gradient flowing into the output, None for no backward, or a callable
    that makes it from the output (the reference learns the output's shape only by running)."""
    positional, keyword, leaves, passed = prepare(args, device, dtype)
    before = {name: tensor.detach().clone() for name, tensor in passed.items()}
    result = {"output": None, "error": None, "grads": {}, "grad_error": None, "after": {}}
    try:
        out = fn(*positional, **keyword)
    except BaseException as exc:  # noqa: BLE001 - learner code may raise anything, even SystemExit
        result["error"] = f"raised {type(exc).__name__}: {exc}"[:500]
        return result
    if type(out) is not torch.Tensor:
        result["error"] = f"returned {type(out).__name__}, expected a torch.Tensor"[:500]
        return result
    result["output"] = out.detach()
    if callable(upstream):
        upstream = upstream(result["output"])
    if leaves and upstream is not None and out.requires_grad:
        grad_out = upstream.to(device=out.device, dtype=out.dtype)
        try:
            if grad_out.shape == out.shape:
                backward(out, grad_out)
        except BaseException as exc:  # noqa: BLE001
            result["grad_error"] = f"{type(exc).__name__}: {exc}"[:500]
    result["grads"] = {name: (leaf.grad.detach() if leaf.grad is not None else None) for name, leaf in leaves.items()}
    result["after"] = _changed(passed, before)
    return result


def _changed(passed: dict, before: dict) -> dict:
    """The tensors of ``passed`` that no longer equal their copy in ``before`` (an edit in place,
    even during backward), as they are now. Unchanged ones are left out: sending every input of
    every case back cost a job a third of its encoding, for an edit few learners make."""
    found = {}
    for name, tensor in passed.items():
        now = tensor.detach()
        try:
            same = unchanged(now, before[name])
        except Exception:  # noqa: BLE001 - learner code may have broken the tensor: the grader decides
            same = False
        if not same:
            found[name] = now
    return found


def unchanged(now, before: torch.Tensor) -> bool:
    """Whether ``now`` is still the input ``before`` holds: a plain tensor of the same shape and
    dtype, equal element for element, NaN meeting NaN. The job asks it to know what to send back,
    the grader to judge what came back. Raises for what cannot be compared (a meta tensor)."""
    if not (type(now) is torch.Tensor and now.shape == before.shape and now.dtype == before.dtype):
        return False
    now = now.to(before.device)
    return torch.equal(now, before) or bool(((now == before) | (now.isnan() & before.isnan())).all())


def backward(out: torch.Tensor, grad_out: torch.Tensor) -> None:
    """``out.backward(grad_out)``, bit for bit: the call it ends in, the autograd engine started
    from ``out`` with ``grad_out`` as its gradient. What comes before that call is left out:
    argument checks (the caller checks the shape; ``out`` is a plain tensor, so there is no
    ``__torch_function__`` to honour) that compare shapes symbolically and so import sympy, half
    a second of every run of the grader that computes references. Nor is the graph extended
    (``(out * grad_out).sum().backward()`` gives the same gradients): two more ops forward and
    back cost a job about a seventh of its own time per case."""
    _engine_run_backward((out,), (grad_out,), False, False, (), allow_unreachable=True, accumulate_grad=True)


PRINTED_PER_CASE = 1000  # characters of what one case printed kept for the report
PRINTED_PER_JOB = 8192  # and of all cases of one exercise's task together
CUT = f"\n[cut: a case's report keeps the first {PRINTED_PER_CASE} characters it printed, an exercise's {PRINTED_PER_JOB}]"
_job_budget = [PRINTED_PER_JOB]


def start_task() -> None:
    """A new exercise in the same process starts with the whole allowance."""
    _job_budget[0] = PRINTED_PER_JOB


class _Tee:
    """Passes writes through to the job's (capped) stream and keeps the first characters, so the
    report can show what each case printed beside that case."""

    def __init__(self, stream, kept: list):
        self._stream, self._kept = stream, kept

    def write(self, text) -> int:
        text = str(text)
        room = min(PRINTED_PER_CASE - sum(map(len, self._kept)), _job_budget[0])
        if room > 0:
            self._kept.append(text[:room])
            _job_budget[0] -= len(self._kept[-1])
        if len(text) > max(room, 0) and self._kept and self._kept[-1] != CUT:  # what the report shows is cut
            self._kept.append(CUT)
        return self._stream.write(text)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def invoke_capturing(fn, args: list, device: str, upstream) -> dict:
    """:func:`invoke` in the worker, with what this case printed under ``printed``."""
    import sys

    kept: list = []
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Tee(saved[0], kept), _Tee(saved[1], kept)
    try:
        result = invoke(fn, args, device, upstream)
    finally:
        sys.stdout, sys.stderr = saved  # even if the learner replaced them: the next case starts clean
    result["printed"] = "".join(kept)
    return result
