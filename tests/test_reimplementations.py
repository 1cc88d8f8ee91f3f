"""torch's own Python reimplementations of the losses score nothing, whatever route reaches them.

Attack class 2 of the threat model: ``torch._decomp``, ``torch._refs`` and the pure-Python bodies
of ``torch/nn/functional.py`` compute the losses from elementary ops, which no dispatcher trap
sees. Each route is graded with the static scan and again without it, and run on a worker
directly, so the guard's traps (grader/sandbox/guard.py) are shown to hold on their own.
"""
from __future__ import annotations

import pytest

from grader.engine import answers_by_id
from grader.sandbox import Limits, Worker
from grader.workers import PRELOAD
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


# How a job fails to read torch's source: Landlock refuses it, or the job's private /tmp lacks
# it (where torch is installed beneath /tmp, as in CI: then an import finds no module).
REFUSED = ("PermissionError", "FileNotFoundError", "ModuleNotFoundError")


def _refused(text: str) -> bool:
    return any(word in text for word in REFUSED)


def _assert_trapped(result, call):
    if result.status != "forbidden" and _refused(result.feedback):
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
    errors = " ".join(str(answer.get("error")) for answer in answers_by_id(job)[0].values())
    assert any(ROUTES[route] in v for v in job.violations) or _refused(job.output + errors), job.output


def test_functional_pure_python_body_read_from_disk_is_trapped(grade_both):
    static, runtime = grade_both("source_from_disk", "gaussian_nll_loss")
    assert_zero(static, "forbidden")
    _assert_trapped(runtime, "torch.nn.functional.gaussian_nll_loss")


def test_functional_source_left_in_linecache_is_not_the_jobs_to_read(grade_both):
    static, runtime = grade_both("source_from_linecache", "gaussian_nll_loss")
    assert_zero(static, "forbidden")
    # A statement added to the copy defeats the guard's bytecode check: only the missing text stops it.
    assert runtime.score == 0.0 and "not enough values to unpack" in runtime.feedback, runtime.feedback


def test_a_helper_that_computes_a_loss_under_a_longer_name_is_trapped(grade_both):
    static, runtime = grade_both("helper_under_longer_name", "nll_loss")
    assert_zero(static, "forbidden")
    _assert_trapped(runtime, "torch._decomp.decompositions._nll_loss_forward")


def test_linear_cross_entropy_with_an_identity_weight_is_forbidden_by_scan_and_trapped(grade_both):
    static, runtime = grade_both("linear_cross_entropy", "cross_entropy")
    assert_zero(static, "forbidden")
    assert "F.linear_cross_entropy" in static.feedback
    _assert_trapped(runtime, "torch.nn.functional.linear_cross_entropy")


@pytest.fixture(scope="module")
def readable_torch_worker(day3):
    """A worker whose jobs may read torch's files (neither Landlock nor the seccomp filter, which
    both refuse the reads), to show the guard holding alone."""
    worker = Worker(day3.forbidden_calls, day3.forbidden_ops, preload=PRELOAD, without=("landlock", "seccomp"))
    yield worker
    worker.close()


def test_linear_cross_entropy_custom_op_is_trapped_where_torch_can_be_read(readable_torch_worker, grader):
    prepared = grader.prepare(grader.day.exercise("cross_entropy"))
    job = readable_torch_worker.run(attack("linear_cross_entropy_op", "cross_entropy"), "day3/cross_entropy.py",
                                    "cross_entropy", prepared.payload, "cpu", Limits(timeout=10.0))
    errors = " ".join(str(answer.get("error")) for answer in answers_by_id(job)[0].values())
    trapped = "torch.nn.modules.linear_cross_entropy._linear_cross_entropy_batch_chunked"  # the op's body or helper
    # Where the job's uid cannot read this python's standard library (under /root), the op's
    # first call fails on an import before reaching its body.
    assert any(v.startswith(trapped) for v in job.violations) or _refused(job.output + errors), (job.violations, errors)


def test_the_guard_finds_every_python_loss_function_that_gc_knows(day3):
    """The guard walks modules, tables and wrappers (quicker than the collector); nothing named
    like a forbidden call or op may hide from that walk."""
    import gc
    import types

    from grader.sandbox import guard

    names = set(day3.forbidden_calls) | set(day3.forbidden_ops)
    walked = {id(fn) for fn in guard.loss_functions(names)}
    named = guard.loss_named(names)
    collected = {id(o) for o in gc.get_objects() if type(o) is types.FunctionType
                 and (named(o.__name__) or named(o.__code__.co_name)) and (o.__module__ or "").startswith("torch")}
    assert collected and collected <= walked


def test_a_loss_name_matches_whole_words_only():
    from grader.sandbox import guard

    named = guard.loss_named({"nll_loss", "loss", "kl_div"})
    assert all(map(named, ["nll_loss", "_nll_loss_forward", "nll_loss_nd", "loss"]))
    assert not any(map(named, ["get_loss", "_apply_loss_reduction", "kl_divergence", "xnll_loss"]))
