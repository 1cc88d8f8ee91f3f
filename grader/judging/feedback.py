"""What a failed case tells the learner: the case to show first, and its reproducible example.

The example (PUBLIC cases only) holds the exact inputs, the call, and what came out. Small tensors
are printed in full, each value in its shortest exactly round-tripping form, as ``torch.tensor(...)``
a learner can paste into a Python session.
"""
from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .compare import Mismatch
    from .reference import Expected

MAX_PRINTED = 64  # elements; larger tensors are described by dtype and shape only


def tensor_text(t, indent: str = "") -> str:
    import numpy as np
    import torch  # here, not at the top: reports pick and print cases without torch

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


def example(case, expected: "Expected", answer: dict, mismatch: "Mismatch") -> str:
    """Multi-line text: inputs, call, then the tensor that differs (yours vs expected). The case's
    own tensors are printed once per case (``expected.shown``): only the learner's answer varies."""
    shown = expected.shown
    if "inputs" not in shown:
        shown["inputs"] = [f"{arg['name']} = " + tensor_text(arg["value"], " " * len(f"{arg['name']} = "))
                           for arg in case.args if arg["kind"] == "tensor"] + [f"out = {case.call}"]
    lines = list(shown["inputs"])
    if mismatch.problem == "error":  # there is no output to show, and the headline says why
        raised = str(answer.get("error", "")).startswith("raised")
        lines.append("your out: none (your function raised)" if raised else "your out: not a tensor")
    elif mismatch.what == "value":
        lines += _pair("out", answer.get("output"), expected.output, shown)
    elif mismatch.what.startswith("gradient"):
        name = mismatch.what.split("'")[1]
        if "backward" not in shown:
            upstream = "" if case.upstream is None else tensor_text(case.upstream.to(expected.output.dtype), " " * 13)
            shown["backward"] = f"out.backward({upstream})"
        lines.append(shown["backward"])
        lines += _pair(f"{_leaf_of(case, name)}.grad", (answer.get("grads") or {}).get(name), expected.grads[name][0], shown)
    return "\n".join(lines)


def _leaf_of(case, name: str) -> str:
    for arg in case.args:
        if arg["name"] == name and arg["transform"]:
            return f"{name} (the leaf before {arg['transform']})"
    return name


def _pair(label: str, got, want, shown: dict) -> list[str]:
    """Yours and the expected tensor, aligned; the expected one's text is kept in ``shown``."""
    mine, theirs = f"your {label}: ", "expected: "
    width = max(len(mine), len(theirs))
    if label not in shown:
        shown[label] = theirs.ljust(width) + tensor_text(want, " " * width)
    return [mine.ljust(width) + tensor_text(got, " " * width), shown[label]]


def shown_case(cases: list):
    """The failed case to explain first: a public one with a diagnosis, else any public one
    (its inputs can be shown), else a hidden one that says why it failed (a diagnosis, or a
    problem other than differing values, such as a gradient that never arrived), else the first."""
    failed = [c for c in cases if not c.passed]
    return next((c for c in failed if c.public and c.hint), None) or \
        next((c for c in failed if c.public), None) or \
        next((c for c in failed if c.hint or c.problem not in ("values", "")), None) or next(iter(failed), None)


def case_text(case) -> str:
    """A failed case as the report shows it: headline, example or call, hint."""
    visibility = "public" if case.public else "hidden"
    text = f"{visibility} case '{case.name}': {case.message}"
    if case.example:
        text += "\n" + textwrap.indent(case.example, "    ")
    elif case.public:
        text += f"\n    call: {case.call}"
    if case.hint:
        text += f"\n    hint: {case.hint}"
    return text


def printed(answer) -> str:
    """What the worker says a case printed: untrusted, so it is bounded and escaped here."""
    text = answer.get("printed") if isinstance(answer, dict) else None
    if not text or not isinstance(text, str):  # most cases print nothing: no imports to resolve
        return ""
    from . import untrusted
    from .invoke import CUT, PRINTED_PER_CASE

    return untrusted.text(text, PRINTED_PER_CASE + len(CUT))
