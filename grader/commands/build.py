"""``grade build``: regenerate exercise stubs from the solutions."""
from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("build")
@click.option("--solutions", type=click.Path(path_type=Path), default=Path("solutions"), show_default=True)
@click.option("--exercises", type=click.Path(path_type=Path), default=Path("exercises"), show_default=True)
@click.option("--check", is_flag=True, help="Only check that the stubs are up to date; exit 1 if not.")
def build_cmd(solutions, exercises, check):
    """Regenerate exercise stubs from the solutions (authoring)."""
    from ..course import build

    if check:
        stale = build.drifted(solutions, exercises)
        for path in stale:
            click.echo(f"out of date: {path} (run: grade build)", err=True)
        sys.exit(1 if stale else 0)
    for path in build.write(solutions, exercises):
        click.echo(f"wrote {path}")
