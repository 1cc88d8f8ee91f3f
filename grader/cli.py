"""The ``grade`` command: a thin click layer over the engine."""
from __future__ import annotations

import gc
import os
import sys
import time

_STARTED = time.monotonic()  # before click and the rest load: a report's time is what the user waited

import click  # noqa: E402

from .commands import COMMANDS  # noqa: E402
from .errors import GraderError  # noqa: E402

STARTED_KEY = "grader.started"


class _GradeGroup(click.Group):
    """``grade DAY [EXERCISE...]`` grades; any other first word is a subcommand."""

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            # Named after the day typed, so usage errors say "Try 'grade day3 --help'".
            return args[0], self.commands["day"], args
        return super().resolve_command(ctx, args)

    def __call__(self, *args, **kwargs):
        """The process's entry point (the ``grade`` script, ``python -m grader``). Once the command
        is done the process ends without tearing the interpreter down: with torch loaded that
        takes half a second, a fifth of a whole-day grade, and frees nothing the system would not.
        Every file a command writes is closed by then; only the standard streams need a flush.
        Tests call :meth:`main`, which still raises SystemExit.

        The cyclic collector is off for the command's imports: torch's 260,000 objects would be
        walked again and again while they load, a sixth of ``import torch``. Grading turns it on
        (engine.grading_settings), so a long batch still collects its garbage."""
        gc.disable()
        try:
            self.main(*args, **kwargs)
            code = 0
        except SystemExit as exc:
            code = exc.code
        if code is not None and not isinstance(code, int):
            print(code, file=sys.stderr)  # sys.exit("message"), as the interpreter would print it
            code = 1
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe (`grade list day3 | head`) has what it wanted
                pass
        os._exit(code or 0)

    def invoke(self, ctx):
        global _STARTED
        ctx.meta[STARTED_KEY], _STARTED = _STARTED or time.monotonic(), None  # later calls (tests) start now
        try:
            return super().invoke(ctx)
        except GraderError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:  # 130 = 128 + SIGINT, as shells report it; 1 means --fail-under
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # e.g. `grade list day3 | head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except Exception as exc:  # a grader fault: still one line, distinct exit code (1)
            if os.environ.get("GRADER_DEBUG"):
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc} (set GRADER_DEBUG=1 for a traceback)", err=True)
            ctx.exit(1)


@click.group(cls=_GradeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="grader")
def main():
    """Grade PyTorch loss-function exercises: values, gradients and quiz.

    \b
    grade DAY [EXERCISE...] [OPTIONS]   grade a day (see: grade DAY --help)
    grade day3                          grade ./exercises/day3
    grade day3 cross_entropy            grade one exercise
    grade day3 --format json            machine-readable report
    """


for _command in COMMANDS:
    main.add_command(_command)
