"""The text report of a failing exercise: the most telling case first, every failing kind counted,
what the learner printed shown with the case it belongs to, and numbers that say what happened."""
import json
import time

import torch
from click.testing import CliRunner

import grader.cli
from grader.cli import main
from grader.judging.compare import Target, tolerance_for
from grader.reports import text
from grader.judging.feedback import shown_case
from grader.results import CaseResult, DayResult

import mutant_sources

PRINTS_SHAPE = '''
import torch
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    print("shape is", tuple(input.shape))
    return ((input - target) ** 2).sum() * 0 + 1
'''

NAIVE_SOFTMAX = '''
import torch
def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    logp = (input.exp() / input.exp().sum(1, keepdim=True)).log()
    return -logp.gather(1, target.unsqueeze(1)).mean()
'''

RAISES = '''
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    raise ValueError("not yet")
'''


def _report(result, **options) -> str:
    return text.render(DayResult("day3", "Day 3", "sub", "cpu", [result]), **options)


def test_each_case_keeps_what_it_printed_and_the_report_shows_the_shown_cases_output(grade_source):
    result = grade_source("mse_loss", PRINTS_SHAPE)
    for case in result.cases:
        assert case.output.startswith("shape is (") and case.output.count("shape is") == 1
    shapes = {c.output for c in result.cases}
    assert len(shapes) > 1  # not one stream repeated: the shapes differ from case to case
    report = _report(result)
    shown = next(c for c in result.cases if c.public and not c.passed)
    assert "your code printed in this case:\n      " + shown.output.strip() in report


def test_the_report_counts_every_other_failing_kind(grade_source, monkeypatch):
    result = grade_source("cross_entropy", NAIVE_SOFTMAX)
    monkeypatch.setattr(text, "MAX_KINDS", 100)
    line = next(l for l in _report(result).splitlines() if "also failing:" in l)
    shown = next(c for c in result.cases if not c.passed and c.public and c.hint)
    others = [c for c in result.cases if not c.passed and c is not shown]
    assert len({c.kind for c in others}) > 3
    for kind in {c.kind for c in others}:
        assert f"{kind} ×{sum(c.kind == kind for c in others)}" in line
    monkeypatch.setattr(text, "MAX_KINDS", 2)
    assert "more kinds (grade -v shows every case)" in _report(result)


def test_a_public_case_with_a_diagnosis_is_shown_first():
    def case(name, public, hint="", passed=False):
        return CaseResult(name, name, "kind", public, passed, 0.0, 1.0, hint=hint)

    hidden, plain, diagnosed = case("hidden", False, "a hint"), case("plain", True), case("diagnosed", True, "a hint")
    assert shown_case([case("ok", True, passed=True), hidden, plain, diagnosed]) is diagnosed
    assert shown_case([hidden, plain]) is plain
    assert shown_case([hidden]) is hidden and shown_case([case("ok", True, passed=True)]) is None
    differs, missing = case("differs", False), case("missing", False)
    differs.problem, missing.problem = "values", "missing"
    assert shown_case([differs, missing]) is missing and shown_case([differs, hidden]) is hidden


def test_a_hidden_failure_that_says_why_is_shown_before_one_that_only_differs(grade_source):
    """weight detached: in 'mean' weight still gets a gradient through weight.sum() (wrong values,
    no diagnosis); in 'sum' and 'none' none arrives, which says exactly what is wrong."""
    report = _report(grade_source("mse_loss", mutant_sources.source("mse_loss", "weight_detached")))
    assert "no gradient reached 'weight'" in report and "Did you detach" in report


def test_verbose_explains_every_failing_case(grade_source):
    result = grade_source("mse_loss", RAISES)
    failing = [c for c in result.cases if not c.passed]
    assert _report(result).count(" case '") == 1
    verbose = _report(result, verbose=True)
    assert verbose.count(" case '") == len(failing) and "also failing" not in verbose


def test_a_function_that_raised_is_not_shown_as_returning_none(grade_source):
    result = grade_source("mse_loss", RAISES)
    assert "raised ValueError: not yet" in result.feedback
    assert "your out: None" not in result.feedback and "your out: none (your function raised)" in result.feedback


def test_nan_is_named_not_called_an_infinite_error_and_zero_expected_has_no_relative_error():
    ref = torch.tensor([1.0, 2.0, 0.0])
    nan = Target(ref, None, {"rtol": 1e-5, "atol": 1e-6}).check("value", torch.tensor([float("nan"), 2.0, 0.0]))
    text_nan = nan.describe(True)
    assert "1 nan" in text_nan and "inf" not in text_nan
    zero = Target(ref, None, {"rtol": 1e-5, "atol": 1e-6}).check("value", torch.tensor([1.0, 2.0, 0.5]))
    described = zero.describe(True)
    assert "max abs error 0.5" in described and "rel error" not in described


def test_a_hidden_case_gives_the_size_of_its_error_not_the_expected_value():
    off = Target(torch.tensor(16.8128), None, {"rtol": 1e-5, "atol": 1e-6}).check("value", torch.tensor(1.40106))
    assert "max abs error 15.4, max rel error 0.917 (got 1.40106, expected 16.8128)" in off.describe(True)
    hidden = off.describe(False)
    assert "max abs error about 2e+01, max rel error about 9e-01" in hidden and "16.8" not in hidden


def test_long_printed_lines_wrap_at_word_breaks_and_control_characters_are_defused():
    warning = "UserWarning: " + " ".join(["broadcasting"] * 20) + "\x1b[2J"
    lines = text._printed(warning, "printed:")
    words = set(" ".join(lines[1:]).split())
    assert words <= {"UserWarning:", "broadcasting", "broadcasting?[2J"} and len(lines) > 2
    assert "\x1b" not in "".join(lines)


def test_the_report_time_is_the_wall_time_and_output_says_where_it_wrote(tmp_path, monkeypatch):
    monkeypatch.setattr(grader.cli, "_STARTED", time.monotonic() - 100)  # as if imports took 100 s
    out = tmp_path / "report.json"
    run = CliRunner().invoke(main, ["day3", "mse_loss", "--format", "json", "-o", str(out)])
    assert run.exit_code == 0, run.output
    assert json.loads(out.read_text())["elapsed"] >= 100
    assert f"wrote {out}" in run.stderr and run.stdout == ""


def test_what_cases_print_is_bounded_per_case_and_per_job(grade_source):
    from grader.judging.invoke import CUT, PRINTED_PER_CASE, PRINTED_PER_JOB

    chatty = PRINTS_SHAPE.replace('print("shape is", tuple(input.shape))', 'print("x" * 5000)')
    result = grade_source("mse_loss", chatty)
    shown = [c.output for c in result.cases if c.output]
    assert shown and all(o.endswith(CUT) for o in shown)  # each says it was cut
    kept = [o[:-len(CUT)] for o in shown]
    assert max(map(len, kept)) == PRINTED_PER_CASE and sum(map(len, kept)) <= PRINTED_PER_JOB
    again = grade_source("mse_loss", chatty)  # the next job (a fresh fork) starts with a full budget
    assert [len(c.output) for c in again.cases] == [len(c.output) for c in result.cases]


def test_an_example_shows_each_answer_beside_the_cases_own_tensors_printed_once(grader):
    from dataclasses import replace

    from grader.judging import feedback
    from grader.judging.compare import Mismatch

    prepared = grader.prepare(grader.day.exercise("mse_loss"))
    case = next(c for c in prepared.cases if c.public)
    expected = prepared.expected[case.id]
    name = next(iter(expected.grads))
    answers = [{"output": expected.output + 1, "grads": {name: expected.grads[name][0] * 2}},
               {"output": expected.output * 0, "grads": {name: expected.grads[name][0] * 0}}]
    for mismatch in (Mismatch("value", "values", "values differ"), Mismatch(f"gradient w.r.t. '{name}'", "values", "differ")):
        shown = [feedback.example(case, expected, answer, mismatch) for answer in answers]
        assert shown == [feedback.example(case, replace(expected, shown={}), answer, mismatch) for answer in answers]
        assert shown[0] != shown[1] and shown[0].split("your")[0] == shown[1].split("your")[0]


PRINTS_TENSOR = '''
import torch
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    print(input)
    loss = (input - target) ** 2
    if weight is not None:
        loss = loss * weight
        if reduction == "mean":
            return loss.sum() / weight.sum()
    return loss if reduction == "none" else loss.sum() if reduction == "sum" else loss.mean()
'''


def test_printing_a_tensor_works_in_the_sandbox(grade_source):
    # Tensor printing imports a module lazily, which a job cannot read from disk.
    result = grade_source("mse_loss", PRINTS_TENSOR)
    assert result.status == "passed", result.cases[0].message
    assert result.cases[0].output.startswith("tensor([[")  # later cases' output may be cut to the bound


def test_got_and_expected_are_shown_with_the_digits_that_tell_them_apart():
    """An eps left out moves a result by about 1e-8: six figures showed the same number twice."""
    tol = tolerance_for("float64", {})
    found = Target(torch.tensor(0.79066920904421, dtype=torch.float64), None, tol).check(
        "value", torch.tensor(0.7906692200469954, dtype=torch.float64))
    assert "(got 0.79066922, expected 0.79066921)" in found.describe(public=True)
    far = Target(torch.tensor(2.0, dtype=torch.float64), None, tol).check("value", torch.tensor(1.0, dtype=torch.float64))
    assert "(got 1, expected 2)" in far.describe(public=True)
