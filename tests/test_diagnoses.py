"""Diagnoses name a mistake only when recomputing it reproduces the learner's numbers: each is
shown for a real wrong implementation, and stays silent where it does not apply."""
import pytest

import mutant_sources
from paths import SOLUTIONS


def _edit(exercise: str, old: str, new: str) -> str:
    text = (SOLUTIONS / "day3" / f"{exercise}.py").read_text()
    assert text.count(old) == 1
    return text.replace(old, new)


def _hints(result) -> set:
    return {c.hint for c in result.cases if not c.passed and c.hint}


def _mutant(grade_source, exercise, name):
    return _hints(grade_source(exercise, mutant_sources.source(exercise, name)))


def test_swapped_arguments_are_named(grade_source):
    source = _edit("margin_ranking_loss", "(input1 - input2)", "(input2 - input1)")
    hints = _hints(grade_source("margin_ranking_loss", source))
    assert hints == {"your result is torch's with 'input1' and 'input2' swapped: check which argument plays which role"}


def test_kl_div_with_its_distributions_exchanged_is_named(grade_source):
    hints = _mutant(grade_source, "kl_div", "arguments_swapped")
    assert any(h.startswith("your result is KL(Q || P), not KL(P || Q)") for h in hints)
    # where a zero target makes KL(Q || P) infinite, only that is said: an inf matching an inf proves no cause
    assert all(h.startswith(("your result is KL(Q || P)", "your result is inf where")) for h in hints)


def test_count_divisor_is_told_from_weight_sum_divisor_both_ways(grade_source):
    count = _mutant(grade_source, "mse_loss", "mean_ignores_weight_sum")
    assert count == {"your 'mean' divides by the number of elements, but torch's divides here by the sum of the "
                     "weights: check what you divide the sum by"}
    weight_sum = _mutant(grade_source, "huber_loss", "weighted_mean_divides_by_weight_sum")
    assert weight_sum == {"your 'mean' divides by the sum of the weights, but torch's divides here by the number "
                          "of elements: check what you divide the sum by"}
    assert not any("reduction=" in h for h in count | weight_sum)


def test_a_constant_factor_names_the_parameter_it_comes_from(grade_source):
    hints = _mutant(grade_source, "huber_loss", "is_smooth_l1_formula")
    factors = [h for h in hints if "constant factor" in h]
    assert factors and all("= 1/delta, with delta=" in h for h in factors)
    assert any(h.startswith("your result is off by a constant factor of 10 (= 1/delta, with delta=0.1") for h in factors)
    assert not any("1/2 or 2" in h for h in hints)


def test_overflow_is_told_from_a_log_of_a_negative_number(grade_source):
    overflow = _mutant(grade_source, "cross_entropy", "unstable_log_softmax")
    assert overflow and all("on inputs beyond what exp() of their dtype holds" in h for h in overflow)
    # A log of a sigmoid rounded to 0 or 1 breaks on the same inputs: the hint names both, never
    # overflow alone, since the numbers cannot tell which one the learner's code hit.
    rounded = [h for h in _mutant(grade_source, "binary_cross_entropy_with_logits", "sigmoid_then_log")
               if "exp() of their dtype" in h]
    assert rounded and all("or a log() of such a probability" in h for h in rounded)
    source = _edit("kl_div", "torch.where(positive, target * (safe_target.log() - input), 0.0)",
                   "target * (target.log() - input)")
    negative_log = _hints(grade_source("kl_div", source.replace("    if log_target:\n", "    if False:\n")))
    nan = [h for h in negative_log if " is nan " in h]
    assert nan and all("No exp() can overflow" in h for h in nan)
    assert any("exactly where 'input' and 'target' is negative" in h or "exactly where 'target' is negative" in h
               for h in nan)
    assert not any("overflows" in h for h in negative_log)


def test_float32_is_named_only_on_float32_numbers(grade_source):
    assert any("holds float32 numbers" in h for h in _mutant(grade_source, "mse_loss", "computes_in_float32"))
    for exercise, eps_bug in (("gaussian_nll_loss", "eps_added_not_clamped"), ("kl_div", "clamps_target_before_log"),
                              ("multi_margin_loss", "counts_correct_class")):
        assert not any("float32" in h for h in _mutant(grade_source, exercise, eps_bug)), eps_bug


def test_other_reduction_and_ignored_keyword(grade_source):
    assert "your output matches reduction='mean', but reduction='sum' was requested" in \
        _mutant(grade_source, "mse_loss", "always_mean")
    assert any(h.startswith("your output is what torch gives without margin=") for h in
               _mutant(grade_source, "hinge_embedding_loss", "margin_fixed_at_one"))


def test_zero_gradient_is_named(grade_source):
    source = _edit("mse_loss", "    loss = (input - target) ** 2\n",
                   "    loss = ((input - target) ** 2).detach() + 0 * input\n")
    hints = _hints(grade_source("mse_loss", source))
    assert any(h.startswith("the values are right but this gradient is all zeros") for h in hints)


@pytest.mark.parametrize("exercise, name", [("mse_loss", "abs_instead_of_square"), ("kl_div", "zero_targets_give_nan"),
                                            ("l1_loss", "squares_the_error"),
                                            # every target ignored: torch's 'mean' is 0/0 = NaN, the guarded one 0 as 'sum' is
                                            ("nll_loss", "guards_zero_denominator")])
def test_silent_when_no_hypothesis_reproduces_the_numbers(grade_source, exercise, name):
    hints = _mutant(grade_source, exercise, name)
    assert not any("swapped" in h or "reduction=" in h or "without" in h or "float32" in h for h in hints), hints


def test_importing_a_sibling_exercise_is_refused_in_learner_words(grade_source):
    source = ("from nll_loss import nll_loss\n" +
              (SOLUTIONS / "day3" / "cross_entropy.py").read_text())
    result = grade_source("cross_entropy", source)
    assert result.status == "forbidden"
    assert "graded on its own and cannot import your other ones (nll_loss.py)" in result.feedback
    assert "torch's loss functions" not in result.feedback


def test_a_grader_diagnosing_the_same_cases_again_gives_each_mistake_its_own_hint(grade_source):
    """torch's results for each hypothesis are kept per case once computed: a later learner with
    another mistake on the same cases gets that mistake's hint, and the first one's comes back whole."""
    divisor = _mutant(grade_source, "mse_loss", "mean_ignores_weight_sum")
    summed = _hints(grade_source("mse_loss", _edit("mse_loss", "    return loss.mean()", "    return loss.sum()")))
    assert "your output matches reduction='sum', but reduction='mean' was requested" in summed
    assert not any("divides by" in h for h in summed) and not any("reduction=" in h for h in divisor)
    assert _mutant(grade_source, "mse_loss", "mean_ignores_weight_sum") == divisor


@pytest.mark.parametrize("exercise, wrong", [("mse_loss", "sum"), ("kl_div", "batchmean")])
def test_a_wrong_default_reduction_is_named_as_the_default(grade_source, exercise, wrong):
    hints = _mutant(grade_source, exercise, f"reduction_defaults_to_{wrong}")
    assert hints == {f"your output matches reduction='{wrong}', but the call passes no reduction=, so torch's default "
                     "reduction='mean' was requested (what does your signature default to?)"}, hints


def test_a_wrong_dtype_is_told_in_the_direction_it_went(grade_source):
    """float64 out of a float32 input is never a default's doing, and float32 out of a float64
    input is never a .double()'s: each is told only what can make it."""
    doubled = _hints(grade_source("huber_loss", _edit("huber_loss", "diff = (input - target).abs()",
                                                      "diff = (input.double() - target).abs()")))
    assert any("runs in float64" in h for h in doubled), doubled
    assert not any("runs in float32" in h for h in doubled)
    floated = _hints(grade_source("mse_loss", _edit("mse_loss", "loss = (input - target) ** 2",
                                                    "loss = (input.float() - target.float()) ** 2")))
    assert any("runs in float32" in h for h in floated), floated
    assert not any("runs in float64" in h for h in floated)


def test_indexing_with_an_ignored_target_is_named_only_where_the_target_holds_it(grade_source):
    source = _edit("nll_loss", "keep = target != ignore_index", "keep = torch.ones_like(target, dtype=torch.bool)")
    result = grade_source("nll_loss", source)
    errors = [c for c in result.cases if not c.passed and "out of bounds" in c.message]
    assert errors and all(c.hint.startswith("the target holds ignore_index (") for c in errors), errors
    assert not any("ignore_index (" in (c.hint or "") for c in result.cases if c not in errors)
