"""``grade init-ci``: write a GitHub Actions workflow for a student's or the instructor's repository."""
from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError


@click.command("init-ci")
@click.option("--role", type=click.Choice(["student", "instructor"]), default="student", show_default=True,
              help="student: practice feedback in a student's repo, no secret. instructor: the grade of record, "
                   "in the instructor's private repo.")
@click.option("--course-repo", metavar="OWNER/NAME@COMMIT",
              help="student role: a PUBLIC practice pack, pinned by its 40-hex commit (default: the grader's own).")
@click.option("--course-path", default=None, help="Folder of the pack (student: inside --course-repo, default '.'; "
                                                   "instructor: inside the instructor's repo, default 'course').")
@click.option("--grader", "grader_spec", required=True,
              help="pip requirement for the grader, pinned, e.g. 'torch-loss-grader==0.1.0'.")
@click.option("--day", default="day3", show_default=True)
@click.option("--secret", default=None,
              help="instructor role: the Actions secret with read access to the student repos (default STUDENTS_TOKEN).")
@click.option("--fail-under", type=click.FloatRange(0, 100), help="student role: fail the workflow below this percentage.")
@click.option("--deadline", help="instructor role: ISO 8601 time with zone; each repo is graded at its last commit before it.")
@click.option("--roster", "roster_path", default="roster.txt", show_default=True,
              help="instructor role: file of student repos (owner/name per line) in the instructor's repo.")
@click.option("--exercises", default="exercises", show_default=True, help="Folder of the exercises in a student's repo.")
@click.option("--shards", type=click.IntRange(1, 256), default=4, show_default=True, help="instructor role: matrix jobs.")
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False), default=Path("."), show_default=True,
              help="The repository to write .github/workflows/ into.")
@click.option("--force", is_flag=True, help="Overwrite an existing workflow.")
def init_ci_cmd(role, course_repo, course_path, grader_spec, day, secret, fail_under, deadline, roster_path, exercises,
                shards, repo, force):
    """Write .github/workflows/grade-DAY.yml (student) or grade-class-DAY.yml (instructor)."""
    from ..classroom import ci
    from ..course.manifest import BUILTIN_COURSE, Course

    day, grader_spec = ci.check_day(day), ci.check_grader(grader_spec)
    exercises = ci.check_path("--exercises", exercises)
    if role == "student":
        if secret or deadline:
            raise UsageError("a student workflow holds no secret and no deadline: use --role instructor for those")
        text = ci.student_workflow(day, grader_spec, course_repo and ci.check_course_repo(course_repo),
                                   ci.check_path("--course-path", course_path or "."), exercises, fail_under)
        after = "it holds no secret; the grade of record comes from `grade init-ci --role instructor`"
    else:
        if course_repo or fail_under is not None:
            raise UsageError("--course-repo and --fail-under are for --role student: the instructor's repo holds the pack")
        if not deadline:
            raise UsageError("--role instructor needs --deadline (e.g. 2026-12-01T23:59:00+01:00)")
        token = ci.check_secret(secret or "STUDENTS_TOKEN")
        text = ci.instructor_workflow(day, grader_spec, ci.check_deadline(deadline),
                                      ci.check_path("--course-path", course_path or "course"),
                                      ci.check_path("--roster", roster_path), exercises, shards, token=token)
        after = f"add a token that can read the student repositories as the secret {token}"
    # Where the pack is here, a day it lacks is refused now, not on the runner after the deadline.
    pack = repo / (course_path or "course") if role == "instructor" else None if course_repo else BUILTIN_COURSE
    if pack is not None and pack.is_dir():
        Course(pack).day_folder(day)
    path = repo / ".github" / "workflows" / ci.filename(role, day)
    if path.exists() and not force:
        raise UsageError(f"{path} exists (--force to overwrite)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    click.echo(f"wrote {path}; {after}", err=True)
