"""A class's gradebook as a CSV that Canvas or Moodle imports, keyed by the LMS's own student ids.

Rules: the score is each student's total (exercises and quiz) out of the same maximum. A roster
CSV maps the batch's student folders (column ``folder`` or ``github``) to the LMS identity
(``id``, ``sis_id``, ``login``, ``email``, ``name``, ``section``); every graded student must be on it.
``anonymise`` replaces every identity with a pseudonym, an HMAC-SHA256 of the folder name under a
secret key, so the same student gets the same pseudonym in every export made with that key.

Canvas (Grades > Import): columns Student, ID, SIS User ID, SIS Login ID, Section, then one column
per assignment; a second row "Points Possible" gives the assignment's maximum. Canvas matches a
student by ID, SIS User ID or SIS Login ID. Moodle (Grade administration > Import > CSV file):
any columns; the teacher maps one identifier column (ID number, email address or username) to
the users and the score column to a grade item.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
from pathlib import Path

from ..errors import UsageError
from .gradebook import GRADEBOOK, from_spreadsheet, spreadsheet_text

KEYS = ("folder", "github")
FIELDS = ("id", "sis_id", "login", "email", "name", "section")


def read_gradebook(grades: Path) -> list[dict]:
    path = grades / GRADEBOOK
    if not path.is_file():
        raise UsageError(f"{grades} has no {GRADEBOOK}: run grade batch (or grade merge) into it first")
    with path.open(newline="", encoding="utf-8") as handle:
        return [{**row, "student": from_spreadsheet(row["student"])} for row in csv.DictReader(handle)]


def read_roster(path: Path) -> dict[str, dict]:
    """{folder name: identity} from a roster CSV with a ``folder`` or ``github`` column."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip().lower() for h in reader.fieldnames or []]
            key = next((k for k in KEYS if k in header), None)
            if key is None:
                raise UsageError(f"{path}: the roster needs a 'folder' or 'github' column (found: {', '.join(header)})")
            roster = {}
            for line, row in enumerate(reader, 2):
                row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
                if not row.get(key):
                    raise UsageError(f"{path}:{line}: empty '{key}'")
                if row[key] in roster:
                    raise UsageError(f"{path}:{line}: '{row[key]}' is listed twice")
                roster[row[key]] = {f: row.get(f, "") for f in FIELDS}
            return roster
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"cannot read the roster {path}: {exc}") from None


def pseudonym(key: bytes, folder: str) -> str:
    return "student-" + hmac.new(key, folder.encode(), hashlib.sha256).hexdigest()[:12]


def identities(rows: list[dict], roster: dict | None, key: bytes | None) -> dict[str, dict]:
    """{folder: identity} for every graded student; without a roster the folder name is the login."""
    folders = [row["student"] for row in rows]
    if roster is not None:
        missing = [f for f in folders if f not in roster]
        if missing:
            raise UsageError(f"{len(missing)} graded student(s) are not on the roster: {', '.join(missing[:10])}"
                             + (" ..." if len(missing) > 10 else ""))
    found = {f: dict(roster[f]) if roster is not None else {**dict.fromkeys(FIELDS, ""), "login": f, "name": f}
             for f in folders}
    if key is not None:
        for folder in found:
            alias = pseudonym(key, folder)
            found[folder] = {**dict.fromkeys(FIELDS, ""), "id": alias, "login": alias, "name": alias}
    return found


def canvas(rows: list[dict], people: dict, assignment: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment])
    writer.writerow(["Points Possible", "", "", "", "", _number(_max(rows))])
    for row in rows:
        who = people[row["student"]]
        writer.writerow([*map(spreadsheet_text, (who["name"], who["id"], who["sis_id"], who["login"], who["section"])),
                         _number(row["total"])])
    return out.getvalue()


def moodle(rows: list[dict], people: dict, assignment: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ID number", "Email address", "Username", "Full name", assignment, "Feedback"])
    for row in rows:
        who = people[row["student"]]
        feedback = f"{_number(row['total'])} / {_number(row['max_score'])}"
        note = feedback + (f": {row['note']}" if row.get("note") else "")
        writer.writerow([*map(spreadsheet_text, (who["sis_id"] or who["id"], who["email"], who["login"], who["name"])),
                         _number(row["total"]), spreadsheet_text(note)])
    return out.getvalue()


FORMATS = {"canvas": canvas, "moodle": moodle}


def _max(rows: list[dict]) -> str:
    maxima = {float(row["max_score"]) for row in rows}
    if len(maxima) > 1:
        raise UsageError(f"students are graded out of different maxima ({', '.join(map(_number, sorted(maxima)))}): "
                         "regrade the class with one course pack")
    return next(iter(maxima), 0.0)


def _number(value) -> str:
    return f"{float(value):g}"


def load_key(path: Path) -> bytes:
    """The pseudonym key at ``path``, created (random, owner-only) the first time."""
    import os
    import secrets

    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < 32:
        raise UsageError(f"{path}: the pseudonym key is too short (32 characters at least)")
    return key.encode()
