"""Runtime guard: trap forbidden functions before any untrusted code is loaded.

Two layers, both installed once in the zygote so every forked job inherits them:
- Python names (``torch.nn.functional.mse_loss``, ``torch.kl_div``, ``torch.nn.MSELoss``...) are
  replaced by traps, which catches the easy routes;
- the dispatcher ops behind them (``aten::mse_loss`` and all its overloads) get kernels that
  trap, at every dispatch key where torch has a kernel for them (vmap's batching rules and the
  composite kernels other backends inherit among them), which catches ``torch.ops.aten.*``,
  ``torch._C._nn.*``, ``torch.vmap``, ``redispatch`` and any other route through the dispatcher.

torch also ships Python reimplementations of many losses, built from elementary ops that no
kernel trap sees: ``torch._decomp`` (functions and decomposition-table entries), ``torch._refs``,
the pure-Python bodies in ``torch/nn/functional.py`` and the helpers that do their work under
longer names (``_nll_loss_forward``, ``_linear_cross_entropy_batch_chunked_accumulator``). Every
function object of torch whose name holds a forbidden call or op (as whole ``_``-separated
words), and every method of a torch class of a forbidden name (nn.MSELoss under any module path),
gets a trap as its ``__code__``, in place, so whatever reaches that object (a module attribute,
a table, ``__wrapped__``, a closure) reaches the trap; and an
audit hook (which Python cannot remove) recognises those bodies by their bytecode when a job
compiles them afresh (torch's source read from disk and executed, ``types.FunctionType`` from a
copied code object, a ``__code__`` assignment). The same hook refuses to import
``torch.testing._internal``, whose test helpers hold more reference implementations of the
losses under other names.

A trap first reports the call on a pipe the zygote reads (so catching the exception does not
hide it), then raises. Undoing the Python-name traps needs introspection that the static scan
rejects; the dispatcher traps cannot be undone from Python at all (see :func:`_trap_ops`), so
even code that slipped past the scan never reaches torch's kernels.
"""
from __future__ import annotations

import ctypes
import dis
import functools
import importlib
import os
import re
import sys
import types
import warnings

import torch

try:
    from torch._library.custom_ops import CustomOpDef
except ImportError:  # an older torch without custom ops
    CustomOpDef = None

_report_fd: int | None = None
# Keys a trap always goes on; every other key with a kernel of the op's own is found at
# install (:func:`_kernel_keys`).
_DISPATCH_KEYS = ("CompositeImplicitAutograd", "Autograd", "CPU", "CUDA")
_REGISTERED = re.compile(r"^(\w+)(?:\[alias\])?(?: \(inactive\))?: registered at", re.MULTILINE)
_NAMESPACES = ("torch.nn.functional", "torch", "torch._C._nn", "torch.nn", "torch.nn.modules.loss")
# torch's packages of Python reimplementations, imported before trapping so a job cannot get an
# untrapped copy by importing them first.
_REIMPLEMENTATIONS = ("torch._decomp", "torch._decomp.decompositions", "torch._refs", "torch._refs.nn.functional",
                      "torch._prims", "torch.nn.modules.linear_cross_entropy")
_TRAP_GLOBAL = "__grader_forbidden__"
_TEST_REFERENCES = "torch.testing._internal"
_SKIPPED_OPS = {dis.opmap[name] for name in ("CACHE", "EXTENDED_ARG") if name in dis.opmap}
# The compiler emits LOAD_METHOD or LOAD_ATTR for ``torch.pow(...)`` depending on whether it saw
# ``import torch`` in the same compilation: a body compiled on its own must still match.
_SAME_OPS = {dis.opmap.get("LOAD_METHOD", -1): dis.opmap["LOAD_ATTR"]}
_bodies: dict = {}  # bytecode fingerprint of a trapped Python body -> its qualified name


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
    trapped = _trap_python_bodies(set(calls) | set(ops))  # first: the names below still hold the originals
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
    if _bodies:
        sys.addaudithook(_audit)
    return trapped


def _trap_python_bodies(names: set) -> list[str]:
    trapped = []
    named = loss_named(names)
    for fn in loss_functions(names):
        code = fn.__code__
        # A method keeps its class's name (nn.AdaptiveLogSoftmaxWithLoss.forward); a nested
        # function, its own.
        qualified = f"{fn.__module__}.{fn.__name__ if '<locals>' in fn.__qualname__ else fn.__qualname__}"
        if named(code.co_name):  # the body itself, not a generic wrapper around it
            _bodies[_fingerprint(code)] = qualified
        fn.__globals__[_TRAP_GLOBAL] = _report
        fn.__code__ = _trap_code(qualified, code.co_freevars)
        trapped.append(qualified)
    return sorted(set(trapped))


def loss_named(names: set):
    """A test of a function name: whether it is one of ``names`` or holds one of them of two
    words or more as whole words (``_nll_loss_forward`` holds ``nll_loss``, and computes it).
    One-word names (``loss``, ``MSELoss``) match only whole: ``loss`` is in too many names."""
    words = sorted({n.strip("_") for n in names if "_" in n.strip("_")}, key=len, reverse=True)
    within = re.compile(r"(?:^|_)(?:%s)(?:_|$)" % "|".join(map(re.escape, words))) if words else None

    def named(name: str) -> bool:
        return name in names or (within is not None and within.search(name) is not None)

    return named


def loss_functions(names: set) -> list[types.FunctionType]:
    """torch's Python functions named like a forbidden call or op (:func:`loss_named`): those of
    every torch module, of the decomposition tables, and the ones they wrap (``__wrapped__``,
    closures, custom ops' bodies). Walking from there is four times quicker than ``gc.get_objects()`` and finds the
    same set (a test checks)."""
    for module in _REIMPLEMENTATIONS:
        try:
            importlib.import_module(module)
        except ImportError:
            continue  # an older torch without it
    loss_name = loss_named(names)

    def named(fn) -> bool:
        return type(fn) is types.FunctionType and (loss_name(fn.__name__) or loss_name(fn.__code__.co_name))

    values = [value for name, module in list(sys.modules.items()) if name.startswith("torch") and module is not None
              for value in vars(module).values()]
    # A custom op (torch.library.custom_op) is an object that keeps its Python body as an attribute.
    todo = [value for value in values if named(value)]
    todo += [fn for value in values if type(value) is CustomOpDef for fn in vars(value).values() if named(fn)]
    # A forbidden class (nn.MSELoss, nn.AdaptiveLogSoftmaxWithLoss) is one object under several
    # module paths: its own methods trap, whichever path reached it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a deprecated class (torch.distributed.reduce_op) warns when read
        found = list({id(fn): fn for value in values if isinstance(value, type) and value.__name__ in names
                      and (value.__module__ or "").startswith("torch") for fn in vars(value).values()
                      if type(fn) is types.FunctionType}.values())
    tables = getattr(sys.modules.get("torch._decomp"), "global_decomposition_table", {})
    todo += [fn for table in tables.values() for fn in table.values() if named(fn)]
    seen = {id(fn) for fn in found}
    while todo:
        fn = todo.pop()
        if not named(fn) or id(fn) in seen:
            continue
        seen.add(id(fn))
        if (fn.__module__ or "").startswith("torch"):
            found.append(fn)
        todo.append(getattr(fn, "__wrapped__", None))
        todo += [_cell_contents(cell) for cell in fn.__closure__ or ()]
    return found


def _cell_contents(cell):
    try:
        return cell.cell_contents
    except ValueError:  # an empty cell
        return None


def _trap_code(name: str, freevars: tuple) -> types.CodeType:
    """A body that reports ``name``, with the same free variables as the code it replaces (Python
    refuses a ``__code__`` whose closure differs). It finds the reporter among its function's
    globals; a job that deletes it gets a NameError, never the loss."""
    template = _trap_template(freevars)
    return template.replace(co_consts=tuple(name if c == _PLACEHOLDER else c for c in template.co_consts))


_PLACEHOLDER = "<the trapped function>"


@functools.cache
def _trap_template(freevars: tuple) -> types.CodeType:
    """Compiled once per closure layout (a handful), then copied with each name: compiling one
    per trapped function would double the guard's start-up."""
    cells = "".join(f"    {v} = None\n" for v in freevars)
    uses = "".join(f"        {v}\n" for v in freevars)
    source = (f"def outer():\n{cells}    def trap(*args, **kwargs):\n{uses}"
              f"        return {_TRAP_GLOBAL}({_PLACEHOLDER!r})\n    return trap\n")
    namespace: dict = {}
    exec(compile(source, "<grader guard>", "exec"), namespace)  # noqa: S102 - our own constant text
    return namespace["outer"]().__code__


def _fingerprint(code: types.CodeType) -> tuple:
    """What a recompiled copy of a body keeps: its opcodes and the names it uses (not its
    constants' or variables' slots, which a stripped docstring or a renamed local shifts)."""
    ops = bytes(_SAME_OPS.get(op, op) for op in code.co_code[::2] if op not in _SKIPPED_OPS)
    return ops, code.co_names, code.co_argcount, code.co_kwonlyargcount


def _audit(event: str, args: tuple) -> None:
    if event == "import" and str(args[0]).startswith(_TEST_REFERENCES):
        _report(_TEST_REFERENCES)
    if event in ("exec", "function.__new__"):
        code = args[0]
    elif event == "object.__setattr__" and args[1] == "__code__":
        code = args[2]
    else:
        return
    if isinstance(code, types.CodeType):
        _check_code(code)


def _check_code(code: types.CodeType) -> None:
    name = _bodies.get(_fingerprint(code))
    if name is not None:
        _report(name)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _check_code(const)


def forbid_native_code() -> None:
    """In a job, once locked down (its own steps call libc through ctypes): every ctypes call
    that Python audits fails and is reported: loading a library or finding a symbol in one (with
    ``ctypes.PyDLL(torch._C.__file__)`` a job had called ``at::cpu::mse_loss`` itself, past the
    dispatcher and its traps), an object's address, memory at an address. So do replacing any
    function's ``__code__`` and setting a tracer or profiler, the ways to empty this rule. What
    Python does not audit stays possible: a ctypes pointer or function made from an integer,
    numpy's array interface over a raw address. A job that writes its own memory that way can still reach
    torch's kernels; the kernel layers bound what else it can do, whatever it runs."""
    sys.addaudithook(_refuse_native_code)


def _refuse_native_code(event: str, args: tuple) -> None:
    # Literals only: a job that rebinds this module's names (``_report`` included) does not
    # change the rule, and it cannot swap this body, since that is a ``__code__`` assignment.
    # Nor may it trace or profile: a hook given a true ``__cantrace__`` (an attribute no audit
    # sees) runs under the tracer, which rewrote this frame's ``event`` to empty the rule.
    if event.startswith("ctypes.") or event in ("sys.settrace", "sys.setprofile", "sys.monitoring.register_callback"):
        _report(event)
        raise ForbiddenCall(event)
    if event == "object.__setattr__" and args[1] == "__code__":
        _report("a function's __code__ replaced")
        raise ForbiddenCall(event)


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
            for key in _kernel_keys(qualified):
                try:
                    registrations.impl(op, key, _trap(f"torch.ops.aten.{op}"), False)
                except RuntimeError:
                    continue  # e.g. a CUDA key on a build without CUDA
            trapped.append(qualified)
    return trapped


def _kernel_keys(qualified: str) -> list[str]:
    """Every dispatch key at which ``qualified`` has a kernel of its own, and ``_DISPATCH_KEYS``.
    Trapping only the usual four left torch's C++ loss within reach: ``torch.vmap`` runs an op's
    batching rule (FuncTorchBatched, FuncTorchBatchedDecomposition, FuncTorchDynamicLayerFrontMode)
    first, which for several losses is the loss itself, and a redispatch to another backend
    (SparseCPU) falls back on the op's CompositeExplicitAutograd kernel."""
    found = set(_REGISTERED.findall(torch._C._dispatch_dump(qualified))) - {"debug"}  # the op's own line
    return sorted({*_DISPATCH_KEYS, *found})
