"""The static scan's known holes are closed, and the runtime layers hold where it is switched off.

Attack class 2 of the threat model (and the scan half of class 5): torch re-exports standard
modules (``torch.importlib``, ``torch.builtins``...), generators and frames reach ``f_builtins``,
torch and numpy read and write files, and a deeply nested expression used to crash the scan.
"""
from __future__ import annotations

import json
import types

import pytest
import torch

from grader import scan
from test_exploits import assert_zero, attack, grade_both, unscanned  # noqa: F401 - fixtures

pytestmark = pytest.mark.attack


def test_torch_reexported_standard_modules_are_forbidden_by_scan_and_their_route_trapped(grade_both):
    static, runtime = grade_both("torch_reexported_modules")
    assert_zero(static, "forbidden")
    assert "torch's copy of the importlib module" in static.feedback
    assert "torch's copy of the builtins module" in static.feedback
    assert_zero(runtime, "forbidden")
    assert "torch._refs.nn.functional.mse_loss" in runtime.feedback


def test_reexported_modules_are_read_from_torch_not_from_a_list(monkeypatch):
    found = scan.foreign_modules()
    assert {"os", "sys", "builtins", "importlib"} <= set(found)
    assert not {"math", "functools", "warnings"} & set(found)  # importable anyway: harmless
    monkeypatch.setattr(torch.nn.functional, "fresh_alias", json, raising=False)
    scan.foreign_modules.cache_clear()
    try:
        tree = scan.parse("import torch\nx = torch.nn.functional.fresh_alias.loads('1')\n", "f.py")
        assert any("copy of the json module" in str(f) for f in scan.scan(tree, ()))
    finally:
        scan.foreign_modules.cache_clear()


def test_frame_builtins_are_forbidden_by_scan_and_their_route_trapped(grade_both):
    static, runtime = grade_both("frame_builtins")
    assert_zero(static, "forbidden")
    assert "gi_frame: frame, code, traceback and generator internals are not allowed" in static.feedback
    assert_zero(runtime, "forbidden")
    assert "torch.nn.functional.mse_loss" in runtime.feedback


@pytest.mark.parametrize("attribute", ["f_builtins", "f_globals", "f_back", "gi_frame", "cr_frame", "tb_frame",
                                       "co_consts", "co_code"])
def test_every_frame_code_and_traceback_attribute_is_rejected(attribute):
    tree = scan.parse(f"def f(x):\n    return x.{attribute}\n", "f.py")
    assert [str(f) for f in scan.scan(tree, ())] == [
        f"line 2: uses x.{attribute}: frame, code, traceback and generator internals are not allowed"]


@pytest.mark.parametrize("source", ["fetch = getattr\n", "import functools\nf = functools.partial(getattr, torch)\n",
                                    "f = [getattr][0]\n", "def f(x, look=hasattr):\n    return look\n"])
def test_getattr_reached_other_than_by_a_call_is_rejected(source):
    """An alias of getattr takes any name, computed or not, past the check on its calls."""
    tree = scan.parse(f"import torch\n{source}", "f.py")
    assert any("other than in a call with a literal name" in str(f) for f in scan.scan(tree, ())), source


def test_getattr_called_with_a_literal_name_is_still_allowed():
    tree = scan.parse("import torch\nx = getattr(torch, 'zeros', None)\ny = hasattr(torch, getattr(torch, 'e'))\n",
                      "f.py")
    assert [str(f) for f in scan.scan(tree, ())] == ["line 3: hasattr() with a computed attribute name is not allowed"]


def test_native_code_through_an_alias_of_getattr_is_forbidden_by_scan(grade_both):
    static, _ = grade_both("ctypes_native_kernel")
    assert "line 6: uses getattr other than in a call with a literal name" in static.feedback, static.feedback


def test_file_io_through_torch_and_numpy_is_forbidden(grade_both):
    static, runtime = grade_both("file_io")
    assert_zero(static, "forbidden")
    assert "torch.from_file: reading or writing files is not allowed" in static.feedback
    assert "tofile: reading or writing files is not allowed" in static.feedback
    assert runtime.score == 0.0  # without the scan it is the sandbox's file permissions that hold


@pytest.mark.parametrize("name", ["save", "load", "from_file", "tofile", "fromfile", "memmap"])
def test_each_file_io_name_is_rejected(name):
    assert scan.scan(scan.parse(f"import torch\ny = torch.{name}\n", "f.py"), ())


def test_an_expression_too_deep_for_the_scan_is_an_error_not_a_crash(grade_source):
    result = grade_source("mse_loss", attack("deep_expression"))
    assert_zero(result, "error")
    assert "nested too deeply to be checked (RecursionError)" in result.feedback


def test_the_scan_turns_memory_exhaustion_into_an_error(monkeypatch):
    def exhausted(self, tree):
        raise MemoryError

    monkeypatch.setattr(scan._Scanner, "run", exhausted)
    with pytest.raises(scan.SyntaxProblem, match="MemoryError"):
        scan.scan(types.SimpleNamespace(), ())


@pytest.mark.parametrize("hash_seed", ["0", "1", "2", "3"])
def test_findings_come_out_in_the_same_order_whatever_the_hash_seed(hash_seed):
    """Several findings on one line once came out in set order, which changes with each run's
    string hashing: the same file gave a different report each time."""
    import subprocess
    import sys

    code = ("import ast\nfrom grader import scan\n"
            "src = 'import torch.nn.functional as F\\nx = F.mse_loss(a, b) + F.l1_loss(a, b) + F.huber_loss(a, b)"
            " + F.kl_div(a, b) + F.nll_loss(a, b)\\n'\n"
            "calls = ['mse_loss', 'l1_loss', 'huber_loss', 'kl_div', 'nll_loss']\n"
            "print('|'.join(f.message for f in scan.scan(ast.parse(src), calls)))")
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONHASHSEED": hash_seed, "PATH": "/usr/bin:/bin"})
    messages = ran.stdout.strip().split("|")
    assert len(messages) == 5 and messages == sorted(messages)


@pytest.mark.parametrize("source, found", [
    ('def f(x: "[exec(PAYLOAD), int][1]"):\n    pass\n', "a string annotation that is not a type"),
    ('def f(x) -> "print(1) or int":\n    pass\n', "a string annotation that is not a type"),
    ('x: "f()" = 1\n', "a string annotation that is not a type"),
    ('import typing\ntyping.get_type_hints(len)\n', "uses typing.get_type_hints: it evaluates strings"),
    ('from functools import singledispatch\n', "uses functools.singledispatch: it evaluates strings"),
    ('def f(x: "torch.nn.functional.mse_loss"):\n    pass\n', "uses torch.nn.functional.mse_loss"),
])
def test_code_in_a_string_annotation_or_its_evaluators_is_rejected(source, found):
    """typing.get_type_hints evaluates string annotations: code the scan never read ran that way."""
    tree = scan.parse(f"import torch\n{source}", "f.py")
    assert any(found in str(f) for f in scan.scan(tree, ("mse_loss",))), source


def test_a_string_annotation_that_names_a_type_is_still_allowed():
    source = 'import torch\ndef f(x: "torch.Tensor", y: "int | None" = None) -> "tuple[torch.Tensor, int]":\n    return x\n'
    assert scan.scan(scan.parse(source, "f.py"), ("mse_loss",)) == []
