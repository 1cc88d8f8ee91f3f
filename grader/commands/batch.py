"""``grade batch DAY SUBMISSIONS``: grade a whole class (or one shard of it) into a gradebook."""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from ..course.manifest import Course
from ..sandbox import Limits
from .options import SECONDS, course_option, device_option, finite, limits_options, no_cache_option


def _jobs(ctx, param, value):
    if value == "auto":
        return None
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if not 1 <= jobs <= 256:
        raise click.BadParameter(f"{value!r} is neither a number from 1 to 256 nor auto")
    return jobs


@click.command("batch")
@click.argument("day")
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False), default=Path("grades"), show_default=True,
              help="Folder for gradebook.csv, summary and one JSON per student.")
@click.option("--jobs", "-j", default="auto", show_default=True, callback=_jobs, metavar="N|auto",
              help="Students graded at once (and sandboxed workers kept warm), 1 to 256; auto: one per "
                   "usable core, fewer if memory is short.")
@click.option("--shard", help="Grade only slice i of n of the sorted roster (1-based), e.g. 2/8; "
                              "'slurm' reads SLURM_ARRAY_TASK_ID/COUNT.")
@click.option("--force", is_flag=True, help="Regrade students that already have a result in --out.")
@click.option("--students", "students", multiple=True, metavar="NAME[,NAME...]",
              help="Regrade just these students (repeat the option or separate names with commas).")
@click.option("--student-timeout", type=SECONDS, callback=finite,
              help="Seconds all of one student's jobs may run together; their worker is restarted after.")
@click.option("--progress-every", type=click.IntRange(1), help="Without a terminal: a progress line every N "
                                                               "students (default: every 10%).")
@device_option()
@course_option()
@limits_options()
@no_cache_option()
def batch_cmd(day, submissions, out, jobs, shard, force, students, student_timeout, progress_every, device, course,
              timeout, memory_mb, no_cache):
    """Grade every student folder of SUBMISSIONS (each laid out like exercises/: STUDENT/DAY/<name>.py)."""
    from ..classroom import progress, roster
    from ..classroom.batch import BatchRequest, grade_class

    request = BatchRequest(
        day=Course.locate(course).load_day(day), submissions=submissions, out=out, jobs=jobs,
        shard=roster.parse_shard(shard) if shard else (1, 1), force=force,
        students=tuple(n.strip() for item in students for n in item.split(",") if n.strip()),
        student_timeout=student_timeout, device=device, limits=Limits(timeout=timeout, memory_mb=memory_mb),
        cache=not no_cache)

    def say(line):
        click.echo(line, err=True)

    @contextlib.contextmanager
    def bar(total):
        if not sys.stderr.isatty():
            yield progress.lines(total, say, progress_every)
            return
        with click.progressbar(length=total, label="grading", show_eta=True, show_pos=True, file=sys.stderr) as shown:
            yield lambda _outcome: shown.update(1)

    for path in grade_class(request, say, bar):
        say(f"wrote {path}")
