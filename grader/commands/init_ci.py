"""``grade init-ci``: write a GitHub Actions workflow that grades a student repository."""
from __future__ import annotations

import re
from pathlib import Path

import click

from ..errors import UsageError

_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


@click.command("init-ci")
@click.option("--course-repo", required=True, help="owner/name of the private repository holding the course pack.")
@click.option("--course-path", default=".", show_default=True, help="Folder of the pack inside that repository.")
@click.option("--grader", "grader_spec", required=True,
              help="pip requirement for the grader, e.g. 'grader @ git+https://github.com/org/grader@v0.1.0'.")
@click.option("--day", default="day3", show_default=True)
@click.option("--secret", default="COURSE_TOKEN", show_default=True,
              help="Name of the Actions secret with a read-only token for --course-repo.")
@click.option("--fail-under", type=click.FloatRange(0, 100), help="Fail the workflow below this percentage.")
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False), default=Path("."), show_default=True,
              help="The student repository to write .github/workflows/grade.yml into.")
@click.option("--force", is_flag=True, help="Overwrite an existing workflow.")
def init_ci_cmd(course_repo, course_path, grader_spec, day, secret, fail_under, repo, force):
    """Write .github/workflows/grade.yml: install the grader, fetch the private pack, grade, upload the report."""
    from ..classroom.ci import workflow

    if not _REPO.match(course_repo):
        raise UsageError(f"--course-repo must be owner/name, not '{course_repo}'")
    if not re.match(r"^[A-Z_][A-Z0-9_]*$", secret):
        raise UsageError(f"--secret must be an Actions secret name (A-Z, 0-9, _), not '{secret}'")
    if '"' in grader_spec or "\n" in grader_spec:
        raise UsageError("--grader must be a single pip requirement without quotes")
    path = repo / ".github" / "workflows" / "grade.yml"
    if path.exists() and not force:
        raise UsageError(f"{path} exists (--force to overwrite)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(workflow(day, grader_spec, course_repo, course_path, secret, fail_under=fail_under), encoding="utf-8")
    click.echo(f"wrote {path}; add a read-only token for {course_repo} as the secret {secret}", err=True)
