"""Runtime guard: trap forbidden functions before any untrusted code is loaded.

Two layers, both installed once in the zygote so every forked job inherits them:
- Python names (``torch.nn.functional.mse_loss``, ``torch.kl_div``, ``torch.nn.MSELoss``...) are
  replaced by traps, which catches the easy routes;
- the dispatcher ops behind them (``aten::mse_loss`` and all its overloads) get kernels that
  trap, which catches ``torch.ops.aten.*``, ``torch._C._nn.*`` and any other route to the kernel.

A trap first reports the call on a pipe the zygote reads (so catching the exception does not
hide it), then raises. Undoing the Python-name traps needs introspection that the static scan
rejects; the dispatcher traps cannot be undone from Python at all (see :func:`_trap_ops`), so
even code that slipped past the scan never reaches torch's kernels.
"""
from __future__ import annotations

import ctypes
import os
import re
import warnings

import torch

_report_fd: int | None = None
_DISPATCH_KEYS = ("CompositeImplicitAutograd", "Autograd", "CPU", "CUDA")
_NAMESPACES = ("torch.nn.functional", "torch", "torch._C._nn", "torch.nn", "torch.nn.modules.loss")


class ForbiddenCall(BaseException):
    """Raised by a trap; a BaseException so a bare ``except Exception`` does not swallow it."""


def set_report_fd(fd: int | None) -> None:
    global _report_fd
    _report_fd = fd


def _report(name: str) -> None:
    if _report_fd is not None:
        try:
            os.write(_report_fd, (name + "\n").encode())
        except OSError:
            pass
    raise ForbiddenCall(f"{name} is not allowed here: implement it with elementary tensor operations")


def _trap(name: str):
    def trap(*args, **kwargs):
        _report(name)

    trap.__name__ = name.rsplit(".", 1)[-1]
    return trap


def install(calls, ops) -> list[str]:
    """Trap Python names in ``calls`` and dispatcher ops in ``ops``; returns what was trapped."""
    trapped = []
    modules = {}
    for path in _NAMESPACES:
        obj = torch
        for part in path.split(".")[1:]:
            obj = getattr(obj, part, None)
        if obj is not None:
            modules[path] = obj
    for name in calls:
        for path, module in modules.items():
            if hasattr(module, name):
                setattr(module, name, _trap(f"{path}.{name}"))
                trapped.append(f"{path}.{name}")
    trapped += _trap_ops(ops)
    return trapped


def _trap_ops(ops) -> list[str]:
    if not ops:
        return []
    wanted = re.compile(r"aten::(%s)(\..*)?$" % "|".join(map(re.escape, ops)))
    # Not torch.library.Library: whoever holds one (and gc.get_objects() finds it) can call its
    # _destroy() and get torch's kernels back. The raw C++ registration object is not tracked
    # by gc; leaking one reference and dropping ours leaves nothing in Python that can reach it.
    registrations = torch._C._dispatch_library("IMPL", "aten", "", __file__, 0)
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(registrations))
    trapped = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "overriding a previously registered kernel" is the point
        for qualified in torch._C._dispatch_get_all_op_names():
            if not wanted.match(qualified):
                continue
            op = qualified[len("aten::"):]
            for key in _DISPATCH_KEYS:
                try:
                    registrations.impl(op, key, _trap(f"torch.ops.aten.{op}"), False)
                except RuntimeError:
                    continue  # e.g. a CUDA key on a build without CUDA
            trapped.append(qualified)
    return trapped
