"""Shared fixtures: one warm grader for the whole test session, and helpers to grade sources."""
from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from grader.course.manifest import Course
from grader.engine import Grader
from grader.sandbox import Limits

# Results and hint state of the learner commands go to a cache folder of this run, not the user's.
os.environ.setdefault("GRADER_CACHE_DIR", tempfile.mkdtemp(prefix="grader-test-cache-"))

@pytest.fixture(scope="session", autouse=True)
def reference_cache(tmp_path_factory):
    """The session's own reference cache (also for the ``grade`` processes tests start), so tests
    neither read nor fill the user's."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GRADER_CACHE_DIR", str(tmp_path_factory.mktemp("reference-cache")))
        yield


@pytest.fixture(scope="session")
def day3():
    return Course.locate().load_day("day3")


@pytest.fixture(scope="session")
def grader(day3):
    with Grader(day3, "cpu", Limits(timeout=5.0)) as g:
        yield g


@pytest.fixture
def grade_source(grader, tmp_path):
    """Grade ``source`` as the learner's file for ``exercise``; returns the ExerciseResult."""
    def grade(exercise: str, source: str):
        folder = tmp_path / "submission" / "day3"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        (folder / f"{exercise}.py").write_text(source, encoding="utf-8")
        return grader.grade(tmp_path / "submission", [exercise]).exercises[0]

    return grade
