"""Where ``grade DAY`` sends its reports: the main one (``--format``, to ``--output`` or stdout) and
any number of ``--report FORMAT:PATH``, so that one grading run writes every report a CI job needs
instead of grading the day again per format.

Every target is checked before grading starts: a known format, a file in a folder that exists and
can be written, and no file named twice (two reports in one file would leave only the last). Each
format is rendered once however many files it goes to, because rendering may also publish: the
github format appends to the job's step summary.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import NamedTuple

import click

from ..reports import FORMATS, text
from .options import file_to_write


class Target(NamedTuple):
    fmt: str
    path: Path | None  # None: stdout


class ReportTarget(click.ParamType):
    """``FORMAT:PATH``; the format is everything before the first ':', so a path may hold one."""

    name = "format:path"
    _file = click.Path(path_type=Path, dir_okay=False, writable=True)

    def convert(self, value, param, ctx):
        if isinstance(value, Target):
            return value
        fmt, colon, path = value.partition(":")
        if not colon or not path:
            self.fail(f"{value!r} is not FORMAT:PATH (e.g. github:summary.md)", param, ctx)
        if fmt not in FORMATS:
            self.fail(f"unknown format {fmt!r} (choose from {', '.join(sorted(FORMATS))})", param, ctx)
        return Target(fmt, file_to_write(ctx, param, self._file.convert(path, param, ctx)))


def report_option():
    return click.option("--report", "reports", type=ReportTarget(), multiple=True, metavar="FORMAT:PATH",
                        help="Also write a FORMAT report to PATH, from the same grading run (repeatable).")


def targets(fmt: str, output: Path | None, reports: tuple[Target, ...]) -> list[Target]:
    """The main report, then the others; a file named twice is a usage error."""
    every = [Target(fmt, output), *reports]
    seen = set()
    for target in every:
        if target.path is None:
            continue
        key = target.path.resolve()
        if key in seen:
            raise click.BadParameter(f"{target.path} is named twice: each report needs a file of its own",
                                     param_hint="'--report'")
        seen.add(key)
    return every


def write(every: list[Target], result, **options) -> None:
    """Render each (format, colour) once and send it to each of its targets; colour only on a terminal."""
    rendered: dict[tuple[str, bool], str] = {}
    for fmt, path in every:
        colour = fmt == "text" and path is None and text.use_colour()
        if (fmt, colour) not in rendered:
            rendered[fmt, colour] = FORMATS[fmt](result, colour=colour, **options)
        if path is None:
            sys.stdout.write(rendered[fmt, colour])
        else:
            path.write_text(rendered[fmt, colour], encoding="utf-8")
            click.echo(f"wrote {path} ({fmt} report: {result.score:g} / {result.max_score:g})", err=True)
