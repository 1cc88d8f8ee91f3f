"""``grade batch DAY SUBMISSIONS``: grade a whole class (or one shard of it) into a gradebook."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..course.manifest import Course
from ..sandbox import Limits
from .options import course_option, device_option, limits_options, no_cache_option


@click.command("batch")
@click.argument("day")
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("grades"), show_default=True,
              help="Folder for gradebook.csv, summary and one JSON per student.")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=1, show_default=True,
              help="Students graded at once (and sandboxed workers kept warm).")
@click.option("--shard", help="Grade only slice i of n of the sorted roster (1-based), e.g. 2/8.")
@click.option("--force", is_flag=True, help="Regrade students that already have a result in --out.")
@click.option("--student-timeout", type=click.FloatRange(min=0, min_open=True),
              help="Wall-clock cap in seconds for one student, on top of the per-exercise --timeout.")
@device_option
@course_option()
@limits_options
@no_cache_option()
def batch_cmd(day, submissions, out, jobs, shard, force, student_timeout, device, course, timeout, memory_mb,
              no_cache):
    """Grade every student folder of SUBMISSIONS (each laid out like exercises/: STUDENT/DAY/<name>.py)."""
    from ..classroom import gradebook, manifest, roster, run
    from ..engine import Grader

    loaded = Course.locate(course).load_day(day)
    names = roster.students(submissions)
    part = roster.parse_shard(shard) if shard else (1, 1)
    assigned = roster.shard(names, *part)
    out.mkdir(parents=True, exist_ok=True)
    manifest.check_rerun(out, day, part, names)
    manifest.write(out, day, part, names, assigned)
    todo = run.pending(out, assigned, force)
    skipped = len(assigned) - len(todo)
    click.echo(f"{len(assigned)} student(s) in shard {part[0]}/{part[1]}; {len(todo)} to grade"
               + (f", {skipped} already graded (--force to regrade)" if skipped else ""), err=True)
    if todo:
        with Grader(loaded, device, Limits(timeout=timeout, memory_mb=memory_mb), jobs=jobs,
                    cache=not no_cache) as grader, \
                click.progressbar(length=len(todo), label="grading", show_eta=True, show_pos=True,
                                  file=sys.stderr) as bar:
            run.run(grader, submissions, todo, out, jobs, student_timeout, on_done=lambda _outcome: bar.update(1))
    files = {n: path for n in assigned if (path := run.result_path(out, n)).is_file()}
    for path in gradebook.write(gradebook.read(files), out):
        click.echo(f"wrote {path}", err=True)
