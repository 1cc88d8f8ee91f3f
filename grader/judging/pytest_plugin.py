"""Hidden cases as pytest tests: each case of a course's exercise YAML becomes a pytest item.

The grader runs pytest in-process through ``pytest.main`` with this plugin. The plugin collects
each exercise file as a collector of case items; running an item judges that case against the
worker's answer. Course packs can add ``conftest.py`` hooks next to their YAML (for instance to
deselect cases), as with any pytest suite. Learners never run pytest themselves.

The run is closed: it imports and reads nothing a job or another user could have written. No
plugin autoload (``pytest11`` entry points), ``PYTEST_ADDOPTS`` and ``PYTEST_PLUGINS`` ignored,
the ini file and rootdir pinned, no conftest.py from any folder above the day's, the day's own
only when :mod:`grader.course.trust` vouches for it, no assertion rewriting and no cache or
bytecode written.
"""
from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from pathlib import Path

import pytest

from ..course import trust
from ..course.manifest import Day

_ISOLATED_INI = Path(__file__).with_name("pytest-isolated.ini")
# The grading run's state lives in the config's stash, as pytest's own plugins keep theirs.
GRADING = pytest.StashKey["_Grading"]()


class CaseFailed(Exception):
    pass


class _ExerciseFile(pytest.File):
    def collect(self):
        prepared, _answers = self.config.stash[GRADING].runs[self.path.stem]
        for case in prepared.cases:
            yield _CaseItem.from_parent(self, name=case.id.split(":", 1)[1], case=case)

    @functools.cached_property
    def relpath(self) -> str:
        """The file as pytest names it in a report's location (relative to the rootdir)."""
        return self.session._node_location_to_relpath(self.path)


class _CaseItem(pytest.Item):
    def __init__(self, *, case, **kwargs):
        super().__init__(**kwargs)
        self.case = case

    def runtest(self):
        grading = self.config.stash[GRADING]
        name = self.case.exercise
        result = grading.judge_in_exercise(name, self.case)
        grading.judged[name].append(result)
        if not result.passed:
            raise CaseFailed(result.message)

    def repr_failure(self, excinfo):
        return str(excinfo.value) if excinfo.errisinstance(CaseFailed) else super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"{self.case.exercise}: {self.case.label}"

    @functools.cached_property
    def location(self):
        # pytest's own works the same file's relative path out again for every case.
        return self.parent.relpath, None, self.reportinfo()[2]


class _Grading:
    """The plugin object: knows which exercises to collect and where their answers come from."""

    def __init__(self, runs: dict, judge_fn, folder: Path):
        self.runs = runs
        self.judge_fn = judge_fn
        self.judged = {name: [] for name in runs}
        # In the order of ``runs``, which is the order the exercises' jobs run in.
        self.files = {Path(os.path.abspath(folder / f"{name}.yaml")): i for i, name in enumerate(runs)}

    def pytest_configure(self, config):
        config.stash[GRADING] = self

    @pytest.hookimpl(tryfirst=True)
    def pytest_ignore_collect(self, collection_path):
        """Collect the exercises being graded and nothing else in the day folder, as if they
        were named one by one: pytest collects a folder named once in one pass, but re-lists it
        for each file named on the command line (21 times for a day)."""
        return collection_path not in self.files

    def pytest_collect_file(self, file_path, parent):
        if file_path in self.files:
            return _ExerciseFile.from_parent(parent, path=file_path)
        return None

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items):
        """Judge the exercises in the order of ``runs`` (pytest lists a folder by name): a case
        waits for its exercise's answers, so judging then keeps pace with the jobs."""
        items.sort(key=lambda item: self.files.get(item.path, len(self.files)))

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        """pytest's loop without its per-case hook call, when no plugin but pytest's runner and
        this one implements pytest_runtest_protocol: a batch pays that call per case per student.
        Anything else (a conftest's own protocol, a collection error, --collect-only, an item that
        is not a case) gets pytest's loop."""
        config = session.config
        runner = config.pluginmanager.get_plugin("runner")
        if (session.testsfailed or config.option.collectonly
                or any(impl.plugin is not self and impl.plugin is not runner for impl in config.hook.pytest_runtest_protocol.get_hookimpls())
                or not all(isinstance(item, _CaseItem) for item in session.items)):
            return None
        logging = {}
        for item in session.items:
            if item.path not in logging:
                logging[item.path] = _Logging(item.ihook)
            _run_case(item, logging[item.path])
            if session.shouldfail:
                raise session.Failed(session.shouldfail)
            if session.shouldstop:
                raise session.Interrupted(session.shouldstop)
        return True

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item, nextitem):
        """Run a case as one 'call' phase: a case has no fixtures, so setup and teardown would
        only triple pytest's per-test cost, which a batch of a whole class pays per case."""
        if not isinstance(item, _CaseItem):
            return None
        _run_case(item, _Logging(item.ihook))
        return True

    def judge_in_exercise(self, name, case):
        prepared, answers = self.runs[name]
        return self.judge_fn(prepared, case, answers.get(case.id))


class _Logging:
    """The logging hooks of a file's cases, each None where no plugin implements it: looked up
    when the file's first case runs, not three times per case (``ihook`` looks up conftests)."""

    def __init__(self, ihook):
        self.start, self.report, self.finish = (
            caller if caller.get_hookimpls() else None
            for caller in (ihook.pytest_runtest_logstart, ihook.pytest_runtest_logreport, ihook.pytest_runtest_logfinish))


def _run_case(item: _CaseItem, logging: _Logging) -> None:
    nodeid, location = item.nodeid, item.location
    if logging.start:
        logging.start(nodeid=nodeid, location=location)
    report = _case_report(item)
    if logging.report:  # pytest's session counts failures here, for the exit code
        logging.report(report=report)
    if logging.finish:
        logging.finish(nodeid=nodeid, location=location)


def _case_report(item: _CaseItem) -> pytest.TestReport:
    """The report ``TestReport.from_item_and_call(item, CallInfo.from_call(item.runtest, "call"))``
    makes, without the two objects and the exception info for a failed case."""
    start, precise = time.time(), time.perf_counter()
    try:
        item.runtest()
        outcome, longrepr = "passed", None
    except CaseFailed as exc:
        outcome, longrepr = "failed", str(exc)  # what repr_failure makes of it
    except KeyboardInterrupt:  # Ctrl-C stops the run, as pytest's own protocol lets it
        raise
    except BaseException as exc:  # noqa: BLE001 - a fault of ours: pytest reports it with its traceback
        return pytest.TestReport.from_item_and_call(item, pytest.CallInfo.from_call(functools.partial(_reraise, exc), "call"))
    duration = time.perf_counter() - precise
    return pytest.TestReport(item.nodeid, item.location, dict.fromkeys(item.keywords, 1), outcome, longrepr, "call",
                             sections=[(f"Captured {key} {when}", content) for when, key, content in item._report_sections],
                             duration=duration, start=start, stop=time.time(), user_properties=item.user_properties)


def _reraise(exc: BaseException):
    raise exc


def run_cases(day: Day, runs: dict, judge_fn) -> dict:
    """Judge every case of ``runs`` ({exercise: (Prepared, decoded answers by case id)}) through pytest."""
    grading = _Grading(runs, judge_fn, day.folder)
    # Plugins that only serve interactive runs cost a gc.collect and per-item logging handlers
    # on every run, which a batch of a whole class pays once per student; those for Python test
    # modules (assertion rewriting, unittest, subtests) wrap every case for nothing.
    quiet = ["no:cacheprovider", "no:terminal", "no:logging", "no:unraisableexception", "no:threadexception",
             "no:faulthandler", "no:warnings", "no:doctest", "no:junitxml", "no:pastebin", "no:stepwise",
             "no:setuponly", "no:setupplan", "no:tmpdir", "no:monkeypatch", "no:recwarn", "no:debugging",
             "no:legacypath", "no:python_path", "no:capture", "no:python", "no:unittest", "no:subtests", "no:assertion"]
    args = ["-c", str(_ISOLATED_INI), "--rootdir", str(day.folder), "--import-mode=importlib",
            *_conftest_args(day.folder), *(a for p in quiet for a in ("-p", p)), str(day.folder)]
    with _closed_environment():
        code = pytest.main(args, plugins=[grading])
    if code == pytest.ExitCode.INTERRUPTED:  # pytest turned the user's Ctrl-C into an exit code
        raise KeyboardInterrupt
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        from ..errors import CourseError

        raise CourseError(f"running the cases of {day.folder} through pytest failed ({code!r})")
    # A case whose judging raised is missing from ``judged``; scoring the rest would hand out
    # marks for a case nobody checked, so that is a grader fault, not a pass.
    for name, (prepared, _answers) in runs.items():
        if len(grading.judged[name]) != len(prepared.cases):  # a fault of ours (exit 1), not of the input
            raise RuntimeError(f"{name}: judging {len(prepared.cases) - len(grading.judged[name])} case(s) failed inside the grader")
    return grading.judged


def _conftest_args(folder: Path) -> list[str]:
    """The day folder's own conftest.py when it is trusted, none otherwise, never one above it."""
    if trust.trusted_file(folder / "conftest.py", "pytest hooks (conftest.py)"):
        return ["--confcutdir", str(folder)]
    return ["--noconftest"]  # also ignores one planted there after this check


# pytest reads these from the environment; whoever set them is not the course author.
_ENVIRONMENT = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTEST_ADDOPTS": None, "PYTEST_PLUGINS": None}


@contextlib.contextmanager
def _closed_environment():
    saved = {name: os.environ.get(name) for name in _ENVIRONMENT}
    saved_bytecode = sys.dont_write_bytecode
    try:
        for name, value in _ENVIRONMENT.items():
            _set_env(name, value)
        sys.dont_write_bytecode = True
        yield
    finally:
        sys.dont_write_bytecode = saved_bytecode
        for name, value in saved.items():
            _set_env(name, value)


def _set_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
