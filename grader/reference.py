"""Trusted side: compute what each case should return, in the case dtype and in float64."""
from __future__ import annotations

import importlib
import inspect
import warnings
import zlib
from dataclasses import dataclass

import torch

from .casegen import Case
from .errors import CourseError
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
    passed: dict  # name -> the tensor as handed to the function, to detect in-place edits


def unsupported_params(fn, case: Case) -> list[str]:
    """Keyword arguments the installed torch's reference does not accept."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return []
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return []
    return [a["name"] for a in case.args if a["keyword"] and a["name"] not in params]


def expected_for(fn, case: Case, device: str) -> Expected:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. mse_loss's broadcasting warning: broadcasting is the case
        return _expected(fn, case, device)


def _expected(fn, case: Case, device: str) -> Expected:
    first = invoke(fn, case.args, device, upstream=None)
    if first["error"]:
        raise CourseError(f"{case.where}: the reference fails on case '{case.label}': {first['error']}")
    out = first["output"]
    g = torch.Generator().manual_seed(zlib.crc32(("upstream:" + case.id).encode()))
    case.upstream = torch.randn(out.shape, generator=g, dtype=torch.float64)
    ref = invoke(fn, case.args, device, case.upstream)
    truth = invoke(fn, case.args, device, case.upstream, dtype=torch.float64)
    grads = {name: (grad, truth["grads"].get(name)) for name, grad in ref["grads"].items()}
    passed = prepare(case.args, device)[3]
    return Expected(ref["output"], truth["output"], grads, {k: v.detach() for k, v in passed.items()})
