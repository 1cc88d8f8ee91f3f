"""``grade merge OUT...``: one gradebook from the outputs of a batch's shards."""
from __future__ import annotations

from pathlib import Path

import click


@click.command("merge")
@click.argument("outputs", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False), required=True, help="Folder for the merged gradebook.")
@click.option("--allow-missing", is_flag=True, help="Write the gradebook even if some students have no result.")
def merge_cmd(outputs, out, allow_missing):
    """Merge the --out folders of `grade batch --shard i/n` runs; every student must appear exactly once."""
    from ..classroom.merge import merge

    found = merge(list(outputs), out, allow_missing, say=lambda line: click.echo(line, err=True))
    missing = f"; missing: {', '.join(found['missing'])}" if found["missing"] else ""
    click.echo(f"merged {found['students']} student(s) into {out}{missing}", err=True)
