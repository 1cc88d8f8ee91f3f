"""torch's own Python reimplementations of the losses score nothing, whatever route reaches them.

Attack class 2 of the threat model: ``torch._decomp``, ``torch._refs`` and the pure-Python bodies
of ``torch/nn/functional.py`` compute the losses from elementary ops, which no dispatcher trap
sees. Each route is graded with the static scan and again without it, and run on a worker
directly, so the guard's traps (grader/sandbox/guard.py) are shown to hold on their own.
"""
from __future__ import annotations

import pytest

from test_exploits import assert_zero, attack, grade_both, raw_worker, run_raw  # noqa: F401 - fixtures

pytestmark = pytest.mark.attack

ROUTES = {
    "decomp_function": "torch._decomp.decompositions.mse_loss",
    "decomp_table": "mse_loss",  # whichever of torch's Python functions the table holds
    "refs_function": "torch._refs.nn.functional.mse_loss",
    "code_copy": "torch._refs.nn.functional.mse_loss",
    "source_from_disk": "torch._refs.nn.functional.mse_loss",
    "testing_references": "torch.testing._internal",
}


def _assert_trapped(result, call):
    if result.status != "forbidden" and "PermissionError" in result.feedback:
        assert result.score == 0.0  # the sandbox refused to read torch's source: also a zero
        return
    assert_zero(result, "forbidden")
    assert call in result.feedback, result.feedback


@pytest.mark.parametrize("route", ROUTES)
def test_python_reimplementation_is_forbidden_by_scan_and_trapped_without_it(grade_both, route):
    static, runtime = grade_both(route)
    assert_zero(static, "forbidden")
    assert "private and dunder attributes are not allowed" in static.feedback or "imports" in static.feedback
    _assert_trapped(runtime, ROUTES[route])


@pytest.mark.parametrize("route", ROUTES)
def test_the_worker_itself_reports_the_reimplementation(run_raw, route):
    job, _ = run_raw(attack(route))
    assert any(ROUTES[route] in v for v in job.violations) or "PermissionError" in job.output, job.output


def test_functional_pure_python_body_read_from_disk_is_trapped(grade_both):
    static, runtime = grade_both("source_from_disk", "gaussian_nll_loss")
    assert_zero(static, "forbidden")
    _assert_trapped(runtime, "torch.nn.functional.gaussian_nll_loss")


def test_the_guard_finds_every_python_loss_function_that_gc_knows(day3):
    """The guard walks modules, tables and wrappers (quicker than the collector); nothing named
    like a forbidden call or op may hide from that walk."""
    import gc
    import types

    from grader.sandbox import guard

    names = set(day3.forbidden_calls) | set(day3.forbidden_ops)
    walked = {id(fn) for fn in guard.loss_functions(names)}
    collected = {id(o) for o in gc.get_objects() if type(o) is types.FunctionType
                 and (o.__name__ in names or o.__code__.co_name in names) and (o.__module__ or "").startswith("torch")}
    assert collected and collected <= walked
