"""A reproducible example for a failed PUBLIC case: the exact inputs, the call, and what came out.

Small tensors are printed in full, each value in its shortest exactly round-tripping form, as
``torch.tensor(...)`` a learner can paste into a Python session. Never used for hidden cases.
"""
from __future__ import annotations

import numpy as np
import torch

from .compare import Mismatch
from .reference import Expected

MAX_PRINTED = 64  # elements; larger tensors are described by dtype and shape only


def tensor_text(t, indent: str = "") -> str:
    if t is None:
        return "None"
    if type(t) is not torch.Tensor:
        return f"{type(t).__name__} (not a tensor)"
    dtype = str(t.dtype).replace("torch.", "")
    if t.numel() > MAX_PRINTED:
        return f"<{dtype} tensor of shape {tuple(t.shape)}: too large to print>"
    values = t.detach().cpu()
    if values.dtype == torch.bfloat16:
        values = values.float()
    body = np.array2string(values.numpy(), separator=", ", floatmode="unique", threshold=MAX_PRINTED + 1,
                           max_line_width=100, prefix=indent + "torch.tensor(")
    if t.dim() == 0:
        body = body.strip()
    suffix = "" if t.dtype in (torch.float32, torch.bool) else f", dtype=torch.{dtype}"
    return f"torch.tensor({body}{suffix})"


def example(case, expected: Expected, answer: dict, mismatch: Mismatch) -> str:
    """Multi-line text: inputs, call, then the tensor that differs (yours vs expected)."""
    lines = []
    for arg in case.args:
        if arg["kind"] == "tensor":
            prefix = f"{arg['name']} = "
            lines.append(prefix + tensor_text(arg["value"], " " * len(prefix)))
    lines.append(f"out = {case.call}")
    if mismatch.what == "value":
        lines += _pair("out", answer.get("output"), expected.output)
    elif mismatch.what.startswith("gradient"):
        name = mismatch.what.split("'")[1]
        leaf = _leaf_of(case, name)
        upstream = "" if case.upstream is None else tensor_text(case.upstream.to(expected.output.dtype), " " * 13)
        lines.append(f"out.backward({upstream})")
        lines += _pair(f"{leaf}.grad", (answer.get("grads") or {}).get(name), expected.grads[name][0])
    return "\n".join(lines)


def _leaf_of(case, name: str) -> str:
    for arg in case.args:
        if arg["name"] == name and arg["transform"]:
            return f"{name} (the leaf before {arg['transform']})"
    return name


def _pair(label: str, got, want) -> list[str]:
    mine, theirs = f"your {label}: ", "expected: "
    width = max(len(mine), len(theirs))
    return [mine.ljust(width) + tensor_text(got, " " * width), theirs.ljust(width) + tensor_text(want, " " * width)]
