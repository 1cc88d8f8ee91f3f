"""`grade check-course`: every schema problem of a pack at once, each at its file:line, with a
"did you mean", and exit code 1."""
import re

import yaml
from click.testing import CliRunner

from grader.cli import main

from classroom import make_pack


def _check(pack, tmp_path):
    return CliRunner().invoke(main, ["check-course", "--course", str(pack), "--solutions", str(tmp_path / "none")])


def test_misspellings_are_found_with_their_lines(tmp_path):
    pack = make_pack(tmp_path)
    day = pack / "day3"
    mse = day / "mse_loss.yaml"
    text = mse.read_text().replace("reduction:", "reductoin:", 1).replace("points:", "pionts:", 1)
    text = text.replace("kind:", "publik: true\n  kind:", 1)
    mse.write_text(text)
    l1 = yaml.safe_load((day / "l1_loss.yaml").read_text())
    l1["reference"] = "torch.nn.functional.l1_los"
    (day / "l1_loss.yaml").write_text(yaml.safe_dump(l1, sort_keys=False))
    listing = yaml.safe_load((day / "day.yaml").read_text())
    listing["exercises"].append("huber_los")
    (day / "day.yaml").write_text(yaml.safe_dump(listing, sort_keys=False))
    result = _check(pack, tmp_path)
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 5 and all(re.match(r"error: \S+\.yaml:\d+: ", e) for e in errors), errors

    def line_of(path, needle):
        return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)

    expected = [
        f"mse_loss.yaml:{line_of(mse, 'reductoin')}: 'reductoin' in grid is not a parameter of "
        "torch.nn.functional.mse_loss in this torch (did you mean 'reduction'?)",
        f"mse_loss.yaml:{line_of(mse, 'pionts')}: unknown key 'pionts' (did you mean 'points'?)",
        f"mse_loss.yaml:{line_of(mse, 'publik')}: unknown case key 'publik' (did you mean 'public'?)",
        f"l1_loss.yaml:{line_of(day / 'l1_loss.yaml', 'reference')}: reference 'torch.nn.functional.l1_los' cannot "
        "be imported (did you mean 'torch.nn.functional.l1_loss'?)",
        f"day.yaml:{line_of(day / 'day.yaml', 'huber_los')}: exercise 'huber_los' is listed but huber_los.yaml "
        "does not exist",
    ]
    for needle in expected:
        assert any(needle in e for e in errors), (needle, errors)


def test_clean_packs_pass_the_schema(tmp_path):
    from grader.course.lint import lint_day
    from grader.course.manifest import BUILTIN_COURSE

    assert lint_day(make_pack(tmp_path, quiz=True) / "day3") == []
    assert lint_day(BUILTIN_COURSE / "day3") == []


def test_grading_names_the_line_of_an_unknown_exercise(tmp_path):
    pack = make_pack(tmp_path)
    day = pack / "day3" / "day.yaml"
    listing = yaml.safe_load(day.read_text())
    listing["exercises"].append("huber_los")
    day.write_text(yaml.safe_dump(listing, sort_keys=False))
    line = next(n for n, text in enumerate(day.read_text().splitlines(), 1) if "huber_los" in text)
    result = CliRunner().invoke(main, ["day3", "--course", str(pack), "--submission", str(tmp_path)])
    assert result.exit_code == 2 and f"day.yaml:{line}: exercise 'huber_los' is listed" in result.output
