"""A notebook submission: each exercise's source is assembled from the notebook's code cells.

The rule, applied to the code cells in order (notebook order for a file; execution order for
the cell history of a running kernel):

- A cell that is not valid Python (IPython magics ``%``/``%%``, shell escapes ``!``, ``x?``, or
  a syntax error) is skipped, with a one-line note in the feedback of each exercise that does
  not pass and needs a name only that cell mentions.
  If the last definition of an exercise is in a skipped cell, that exercise is an ``error``
  rather than quietly grading an older definition.
- Of every other cell only top-level *bindings* count: ``import``/``from ... import``, ``def``,
  ``class`` and assignments to plain names. Everything else (calls, prints, loops, plots) never
  runs. For each name the last binding wins, as in a kernel run top to bottom.
- An exercise's source is the last binding of its name plus, transitively, the last binding of
  every global name that binding mentions (helpers, constants, imports): ``from __future__``
  imports first, then the other imports, then the rest in notebook order. That text then goes through the same scan, sandbox and cases
  as a file, so a forbidden import counts only where an exercise uses it.
"""
from __future__ import annotations

import ast
import builtins
import functools
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..judging import untrusted
from . import MAX_NOTEBOOK_BYTES, Source, Unreadable, files, text_of

MAX_NOTES = 3
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


@dataclass(eq=False)
class _Binding:
    """One top-level statement that binds names."""

    position: tuple  # (cell order, first line): notebook order
    cell: int  # the cell's number as the learner counts it (1-based, markdown cells included)
    first_line: int
    text: str
    uses: set = field(default_factory=set)
    is_import: bool = False


@dataclass
class _Skipped:
    position: int
    cell: int
    text: str
    reason: str

    @functools.cached_property
    def words(self) -> frozenset:
        """The identifier-like words of the cell, found once: a name is looked up here, never
        searched for in the text (a pattern of 20,000 names over a megabyte of text took 27 s)."""
        return frozenset(re.findall(r"\w+", self.text))


class Notebook:
    def __init__(self, cells: list[tuple[int, str]], shown: str, day: str, quiz_root: Path,
                 cell_format: str = "cell {}", where: str = "", called: str = ""):
        """``cells``: (number, code) of each code cell, in the order they count; ``shown`` names a
        cell (``shown cell_format``), ``called`` the whole notebook in feedback (default ``shown``)."""
        self.shown, self.day, self.quiz_root, self.cell_format = shown, day, Path(quiz_root), cell_format
        self.where = where or shown
        self.called = called or shown
        self._bindings: dict[str, _Binding] = {}
        self._futures: list[_Binding] = []
        self._skipped: list[_Skipped] = []
        for order, (number, code) in enumerate(cells):
            self._add_cell(order, number, code)

    def __str__(self) -> str:
        return self.where

    @classmethod
    def read(cls, path: Path, day: str) -> "Notebook":
        """The notebook file at ``path``; UsageError naming the problem when it is not one."""
        try:
            raw = files.read_bytes(str(path), MAX_NOTEBOOK_BYTES, shown=str(path))
        except FileNotFoundError:
            raise UsageError(f"notebook not found: {path}") from None
        except files.Refused as exc:
            raise UsageError(str(exc)) from None
        try:
            text = text_of(raw, path.name)
        except Unreadable as exc:
            raise UsageError(str(exc)) from None
        return cls(code_cells(text, path.name), path.name, day, path.parent, where=str(path))

    # --- reading the cells ---------------------------------------------------------------

    def _add_cell(self, order: int, number: int, code: str) -> None:
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            self._skipped.append(_Skipped(order, number, code, _skip_reason(code, exc)))
            return
        # Lines as the parser counts them: str.splitlines also ends a line at \x0c, \x1c-\x1e,
        # \x85 and U+2028/9, which a comment pasted from a web page may hold.
        lines = _LINE.findall(code)
        spans = [(_first_line(node), node.end_lineno) for node in tree.body]
        for index, node in enumerate(tree.body):
            names = _bound_names(node)
            if not names and not _is_future(node):
                continue
            first, last = spans[index]
            shared = any(first <= b and a <= last for j, (a, b) in enumerate(spans) if j != index)
            text = (ast.get_source_segment(code, node) + "\n") if shared else "".join(lines[first - 1:last])
            binding = _Binding((order, first), number, first, text if text.endswith("\n") else text + "\n",
                               _names_used(node), isinstance(node, (ast.Import, ast.ImportFrom)))
            if _is_future(node):
                self._futures.append(binding)
            for name in names:
                self._bindings[name] = binding

    # --- what the engine asks ------------------------------------------------------------

    def source(self, name: str) -> Source:
        binding = self._bindings.get(name)
        late = [s for s in self._skipped if _defines(s.text, name)
                and (binding is None or s.position > binding.position[0])]
        if late:
            skipped = late[-1]
            raise Unreadable("error", f"{self._cell(skipped.cell)} defines {name} but was skipped: "
                                      f"{skipped.reason}; move {name}() to a plain code cell")
        if binding is None:
            raise Unreadable("missing", f"{self.called} has no code cell defining {name}(): define it at the "
                                        f"top level of a code cell")
        chosen = self._closure(name)
        text, origins = [], []
        # Imports first (they need nothing and a decorator or constant may need them), then notebook order.
        ordered = sorted(chosen - set(self._futures), key=lambda b: (not b.is_import, b.position))
        for part in self._futures + ordered:
            text.append(part.text)
            origins.extend((part.cell, part.first_line + i) for i in range(part.text.count("\n")))
        return Source("".join(text), self.shown, self.shown, tuple(origins), self.cell_format)

    def _closure(self, name: str) -> set:
        chosen, todo = set(), [name]
        while todo:
            binding = self._bindings.get(todo.pop())
            if binding is not None and binding not in chosen:
                chosen.add(binding)
                todo.extend(binding.uses)
        return chosen

    def _cell(self, number: int) -> str:
        return f"{self.shown} {self.cell_format.format(number)}"

    def notes(self, name: str) -> list[str]:
        """One line per skipped cell that may be why ``name`` fails (at most MAX_NOTES and a count):
        one that mentions a name its code needs and no cell that ran binds (a helper, a constant,
        ``import torch``), or ``name`` itself where no cell that ran defines it. A ``%matplotlib``
        cell is not repeated under every exercise that does not pass yet."""
        if name in self._bindings:
            wanted = {used for binding in self._closure(name) for used in binding.uses
                      if used not in self._bindings and not hasattr(builtins, used)}
        else:
            wanted = {name}
        lines = [f"note: {self._cell(s.cell)} was skipped: {s.reason}" for s in self._skipped
                 if not wanted.isdisjoint(s.words)]
        if len(lines) > MAX_NOTES:
            lines[MAX_NOTES:] = [f"note: {len(lines) - MAX_NOTES} more cells were skipped"]
        return lines


def code_cells(text: str, shown: str) -> list[tuple[int, str]]:
    """(number, source) of each code cell of a notebook's JSON text; UsageError if it is not one."""
    try:
        import nbformat
    except ImportError:
        raise UsageError("reading notebooks needs nbformat: pip install 'torch-loss-grader[notebook]'") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(text, as_version=4)
            nbformat.validate(notebook)
    except nbformat.reader.NotJSONError:
        raise UsageError(f"{shown} is not a notebook: it is not valid JSON") from None
    except nbformat.ValidationError as exc:
        raise UsageError(f"{shown} is not a valid notebook: {_first_line_of(exc.message)}") from None
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds for a JSON that is no notebook
        raise UsageError(f"{shown} is not a valid notebook ({type(exc).__name__})") from None
    return [(number, cell.source) for number, cell in enumerate(notebook.cells, 1) if cell.cell_type == "code"]


def _first_line_of(text: str) -> str:
    first = str(text).splitlines()[0] if str(text).strip() else "unknown problem"
    return first[:200]


# Within a line ([ \t], never \s): a pattern that may run on past a newline backtracks over
# every line after each line start, and a notebook is read in the grader's own process.
_SHELL_OR_MAGIC = re.compile(r"^[ \t]*(%%?|!)\S*", re.MULTILINE)


def _skip_reason(code: str, exc: Exception) -> str:
    found = _SHELL_OR_MAGIC.search(code)
    if found:  # the cell's own text: an ESC or a bidi override in it must not reach a terminal
        what = "a shell escape" if found.group(1) == "!" else "an IPython magic"
        return f"it uses {what} ({untrusted.text(found.group(0).strip(), 40)})"
    if isinstance(exc, SyntaxError):
        return f"syntax error{f' on line {exc.lineno}' if exc.lineno else ''}: {untrusted.text(exc.msg, 200)}"
    if isinstance(exc, ValueError) and "null bytes" in str(exc):  # Python < 3.11.4's SyntaxError for it
        return "syntax error: source code cannot contain null bytes"
    return f"it cannot be parsed ({type(exc).__name__})"


def _defines(code: str, name: str) -> bool:
    """Whether a cell that does not parse textually defines ``name`` at its top level."""
    pattern = rf"^(?:async[ \t]+def|def|class)[ \t]+{re.escape(name)}\b|^{re.escape(name)}[ \t]*(?::[^=\n]*)?=(?!=)"
    return re.search(pattern, code, re.MULTILINE) is not None


def _first_line(node: ast.stmt) -> int:
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])


def _is_future(node: ast.stmt) -> bool:
    return isinstance(node, ast.ImportFrom) and node.module == "__future__"


def _bound_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Import):
        return [a.asname or a.name.split(".")[0] for a in node.names]
    if isinstance(node, ast.ImportFrom) and not _is_future(node):
        return [a.asname or a.name for a in node.names if a.name != "*"]
    if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
        return [t.id for t in node.targets]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        return [node.target.id]
    return []


def _names_used(node: ast.stmt) -> set:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
