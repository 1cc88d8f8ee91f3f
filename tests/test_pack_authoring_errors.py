"""An author's mistakes in a pack: each one is a single file:line error from `grade check-course`,
and, where grading cannot go on, from `grade DAY --course` too (exit 2, no traceback)."""
import shutil

import pytest
import yaml
from click.testing import CliRunner

from grader.cli import main
from grader.course.lint import lint_day

from classroom import make_pack
from paths import SOLUTIONS


def _edit(path, old, new):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _line_of(path, needle):
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def _errors(args):
    result = CliRunner().invoke(main, args)
    assert "Traceback" not in result.output
    return result.exit_code, [line for line in result.output.splitlines() if line.startswith("error: ")]


@pytest.mark.parametrize("tolerance, message", [
    ("{float32: {rtol: abc}}", "tolerance float32.rtol must be a non-negative number, got 'abc'"),
    ("{float32: {rtol: -1.0}}", "tolerance float32.rtol must be a non-negative number, got -1.0"),
    ("{float32: {rtl: 1.0e-5}}", "tolerance for float32: unknown key 'rtl' (did you mean 'rtol'?)"),
    ("{flaot32: {rtol: 1.0e-5}}", "tolerance for 'flaot32': only float32 and float64 are graded (did you mean 'float32'?)"),
])
def test_a_bad_tolerance_is_one_line_at_its_key(tmp_path, tolerance, message):
    pack = make_pack(tmp_path)
    mse = pack / "day3" / "mse_loss.yaml"
    _edit(mse, "hints:", f"tolerance: {tolerance}\nhints:")
    where = f"mse_loss.yaml:{_line_of(mse, 'tolerance:')}: {message}"
    code, errors = _errors(["check-course", "--course", str(pack), "--solutions", str(tmp_path / "none")])
    assert code == 1 and len(errors) == 1 and errors[0].endswith(where), errors
    code, errors = _errors(["day3", "--course", str(pack), "--submission", str(SOLUTIONS)])
    assert code == 2 and len(errors) == 1 and errors[0].endswith(where), errors


def test_a_tolerance_written_as_yaml_1_1_reads_it_is_a_number(tmp_path):
    from grader.course.manifest import Course

    pack = make_pack(tmp_path)
    _edit(pack / "day3" / "mse_loss.yaml", "hints:", "tolerance: {float64: {rtol: 1e-9}}\nhints:")
    assert Course.locate(pack).load_day("day3").exercise("mse_loss").tolerance == {"float64": {"rtol": 1e-9}}


@pytest.mark.parametrize("twice", [{"grid": {"reduction": ["mean", "sum", "mean"]}},
                                   {"grid": {"reduction": ["mean"]}, "seeds": [3, 3]}])
def test_a_case_listed_twice_is_one_line_not_a_crashed_worker(tmp_path, twice):
    pack = make_pack(tmp_path)
    mse = pack / "day3" / "mse_loss.yaml"
    spec = yaml.safe_load(mse.read_text())
    spec["cases"][0].update(twice)
    mse.write_text(yaml.safe_dump(spec, sort_keys=False))
    line = _line_of(mse, "- kind:")
    for args, expected_code in ((["check-course", "--solutions", str(tmp_path / "none")], 1),
                                (["day3", "--submission", str(SOLUTIONS)], 2)):
        code, errors = _errors(args + ["--course", str(pack)])
        assert code == expected_code and len(errors) == 1, errors
        assert f"mse_loss.yaml:{line}: case '" in errors[0] and "listed twice" in errors[0], errors


def test_a_reference_learners_may_call_and_empty_hints_are_named(tmp_path):
    pack = make_pack(tmp_path)
    day = pack / "day3"
    listing = yaml.safe_load((day / "day.yaml").read_text())
    listing["forbidden"]["calls"].remove("l1_loss")
    (day / "day.yaml").write_text(yaml.safe_dump(listing, sort_keys=False))
    spec = yaml.safe_load((day / "mse_loss.yaml").read_text())
    spec["hints"] = []
    (day / "mse_loss.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    problems = lint_day(day)
    assert len(problems) == 2, problems
    assert any(p.endswith(f"day.yaml:{_line_of(day / 'day.yaml', '- l1_loss')}: exercise 'l1_loss': 'l1_loss' (its "
                          "reference torch.nn.functional.l1_loss) is not in forbidden: calls:, so learner code may "
                          "call it and score full marks") for p in problems), problems
    assert any(p.endswith(f"mse_loss.yaml:{_line_of(day / 'mse_loss.yaml', 'hints:')}: 'hints' is empty: give at "
                          "least one, `grade hint` shows them one at a time") for p in problems), problems
    del listing["forbidden"]
    (day / "day.yaml").write_text(yaml.safe_dump(listing, sort_keys=False))
    assert [p for p in lint_day(day) if "forbidden" in p] == [
        f"{day / 'day.yaml'}:1: no 'forbidden: calls:' list: learner code could call torch's own functions and "
        "score full marks"]


def test_a_reference_that_fails_its_case_names_the_case_line_once(tmp_path):
    pack = make_pack(tmp_path)
    mse = pack / "day3" / "mse_loss.yaml"
    spec = yaml.safe_load(mse.read_text())
    del spec["cases"][0]["args"]["target"]
    mse.write_text(yaml.safe_dump(spec, sort_keys=False))
    solutions = tmp_path / "solutions" / "day3"
    solutions.mkdir(parents=True)
    shutil.copy(SOLUTIONS / "day3" / "mse_loss.py", solutions)
    code, errors = _errors(["check-course", "--course", str(pack), "--solutions", str(solutions.parent)])
    assert code == 1 and len(errors) == 1, errors
    assert errors[0].startswith(f"error: {mse}:{_line_of(mse, 'kind:')}: the reference fails on case"), errors


def test_a_case_helper_is_not_blamed_on_the_learner_when_the_pack_forbids_what_it_uses(tmp_path):
    """A pack with a cosine_similarity exercise forbids it; triplet_margin_with_distance_loss's
    cosine distance (a case's helper, run in the learner's job) must not trip that trap."""
    pack = make_pack(tmp_path)
    day = pack / "day3"
    listing = yaml.safe_load((day / "day.yaml").read_text())
    listing["exercises"] = ["triplet_margin_with_distance_loss"]
    listing["forbidden"]["calls"].append("cosine_similarity")
    (day / "day.yaml").write_text(yaml.safe_dump(listing, sort_keys=False))
    shutil.copy(SOLUTIONS.parents[0] / "grader" / "courses" / "default" / "day3" / "triplet_margin_with_distance_loss.yaml", day)
    result = CliRunner().invoke(main, ["day3", "--course", str(pack), "--submission", str(SOLUTIONS), "--format", "json"])
    assert result.exit_code == 0, result.output
    import json
    exercise = json.loads(result.output)["exercises"][0]
    assert exercise["status"] == "passed", exercise


def test_args_out_of_the_references_order_are_named(tmp_path):
    """args are positional: {target, input} silently swapped the two before."""
    pack = make_pack(tmp_path)
    mse = pack / "day3" / "mse_loss.yaml"
    spec = yaml.safe_load(mse.read_text())
    args = spec["cases"][0]["args"]
    spec["cases"][0]["args"] = {"target": args["target"], "input": args["input"]}
    mse.write_text(yaml.safe_dump(spec, sort_keys=False))
    assert lint_day(pack / "day3") == [
        f"{mse}:{_line_of(mse, 'args:')}: args are passed by position, so they must follow "
        "torch.nn.functional.mse_loss's order: input, target, not target, input (move the others to kwargs)"]


def _dump(path, data):
    path.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.mark.parametrize("edit, message", [
    (lambda spec: spec.pop("reference"), "'reference' must name a callable"),
    (lambda spec: spec.update(cases=5), "'cases' must be a non-empty list"),
    (lambda spec: spec["cases"][0].update(seeds=3), "'seeds' must be a list of integers"),
    (lambda spec: spec["cases"][0].update(dtypes="float32"), "'dtypes' must be a list of float32 and float64"),
    (lambda spec: spec["cases"][0].update(compare=7), "'compare' must be a list of value and grad"),
    (lambda spec: spec["cases"][1].update(public="false"), "'public' must be true or false (unquoted)"),
])
def test_a_key_of_the_wrong_type_is_one_line_not_an_internal_error(tmp_path, edit, message):
    pack = make_pack(tmp_path)
    mse = pack / "day3" / "mse_loss.yaml"
    spec = yaml.safe_load(mse.read_text())
    edit(spec)
    _dump(mse, spec)
    for args, expected_code in ((["check-course", "--solutions", str(tmp_path / "none")], 1),
                                (["day3", "--submission", str(SOLUTIONS)], 2)):
        code, errors = _errors(args + ["--course", str(pack)])
        assert code == expected_code and len(errors) == 1 and message in errors[0], errors
        assert errors[0].startswith(f"error: {mse}:"), errors


@pytest.mark.parametrize("listed, message", [
    (["mse_loss", "l1_loss", {"a": 1}], "'exercises' must list function names, not {'a': 1}"),
    (["mse_loss", "l1_loss", "../l1_loss"], "'exercises' must list function names, not '../l1_loss'"),
    (["mse_loss", "l1_loss", "mse_loss"], "exercise 'mse_loss' is listed twice in 'exercises'"),
])
def test_a_bad_exercise_list_is_one_line_naming_the_entry(tmp_path, listed, message):
    pack = make_pack(tmp_path)
    day = pack / "day3" / "day.yaml"
    listing = yaml.safe_load(day.read_text())
    listing["exercises"] = listed
    _dump(day, listing)
    for args, expected_code in ((["check-course", "--solutions", str(tmp_path / "none")], 1),
                                (["day3", "--submission", str(SOLUTIONS)], 2)):
        code, errors = _errors(args + ["--course", str(pack)])
        assert code == expected_code and len(errors) == 1 and message in errors[0], errors


def test_an_exercise_file_the_day_does_not_list_is_named(tmp_path):
    pack = make_pack(tmp_path)
    day = pack / "day3"
    listing = yaml.safe_load((day / "day.yaml").read_text())
    listing["exercises"].remove("l1_loss")
    _dump(day / "day.yaml", listing)
    assert lint_day(day) == [f"{day / 'l1_loss.yaml'}: 'l1_loss' is not listed in day.yaml's 'exercises', so it "
                             "is never graded"]


def test_check_course_counts_the_solutions_at_full_marks_when_one_is_missing(tmp_path):
    pack = make_pack(tmp_path)
    solutions = tmp_path / "solutions" / "day3"
    solutions.mkdir(parents=True)
    shutil.copy(SOLUTIONS / "day3" / "mse_loss.py", solutions)
    result = CliRunner().invoke(main, ["check-course", "--course", str(pack), "--solutions", str(solutions.parent)])
    assert result.exit_code == 1, result.output
    assert "day3: 1 of 2 solution(s) at full marks" in result.output, result.output
    assert "no solution for exercise 'l1_loss'" in result.output, result.output
