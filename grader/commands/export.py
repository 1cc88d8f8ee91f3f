"""``grade export {canvas,moodle} GRADES_DIR``: the gradebook as an LMS grade-import CSV."""
from __future__ import annotations

import os
from pathlib import Path

import click

from .options import file_to_write


@click.command("export")
@click.argument("lms", type=click.Choice(["canvas", "moodle"]))
@click.argument("grades", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--roster", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="CSV mapping each student folder (column folder or github) to id, sis_id, login, email, name, section.")
@click.option("--anonymise", "--anonymize", "anonymise", is_flag=True,
              help="Write stable pseudonyms (keyed hash of the folder name) instead of identities.")
@click.option("--key-file", type=click.Path(path_type=Path, dir_okay=False), callback=file_to_write,
              help="Secret key for --anonymise (created if missing; default GRADES_DIR/pseudonym.key, "
                   "or env GRADER_PSEUDONYM_KEY).")
@click.option("--assignment", help="Assignment (column) name in the LMS (default: the day's name).")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), callback=file_to_write, required=True)
def export_cmd(lms, grades, roster, anonymise, key_file, assignment, output):
    """Write GRADES_DIR/gradebook.csv as a Canvas or Moodle grade-import CSV."""
    from ..classroom import export, manifest

    rows = export.read_gradebook(grades)
    people_roster = export.read_roster(roster) if roster else None
    key = None
    if anonymise:
        env_key = os.environ.get("GRADER_PSEUDONYM_KEY")
        key = env_key.encode() if env_key and not key_file else export.load_key(key_file or grades / "pseudonym.key")
    people = export.identities(rows, people_roster, key)
    name = assignment or manifest.read(grades)["day"]
    output.write_text(export.FORMATS[lms](rows, people, name), encoding="utf-8")
    click.echo(f"wrote {output}: {len(rows)} student(s) for {lms}", err=True)
