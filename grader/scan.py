"""Static scan of a learner's file: what it may import and which names it may touch.

Learner files may import only a few modules and may not use the dynamic features (``eval``,
``getattr`` with a computed name, dunder or private attributes, ...) that would let them reach a
forbidden function, or undo the worker's guard, without naming it. Together with the runtime
guard this makes "call torch's own loss" detectable however it is spelled. Three more families
of attribute names are rejected wherever they appear: names under which torch, torch.nn,
torch.nn.functional or torch.Tensor hold a module from outside torch (``torch.os``,
``torch.sys``..., read from torch itself, not listed by hand), the internals of frames, code
objects, tracebacks and generators (``gi_frame``, ``f_builtins``, ``co_consts``...), and file
I/O through torch and numpy. A file the scan itself cannot walk (nested too deeply) is a
:class:`SyntaxProblem`, never a crash.
"""
from __future__ import annotations

import ast
import functools
import types
from dataclasses import dataclass

ALLOWED_MODULES = ("torch", "math", "typing", "numbers", "__future__", "functools", "itertools",
                   "collections", "warnings")
# Parts of torch that load or run code, or reach the kernels directly.
BANNED_ATTRIBUTES = {"ops", "library", "hub", "jit", "cpp_extension", "package", "modules", "load",
                     "compile", "classes", "utils", "multiprocessing", "distributed", "overrides",
                     "fx", "export", "func", "_dynamo", "autograd_function"}
BANNED_NAMES = {"eval", "exec", "compile", "__import__", "globals", "locals", "vars", "setattr",
                "delattr", "open", "breakpoint", "memoryview", "exit", "quit", "help",
                "__builtins__", "__loader__", "__spec__"}
_NAME_ARG_BUILTINS = {"getattr", "hasattr"}
# What evaluates strings as code in the modules learners may import: string annotations, through
# typing.get_type_hints (and singledispatch's register, which calls it).
EVALUATORS = {"get_type_hints", "ForwardRef", "singledispatch", "singledispatchmethod"}
# What a string annotation may hold: a type, written as names, attributes, subscripts and unions.
_TYPE_NODES = (ast.Expression, ast.Name, ast.Attribute, ast.Subscript, ast.Tuple, ast.List, ast.BinOp, ast.BitOr,
               ast.Constant, ast.Load)
FILE_ATTRIBUTES = {"save", "from_file", "tofile", "fromfile", "memmap", "dump", "savetxt", "loadtxt", "savez",
                   "savez_compressed", "genfromtxt", "fromregex", "serialization", "DataSource", "open_memmap"}
_INTERNALS = (types.FrameType, types.CodeType, types.TracebackType, types.GeneratorType, types.CoroutineType,
              types.AsyncGeneratorType)
INTERNAL_ATTRIBUTES = {name for kind in _INTERNALS for name in dir(kind)
                       if name.startswith(("f_", "co_", "tb_", "gi_", "cr_", "ag_"))}


@functools.cache
def foreign_modules() -> dict[str, str]:
    """Attribute name -> module, for the modules from outside torch that torch re-exports under
    torch, torch.nn, torch.nn.functional or torch.Tensor (``torch.os``, ``torch.np``...); the
    modules learners may import anyway do not count."""
    import torch
    import torch.nn.functional

    owners = [vars(torch), vars(torch.nn), vars(torch.nn.functional), *(vars(k) for k in torch.Tensor.__mro__)]
    return {name: value.__name__ for owner in owners for name, value in list(owner.items())
            if isinstance(value, types.ModuleType) and value.__name__.partition(".")[0] not in ("torch", *ALLOWED_MODULES)}


@dataclass(frozen=True)
class Finding:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class SyntaxProblem(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line


def parse(source: str, filename: str) -> ast.Module:
    """The file's syntax tree; raises :class:`SyntaxProblem` if it won't parse."""
    try:
        return ast.parse(source, filename)
    except SyntaxError as exc:
        raise SyntaxProblem(exc.lineno or 0, f"syntax error: {exc.msg}") from None
    except (RecursionError, MemoryError) as exc:
        raise _too_complex(exc) from None


def scan(tree: ast.Module, forbidden_calls) -> list[Finding]:
    """Findings that make the file ``forbidden``; raises :class:`SyntaxProblem` when the file is
    too deeply nested to walk."""
    try:
        return _Scanner(set(forbidden_calls)).run(tree)
    except (RecursionError, MemoryError) as exc:
        raise _too_complex(exc) from None


def _too_complex(exc: BaseException) -> SyntaxProblem:
    return SyntaxProblem(0, f"the file is nested too deeply to be checked ({type(exc).__name__}): "
                            "split long expressions into several statements")


def defines(tree: ast.Module, name: str) -> bool:
    """Whether the module binds ``name`` at top level (a def, or an assignment such as an alias)."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return True
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return True
        if isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == name for a in node.names):
            return True
    return False


class _Scanner(ast.NodeVisitor):
    def __init__(self, forbidden: set):
        self.forbidden = forbidden
        self.findings: list[Finding] = []

    def run(self, tree) -> list[Finding]:
        self.visit(tree)
        return sorted(set(self.findings), key=lambda f: (f.line, f.message))  # the same report every run

    def flag(self, node, message):
        self.findings.append(Finding(getattr(node, "lineno", 0), message))

    def _check_module(self, node, module: str) -> bool:
        """False (and flagged) when ``module`` may not be imported at all."""
        parts = module.split(".")
        if parts[0] in self.forbidden:  # a loss's name as a module: the learner's own file of another exercise
            self.flag(node, f"imports {module}: each exercise file is graded on its own and cannot import "
                            f"your other ones ({parts[0]}.py); copy what you need from it into this file")
            return False
        if parts[0] not in ALLOWED_MODULES:
            self.flag(node, f"imports {module}: only {', '.join(ALLOWED_MODULES)} may be imported")
            return False
        for part in parts[1:]:
            self._check_attr(node, part, module)
        return True

    def _check_attr(self, node, attr: str, shown: str):
        if attr in self.forbidden:
            self.flag(node, f"uses {shown}: torch's loss functions may not be used, implement it yourself")
        elif attr.startswith("_"):
            self.flag(node, f"uses {shown}: private and dunder attributes are not allowed")
        elif attr in EVALUATORS:
            self.flag(node, f"uses {shown}: it evaluates strings (annotations) as code, which exercise code may not do")
        elif attr in BANNED_ATTRIBUTES:
            self.flag(node, f"uses {shown}: torch.{attr} is not needed for these exercises and is not allowed")
        elif attr in INTERNAL_ATTRIBUTES:
            self.flag(node, f"uses {shown}: frame, code, traceback and generator internals are not allowed")
        elif attr in FILE_ATTRIBUTES:
            self.flag(node, f"uses {shown}: reading or writing files is not allowed in exercise code")
        elif attr in foreign_modules():
            self.flag(node, f"uses {shown}: that is torch's copy of the {foreign_modules()[attr]} module, "
                            f"which exercise code may not use (only {', '.join(ALLOWED_MODULES)} may be imported)")

    def visit_Import(self, node):
        for alias in node.names:
            self._check_module(node, alias.name)

    def visit_ImportFrom(self, node):
        if node.level:
            self.flag(node, "relative imports are not allowed")
            return
        module = node.module or ""
        if not self._check_module(node, module):
            return  # the names imported from it are beside the point
        for alias in node.names:
            if alias.name == "*":
                self.flag(node, f"'from {module} import *' is not allowed: import the names you use")
            else:
                self._check_attr(node, alias.name, f"{module}.{alias.name}")

    def visit_Attribute(self, node):
        self._check_attr(node, node.attr, _dotted(node))
        self.generic_visit(node)

    def visit_Name(self, node):
        if node.id in BANNED_NAMES:
            self.flag(node, f"uses {node.id}(): not allowed in exercise code")
        elif node.id in _NAME_ARG_BUILTINS:  # called, it is checked in visit_Call and never gets here
            self.flag(node, f"uses {node.id} other than in a call with a literal name (an alias, a partial): "
                            "not allowed in exercise code")

    def visit_arg(self, node):
        self._check_annotation(node.annotation)
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self._check_annotation(node.annotation)
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        self._check_annotation(node.returns)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def _check_annotation(self, node):
        """A string annotation is code that typing may evaluate: it must read as a type, and the
        names in it are checked as the file's own are."""
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            return
        try:
            tree = ast.parse(node.value, mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None
        if tree is None or not all(isinstance(part, _TYPE_NODES) for part in ast.walk(tree)):
            self.flag(node, "a string annotation that is not a type: not allowed (typing can evaluate it as code)")
            return
        for part in ast.walk(tree):
            part.lineno = node.lineno  # findings point at the annotation's own line
        self.visit(tree)

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, ast.Name) and func.id in _NAME_ARG_BUILTINS:
            name = node.args[1] if len(node.args) > 1 else None
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
                self.flag(node, f"{func.id}() with a computed attribute name is not allowed")
            else:
                self._check_attr(node, name.value, f"{func.id}(..., {name.value!r})")
            for child in (*node.args, *node.keywords):  # not the name itself: that call is checked above
                self.visit(child)
            return
        self.generic_visit(node)


def _dotted(node) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts)) if parts else "?"
