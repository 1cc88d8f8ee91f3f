"""`grade init-ci`: the student workflow is valid YAML, keeps the tests outside the repo, and its grade step works."""
import json
import os
import subprocess

import yaml
from click.testing import CliRunner

from grader.cli import main

from classroom import WRONG, make_pack, make_student

ARGS = ["init-ci", "--course-repo", "prof/ml-course-private", "--course-path", "packs/2026",
        "--grader", "grader @ git+https://github.com/prof/grader@v0.1.0", "--fail-under", "50"]


def _workflow(repo):
    result = CliRunner().invoke(main, [*ARGS, "--repo", str(repo)])
    assert result.exit_code == 0, result.output
    return yaml.safe_load((repo / ".github/workflows/grade.yml").read_text())


def test_workflow_installs_fetches_grades_and_uploads(tmp_path):
    workflow = _workflow(tmp_path)
    assert workflow[True] == ["push", "workflow_dispatch"]  # YAML 1.1 reads the key `on` as true
    steps = workflow["jobs"]["grade"]["steps"]
    assert [s.get("uses", s.get("name")) for s in steps] == [
        "actions/checkout@v4", "actions/setup-python@v5", "Install the grader",
        "Fetch the course pack (kept outside this repository)", "Grade", "actions/upload-artifact@v4"]
    install, fetch, grade, upload = steps[2:]
    assert '"grader @ git+https://github.com/prof/grader@v0.1.0"' in install["run"]
    assert "github.com/prof/ml-course-private.git\" \"$RUNNER_TEMP/course\"" in fetch["run"]
    assert fetch["env"]["COURSE_TOKEN"] == "${{ secrets.COURSE_TOKEN }}"
    assert "GRADER_COURSE=$RUNNER_TEMP/course/packs/2026" in fetch["run"]
    assert "--format github" in grade["run"] and "--format gradescope" in grade["run"]
    assert "--fail-under 50" in grade["run"] and grade["working-directory"] == "${{ runner.temp }}"
    assert upload["if"] == "always()" and "results.json" in upload["with"]["path"]


def test_refuses_to_overwrite_and_rejects_bad_repo(tmp_path):
    _workflow(tmp_path)
    again = CliRunner().invoke(main, [*ARGS, "--repo", str(tmp_path)])
    assert again.exit_code == 2 and "--force" in again.output
    bad = CliRunner().invoke(main, [*ARGS[:2], "not a repo", *ARGS[3:], "--repo", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "owner/name" in bad.output


def test_grade_step_runs_against_a_private_pack(tmp_path):
    """Run the workflow's own Grade script as the runner would, after the fetch step set GRADER_COURSE."""
    student = make_student(tmp_path / "subs", "ada", {"l1_loss": WRONG})  # the student's checkout
    (student / "exercises").mkdir()
    (student / "day3").rename(student / "exercises" / "day3")
    grade = _workflow(student)["jobs"]["grade"]["steps"][4]
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    summary = tmp_path / "step-summary.md"
    env = {**os.environ, "GITHUB_WORKSPACE": str(student), "RUNNER_TEMP": str(runner_temp),
           "GRADER_COURSE": str(make_pack(tmp_path)), "GITHUB_STEP_SUMMARY": str(summary)}
    proc = subprocess.run(["bash", "-e", "-c", grade["run"]], cwd=runner_temp, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr  # 50% is not under --fail-under 50
    results = json.loads((runner_temp / "results.json").read_text())
    assert [(t["name"], t["score"]) for t in results["tests"]] == [("mse_loss", 1.0), ("l1_loss", 0.0)]
    assert "| ❌ | `l1_loss` |" in summary.read_text()
