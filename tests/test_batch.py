"""Batch grading of a class: gradebook, per-student JSON, hostile students, shards, resume, merge."""
import contextlib
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from grader.classroom import batch, gradebook, merge, provenance, roster, run, slots
from grader.cli import main
from grader.course.manifest import Course
from grader.results import DayResult, ExerciseResult

from classroom import HANG, STUB, WRONG, make_pack, make_student
from paths import ROOT

SBATCH = ROOT / "examples" / "slurm" / "grade_shards.sbatch"
MATRIX = ROOT / "examples" / "github" / "grade-class-day3.yml"
MEMORY_BOMB = "HOARD = bytearray(64 << 30)\n\ndef {name}(input, target, **kwargs):\n    return input\n"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A class of six graded in two shards by the sample Slurm script, as two array tasks would."""
    root = tmp_path_factory.mktemp("class")
    pack = make_pack(root, quiz=True)
    subs = root / "submissions"
    make_student(subs, "ada", quiz=True)
    make_student(subs, "bob", {"l1_loss": WRONG})
    make_student(subs, "cy", {"mse_loss": HANG})
    make_student(subs, "dan", {"mse_loss": MEMORY_BOMB, "l1_loss": ""})  # hostile; l1 not handed in
    (subs / "eve").mkdir()  # handed in nothing at all
    make_student(subs, "fay", {"mse_loss": STUB, "l1_loss": STUB})  # handed in the untouched stubs
    path = f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}"  # the venv's `grade`
    env = {**os.environ, "PATH": path, "GRADER_COURSE": str(pack), "SUBMISSIONS": str(subs), "OUT": str(root / "grades"),
           "SLURM_ARRAY_TASK_COUNT": "2", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_CPUS_PER_TASK": "2",
           "GRADE_OPTIONS": "--timeout 1"}
    for task in ("1", "2"):
        proc = subprocess.run(["bash", str(SBATCH)], env={**env, "SLURM_ARRAY_TASK_ID": task}, cwd=root,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
    return root, subs, env


def _gradebook(folder):
    with (folder / "gradebook.csv").open() as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def test_shards_merge_into_a_correct_gradebook(graded, tmp_path):
    root, _subs, _env = graded
    result = CliRunner().invoke(main, ["merge", str(root / "grades/shard-1"), str(root / "grades/shard-2"),
                                       "--out", str(tmp_path / "all")])
    assert result.exit_code == 0, result.output
    book = _gradebook(tmp_path / "all")
    scores = {name: (float(row["mse_loss"]), float(row["l1_loss"])) for name, row in book.items()}
    assert scores == {"ada": (1, 1), "bob": (1, 0), "cy": (0, 1), "dan": (0, 0), "eve": (0, 0), "fay": (0, 0)}
    assert "submission folder not found" in book["eve"]["note"]
    quiz_max = float(book["ada"]["quiz"])
    assert quiz_max > 0 and {row["quiz"] for name, row in book.items() if name != "ada"} == {"0.0"}
    assert {float(row["max_score"]) for row in book.values()} == {2 + quiz_max}  # the quiz counts for everyone
    for row in book.values():
        assert float(row["total"]) == float(row["mse_loss"]) + float(row["l1_loss"]) + float(row["quiz"])
        assert float(row["percent"]) == pytest.approx(100 * float(row["total"]) / float(row["max_score"]), abs=0.01)
    students = {p.stem: json.loads(p.read_text()) for p in (tmp_path / "all/students").glob("*.json")}
    assert [e["status"] for e in students["cy"]["exercises"]] == ["timeout", "passed"]
    assert [e["status"] for e in students["dan"]["exercises"]] == ["error", "missing"]
    summary = json.loads((tmp_path / "all/summary.json").read_text())
    l1 = summary["exercises"]["l1_loss"]
    assert summary["students"] == 6 and l1["pass_rate"] == pytest.approx(2 / 6, abs=1e-4)  # ada, cy
    assert l1["started"] == 3 and l1["pass_rate_of_started"] == pytest.approx(2 / 3, abs=1e-4)  # fay's stub is not a start
    kinds = [(k["kind"], k["students"]) for k in l1["most_failed_kinds"]]
    assert kinds == sorted(kinds, key=lambda k: (-k[1], k[0])) and {n for _k, n in kinds} == {1}  # bob only
    assert "| `l1_loss` | 33% | 3 | 67% |" in (tmp_path / "all/summary.md").read_text()


def test_gradebook_plots_or_says_why_not(graded, tmp_path, monkeypatch):
    root, _subs, _env = graded
    folder = root / "grades/shard-1"
    notes = []
    written = gradebook.write(gradebook.read(gradebook.student_files(folder)), tmp_path, notes.append)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert notes == [gradebook.NO_PLOT]
    else:
        assert {p.name for p in written} >= {"histogram.png", "exercises.png"}
        assert (tmp_path / "exercises.png").read_bytes().startswith(b"\x89PNG")
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    notes.clear()
    (tmp_path / "plain").mkdir()
    written = gradebook.write(gradebook.read(gradebook.student_files(folder)), tmp_path / "plain", notes.append)
    assert notes == [gradebook.NO_PLOT] and not any(p.suffix == ".png" for p in written)


def test_student_json_has_the_grade_json_schema(graded):
    root, subs, env = graded
    alone = subprocess.run([sys.executable, "-m", "grader", "day3", "--submission", str(subs / "bob"), "--format", "json"],
                           env=env, capture_output=True, text=True, timeout=120)
    expected = json.loads(alone.stdout)
    shard = "shard-1" if "bob" in roster.shard(["ada", "bob", "cy", "dan", "eve"], 1, 2) else "shard-2"
    batched = json.loads((root / "grades" / shard / "students/bob.json").read_text())
    assert set(batched) == set(expected) | {"provenance"}
    assert [(e["name"], e["score"], e["status"]) for e in batched["exercises"]] == \
           [(e["name"], e["score"], e["status"]) for e in expected["exercises"]]


def test_merge_detects_missing_and_duplicated_students(graded, tmp_path):
    root, _subs, _env = graded
    one = str(root / "grades/shard-1")
    missing = CliRunner().invoke(main, ["merge", one, "--out", str(tmp_path / "a")])
    assert missing.exit_code == 2 and "have no result" in missing.output
    assert not (tmp_path / "a" / "gradebook.csv").exists()
    copy = tmp_path / "copy"
    shutil.copytree(one, copy)
    twice = CliRunner().invoke(main, ["merge", one, str(copy), str(root / "grades/shard-2"), "--out", str(tmp_path / "b")])
    assert twice.exit_code == 2 and "more than one output" in twice.output
    same = CliRunner().invoke(main, ["merge", one, one, "--out", str(tmp_path / "d")])
    assert same.exit_code == 2 and f"{one} is given twice" in same.output, same.output
    partial = CliRunner().invoke(main, ["merge", one, "--out", str(tmp_path / "c"), "--allow-missing"])
    assert partial.exit_code == 0 and len(_gradebook(tmp_path / "c")) == len(roster.shard(list("abcde"), 1, 2))


def test_student_names_in_merge_messages_are_escaped_and_bounded():
    shown = merge._names(["ada", "\x1b[2J\u202eevil", "x" * 10_000])
    assert "\x1b" not in shown and "\u202e" not in shown and "\\x1b[2J\\u202eevil" in shown
    assert len(shown) < 400


def test_rerun_resumes_and_force_regrades(graded):
    root, subs, env = graded
    out = root / "grades/shard-1"
    before = {p.name: p.stat().st_mtime_ns for p in (out / "students").iterdir()}
    args = ["batch", "day3", str(subs), "--course", env["GRADER_COURSE"], "--timeout", "1", "--shard", "1/2",
            "--out", str(out)]
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0 and "already graded" in again.output
    other_options = CliRunner().invoke(main, [a for a in args if a not in ("--timeout", "1")])
    assert other_options.exit_code == 2 and "another set-up (options" in other_options.output
    assert {p.name: p.stat().st_mtime_ns for p in (out / "students").iterdir()} == before
    other = CliRunner().invoke(main, [*args[:-3], "2/2", "--out", str(out)])
    assert other.exit_code == 2 and "another batch" in other.output


def test_shards_are_disjoint_and_cover_the_roster():
    names = [f"s{i:03d}" for i in range(23)]
    parts = [roster.shard(list(reversed(names)), i, 4) for i in range(1, 5)]
    assert sorted(sum(parts, [])) == names
    assert {len(p) for p in parts} == {5, 6}


@pytest.mark.parametrize("text", ["0/2", "3/2", "1-2", "a/b"])
def test_bad_shard_is_a_usage_error(text, tmp_path):
    (tmp_path / "subs").mkdir()
    result = CliRunner().invoke(main, ["batch", "day3", str(tmp_path / "subs"), "--shard", text, "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--shard must be i/n" in result.output


@pytest.mark.parametrize("jobs", ["0", "257", "many"])
def test_bad_jobs_is_a_usage_error(jobs, tmp_path):
    (tmp_path / "subs").mkdir()
    result = CliRunner().invoke(main, ["batch", "day3", str(tmp_path / "subs"), "--jobs", jobs, "--out", str(tmp_path)])
    assert result.exit_code == 2 and "neither a number from 1 to 256 nor auto" in result.output


def test_auto_jobs_follow_usable_cores_cpu_quota_and_memory(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(8)), raising=False)
    for quota, mib, expected in [(None, 64_000, 8), (3, 64_000, 3), (None, 5 * slots.WORKER_MIB + 1, 5), (None, 10, 1)]:
        monkeypatch.setattr(slots, "_cpu_quota", lambda: quota)
        monkeypatch.setattr(slots, "_available_mib", lambda: mib)
        assert slots.auto_jobs() == expected


class _LevelledPool:
    def __init__(self, **level):
        self.sandbox = {"landlock": 0, "uid_switch": False, "seccomp": False, **level}

    @contextlib.contextmanager
    def lease(self):
        yield


@pytest.mark.parametrize("level, device, cached", [
    ({}, "cpu", False), ({"landlock": 7}, "cpu", True), ({"uid_switch": True}, "cpu", True),
    ({"seccomp": True}, "cpu", True), ({"seccomp": True}, "cuda", False)])
def test_a_batch_reads_the_reference_cache_only_where_no_job_can_write_it(level, device, cached):
    said = []
    assert batch._cache_beyond_jobs(_LevelledPool(**level), device, said.append) is cached
    assert bool(said) is not cached and all("could write the reference cache" in line for line in said)


class _FakeGrader:
    """Stands in for the engine to drive the batch runner's own logic quickly."""

    def __init__(self, day):
        self.day = day

    def prepare(self, spec):
        pass

    def grade(self, folder):
        if folder.name == "broken":
            raise RuntimeError("worker pool on fire")
        exercises = [ExerciseResult(s.name, "passed", s.points, s.points) for s in self.day.exercises]
        return DayResult(self.day.name, "", str(folder), "cpu", exercises)


def test_grader_faults_cost_only_that_student(tmp_path):
    day = Course.locate(make_pack(tmp_path)).load_day("day3")
    names = ["broken", "fine", "well"]
    for name in names:
        (tmp_path / "subs" / name / "day3").mkdir(parents=True)
    outcomes = run.run(_FakeGrader(day), tmp_path / "subs", names, tmp_path / "out", jobs=2)
    statuses = {o.student: {e.status for e in o.result.exercises} for o in outcomes}
    assert statuses == {"broken": {"error"}, "fine": {"passed"}, "well": {"passed"}}
    assert "worker pool on fire" in json.loads(run.result_path(tmp_path / "out", "broken").read_text())["exercises"][0]["feedback"]
    assert run.pending(tmp_path / "out", names + ["new"], force=False) == ["new"]
    assert run.pending(tmp_path / "out", names, force=True) == names


def test_a_student_folder_that_is_a_link_is_not_graded_as_that_student(tmp_path):
    day = Course.locate(make_pack(tmp_path)).load_day("day3")
    (tmp_path / "subs" / "ada" / "day3").mkdir(parents=True)
    (tmp_path / "subs" / "bob").symlink_to(tmp_path / "subs" / "ada")
    outcomes = run.run(_FakeGrader(day), tmp_path / "subs", ["ada", "bob"], tmp_path / "out", jobs=1)
    scores = {o.student: o.result.score for o in outcomes}
    assert scores["bob"] == 0 and scores["ada"] > 0
    feedback = json.loads(run.result_path(tmp_path / "out", "bob").read_text())["exercises"][0]["feedback"]
    assert "bob is a symbolic link" in feedback


def test_github_example_is_what_init_ci_writes():
    """The sample instructor workflow is the generated one, so the two never drift apart."""
    from grader.classroom import ci

    expected = ci.instructor_workflow("day3", "torch-loss-grader==0.1.0", "2026-12-01T23:59:00Z")
    assert MATRIX.read_text() == expected
    assert "strategy.job-total" in expected and "@v4" not in expected


def test_gradebook_names_no_spreadsheet_runs_as_a_formula_and_export_reads_them_back(tmp_path):
    """A student picks their folder's name: '=HYPERLINK(...)' or '+cmd' must open in Excel as text,
    one that is not UTF-8 must not stop the gradebook, and the export still finds each on the roster."""
    from grader.classroom import export

    students = ['=HYPERLINK("http://x.example","y")', "+cmd", "-2+3", "@SUM(A1)", "'quoted", "a,b\"c\nd", "plain"]
    exercise = {"name": "mse_loss", "score": 1.0, "max_score": 1.0, "status": "passed", "feedback": "", "cases": []}
    record = json.dumps({"score": 1.0, "max_score": 1.0, "exercises": [exercise], "quiz": None})
    files = {}
    for number, name in enumerate([*students, "not-utf8-\udcff"]):
        files[name] = tmp_path / f"{number}.json"
        files[name].write_text(record)
    gradebook.write(gradebook.read(files), tmp_path)
    cells = [row[0] for row in csv.reader((tmp_path / gradebook.GRADEBOOK).open(newline="", encoding="utf-8"))][1:]
    assert all(cell[:1] not in "=+-@" for cell in cells), cells
    assert "not-utf8-\\udcff" in cells
    assert sorted(row["student"] for row in export.read_gradebook(tmp_path)) == sorted([*students, "not-utf8-\\udcff"])


def test_summary_markdown_keeps_a_case_kind_with_a_pipe_in_its_cell():
    summary = {"students": 1, "mean_score": 0.5, "max_score": 1, "quiz_max_score": 0, "exercises": {"l1_loss": {
        "statuses": {"failed": 1}, "most_failed_kinds": [{"kind": "slope of |x| at 0", "students": 1}],
        "pass_rate": 0.0, "started": 1, "pass_rate_of_started": 0.0, "mean_score": 0.5, "max_score": 1}}}
    (row,) = [line for line in gradebook.markdown(summary).splitlines() if line.startswith("| `l1_loss`")]
    assert row.replace("\\|", "").count("|") == 8 and "slope of \\|x\\| at 0 (1)" in row, row


def _misspell_a_grid_parameter(pack) -> None:
    spec_file = pack / "day3" / "mse_loss.yaml"
    spec = yaml.safe_load(spec_file.read_text())
    grid = next(case["grid"] for case in spec["cases"] if "reduction" in case.get("grid", {}))
    grid["reductoin"] = grid.pop("reduction")
    spec_file.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")


def test_cases_no_student_is_graded_on_are_said_on_stderr_and_in_the_summary(tmp_path):
    """A misspelled parameter in a pack makes its cases skipped on this torch, not failed: the
    grades of record must not leave them out in silence."""
    pack = make_pack(tmp_path)
    _misspell_a_grid_parameter(pack)
    make_student(tmp_path / "subs", "ada")
    result = CliRunner().invoke(main, ["batch", "day3", str(tmp_path / "subs"), "--course", str(pack),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    warning = [line for line in result.output.splitlines() if line.startswith("warning: mse_loss: ")]
    assert len(warning) == 1 and "has no parameter reductoin: no student is graded on them" in warning[0], result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    skipped = summary["exercises"]["mse_loss"]["skipped_cases"]
    assert list(skipped) == ["this torch's torch.nn.functional.mse_loss has no parameter reductoin"]
    assert skipped[next(iter(skipped))] >= 1 and summary["exercises"]["l1_loss"]["skipped_cases"] == {}
    assert "## Cases not graded" in (tmp_path / "out" / "summary.md").read_text()


def test_a_pack_check_course_rejects_makes_no_gradescope_autograder(tmp_path):
    pack = make_pack(tmp_path)
    _misspell_a_grid_parameter(pack)
    result = CliRunner().invoke(main, ["init-gradescope", "day3", "--course", str(pack), "-o", str(tmp_path / "a.zip")])
    assert result.exit_code == 2 and not (tmp_path / "a.zip").exists()
    assert "'reductoin' in grid is not a parameter" in result.output and "(did you mean 'reduction'?)" in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


@pytest.mark.attack
def test_a_file_the_grader_cannot_read_costs_its_student_not_the_class(tmp_path):
    """As an ordinary user (the unprivileged rerun), a mode-000 file or day folder, as an archive
    that keeps modes leaves them, crashed the whole batch before any gradebook was written."""
    pack = make_pack(tmp_path)
    subs = tmp_path / "subs"
    make_student(subs, "ada")
    (make_student(subs, "bob") / "day3" / "notes.txt").write_text("x")
    (subs / "bob" / "day3" / "notes.txt").chmod(0)
    make_student(subs, "cy")
    (subs / "cy" / "day3").chmod(0)
    try:
        result = CliRunner().invoke(main, ["batch", "day3", str(subs), "--course", str(pack), "--out", str(tmp_path / "out")])
    finally:
        (subs / "cy" / "day3").chmod(0o755)
    assert result.exit_code == 0, result.output
    book = _gradebook(tmp_path / "out")
    assert set(book) == {"ada", "bob", "cy"} and float(book["ada"]["total"]) == float(book["ada"]["max_score"])


def test_an_unreadable_file_is_recorded_as_such_in_the_provenance(tmp_path, monkeypatch):
    folder = make_student(tmp_path, "bob")
    real = Path.read_bytes

    def refuse(path):
        if path.name == "l1_loss.py":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    files = provenance.file_hashes(folder, "day3")
    assert files["l1_loss.py"] == "unreadable (EACCES)" and len(files["mse_loss.py"]) == 64
