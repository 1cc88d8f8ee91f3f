"""The grader's own pytest run loads nothing a job or another user could have written.

Attack class 1 of the threat model: code planted where pytest would look for it (a conftest.py
in a writable folder above the pack, a ``pytest11`` entry point on sys.path, ``PYTEST_ADDOPTS``
or ``PYTEST_PLUGINS``) would run inside the grader and decide every verdict. Each test plants a
plugin that marks every case passed, and grades the untouched stub, which must keep scoring 0.
A control shows the same plugin does flip the verdict where a trusted pack puts it.
"""
from __future__ import annotations

import os
import sys

import pytest
from click.testing import CliRunner

from classroom import make_pack
from paths import EXERCISES
from grader.cli import main
from grader.course.manifest import Course
from grader.engine import Grader
from grader.errors import CourseError
from grader.sandbox import Limits

pytestmark = pytest.mark.attack

FORGER = '''
def pytest_collection_modifyitems(config, items):
    for plugin in config.pluginmanager.get_plugins():
        real = getattr(plugin, "judge_fn", None)
        if real is None or getattr(real, "forged", False):
            continue
        def forged(prepared, case, answer, real=real):
            result = real(prepared, case, answer)
            result.passed, result.score, result.message = True, result.max_score, ""
            return result
        forged.forged = True
        plugin.judge_fn = forged
'''


@pytest.fixture
def grade_stub(grader):
    """Grade the untouched mse_loss stub against ``pack`` with the session's warm workers."""
    def grade(pack):
        day = Course.locate(pack).load_day("day3")
        return Grader(day, "cpu", Limits(timeout=5.0), pool=grader._pool).grade(EXERCISES, ["mse_loss"]).exercises[0]

    return grade


def test_control_a_trusted_packs_conftest_runs_and_writes_no_cache(tmp_path, grade_stub):
    pack = make_pack(tmp_path)
    (pack / "day3" / "conftest.py").write_text(FORGER)
    before = sorted(p.name for p in pack.rglob("*"))
    forged = grade_stub(pack)
    assert forged.score == forged.max_score  # the plugin works where it is allowed to run
    assert sorted(p.name for p in pack.rglob("*")) == before  # no __pycache__, no .pytest_cache


def test_conftest_in_a_world_writable_ancestor_is_never_loaded(tmp_path, grade_stub):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # like /tmp or /var/tmp: anyone, a job included, can write here
    pack = make_pack(shared)
    for folder in (shared, pack):
        (folder / "conftest.py").write_text(FORGER)
    assert grade_stub(pack).score == 0.0


def test_conftest_in_a_writable_pack_folder_is_refused_with_one_line(tmp_path, grade_stub):
    pack = make_pack(tmp_path)
    (pack / "day3" / "conftest.py").write_text(FORGER)
    (pack / "day3").chmod(0o777)
    with pytest.raises(CourseError, match="day3 is group- or world-writable"):
        grade_stub(pack)
    result = CliRunner().invoke(main, ["day3", "mse_loss", "--course", str(pack), "--submission", str(EXERCISES)])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and "conftest.py" in result.output


def test_conftest_written_by_another_user_is_refused(tmp_path, grade_stub):
    pack = make_pack(tmp_path)
    conftest = pack / "day3" / "conftest.py"
    conftest.write_text(FORGER)
    if os.geteuid() == 0:
        os.chown(conftest, 65534, 65534)
        expected = "is owned by uid 65534"
    else:  # an ordinary user cannot give a file away; a writable file is the same hole
        conftest.chmod(0o666)
        expected = "is group- or world-writable"
    with pytest.raises(CourseError, match=expected):
        grade_stub(pack)


def test_conftest_that_is_a_symlink_is_refused(tmp_path, grade_stub):
    pack = make_pack(tmp_path)
    (tmp_path / "elsewhere.py").write_text(FORGER)
    (pack / "day3" / "conftest.py").symlink_to(tmp_path / "elsewhere.py")
    with pytest.raises(CourseError, match="is a symbolic link"):
        grade_stub(pack)


def _plant_plugin(site, module: str) -> None:
    site.mkdir(exist_ok=True)
    (site / f"{module}.py").write_text(FORGER)
    dist = site / f"{module}-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[pytest11]\n{module} = {module}\n")


def test_pytest11_entry_point_on_sys_path_is_not_autoloaded(tmp_path, grade_stub, monkeypatch):
    from importlib.metadata import entry_points

    _plant_plugin(tmp_path / "site", "forger_entry_point")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert "forger_entry_point" in {e.name for e in entry_points(group="pytest11")}  # pytest would find it
    assert grade_stub(make_pack(tmp_path)).score == 0.0
    assert "forger_entry_point" not in sys.modules


@pytest.mark.parametrize("variable, value", [("PYTEST_ADDOPTS", "-p forger_{}"), ("PYTEST_PLUGINS", "forger_{}")])
def test_plugins_named_in_the_environment_are_ignored(tmp_path, grade_stub, monkeypatch, variable, value):
    module = f"forger_{variable.lower()}"
    _plant_plugin(tmp_path / "site", module)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setenv(variable, value.format(variable.lower()))
    assert grade_stub(make_pack(tmp_path)).score == 0.0
    assert module not in sys.modules
    assert os.environ[variable] == value.format(variable.lower())  # restored for whoever set it


def test_ini_files_around_the_run_are_ignored(tmp_path, grade_stub, monkeypatch):
    _plant_plugin(tmp_path / "site", "forger_ini")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    pack = make_pack(tmp_path)
    for folder in (tmp_path, pack, pack / "day3"):
        (folder / "pytest.ini").write_text("[pytest]\naddopts = -p forger_ini\n")
        (folder / "pyproject.toml").write_text('[tool.pytest.ini_options]\naddopts = "-p forger_ini"\n')
    monkeypatch.chdir(pack / "day3")
    assert grade_stub(pack).score == 0.0
    assert "forger_ini" not in sys.modules
