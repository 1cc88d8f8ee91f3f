"""`grade build` turns each solution into its stub, and refuses a solution whose stub would be
wrong: one without a solution block (the stub would hand out the answer) or that is not Python."""
import shutil

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.course.build import make_stub
from grader.errors import UsageError

from paths import SOLUTIONS

SOLUTION = (SOLUTIONS / "day3" / "mse_loss.py").read_text()


def test_the_stub_keeps_the_signature_and_raises():
    stub = make_stub(SOLUTION)
    assert "def mse_loss(" in stub and 'raise NotImplementedError("not implemented yet' in stub
    assert "(input - target) ** 2" not in stub


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.replace("    # BEGIN SOLUTION\n", "").replace("    # END SOLUTION\n", ""),
     "no '# BEGIN SOLUTION' block, so its stub would be the whole solution"),
    (lambda s: s.replace("def mse_loss(", "def mse_loss(("), "syntax error"),
    # a block marked at column 0 is dropped as module-level code, leaving the function no body
    (lambda s: s.split('    """', 1)[0] + "# BEGIN SOLUTION\n    return input\n# END SOLUTION\n", "its stub line"),
])
def test_a_solution_whose_stub_would_be_wrong_is_refused(tmp_path, edit, message):
    with pytest.raises(UsageError, match=message):
        make_stub(edit(SOLUTION), "mse_loss.py")
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    shutil.copytree(SOLUTIONS, solutions)
    (solutions / "day3" / "mse_loss.py").write_text(edit(SOLUTION))
    result = CliRunner().invoke(main, ["build", "--solutions", str(solutions), "--exercises", str(exercises)])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output, result.output
    assert not (exercises / "day3" / "mse_loss.py").exists()
