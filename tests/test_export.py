"""LMS export: Canvas and Moodle import CSVs from a gradebook, a roster, stable pseudonyms."""
import csv
import io
import json

import pytest
from click.testing import CliRunner

from grader.cli import main

ROSTER = ("folder,id,sis_id,login,email,name,section\n"
          "ada,101,S-1,ada1,ada@uni.example,\"Lovelace, Ada\",L1\n"
          "=bob,102,S-2,bob2,bob@uni.example,\"Bobson, Bob\",L2\n")


@pytest.fixture
def grades(tmp_path):
    folder = tmp_path / "grades"
    folder.mkdir()
    (folder / "gradebook.csv").write_text(
        "student,mse_loss,l1_loss,quiz,total,max_score,percent,note\n"
        "=bob,1.0,0.0,0.0,1.0,7.0,14.29,\nada,1.0,1.0,5.0,7.0,7.0,100.0,\n")
    (folder / "batch.json").write_text(json.dumps({"day": "day3", "shard": [1, 1], "roster": [], "students": []}))
    (tmp_path / "roster.csv").write_text(ROSTER)
    return folder


def _export(*args):
    return CliRunner().invoke(main, ["export", *map(str, args)])


def _rows(path):
    return list(csv.reader(io.StringIO(path.read_text())))


def test_canvas_csv_with_roster(grades, tmp_path):
    result = _export("canvas", grades, "--roster", tmp_path / "roster.csv", "-o", tmp_path / "c.csv")
    assert result.exit_code == 0, result.output
    rows = _rows(tmp_path / "c.csv")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "day3"]
    assert rows[1] == ["Points Possible", "", "", "", "", "7"]
    assert ["Lovelace, Ada", "101", "S-1", "ada1", "L1", "7"] in rows
    assert ["Bobson, Bob", "102", "S-2", "bob2", "L2", "1"] in rows


def test_moodle_csv_with_roster_and_formula_names_quoted(grades, tmp_path):
    result = _export("moodle", grades, "--assignment", "Day 3 losses", "-o", tmp_path / "m.csv")
    assert result.exit_code == 0, result.output
    rows = _rows(tmp_path / "m.csv")
    assert rows[0][:5] == ["ID number", "Email address", "Username", "Full name", "Day 3 losses"]
    assert ["'=bob", "1", "1 / 7"] == [rows[1][2], rows[1][4], rows[1][5]]  # no roster: the folder is the username
    with_roster = _export("moodle", grades, "--roster", tmp_path / "roster.csv", "-o", tmp_path / "m2.csv")
    assert with_roster.exit_code == 0
    assert ["S-1", "ada@uni.example", "ada1", "Lovelace, Ada", "7", "7 / 7"] in _rows(tmp_path / "m2.csv")


def test_roster_must_cover_every_graded_student(grades, tmp_path):
    (tmp_path / "short.csv").write_text("github,email\nada,ada@uni.example\n")
    result = _export("canvas", grades, "--roster", tmp_path / "short.csv", "-o", tmp_path / "x.csv")
    assert result.exit_code == 2 and "not on the roster: =bob" in result.output
    (tmp_path / "bad.csv").write_text("user,email\nada,a@b\n")
    result = _export("canvas", grades, "--roster", tmp_path / "bad.csv", "-o", tmp_path / "x.csv")
    assert result.exit_code == 2 and "'folder' or 'github' column" in result.output


def test_pseudonyms_are_stable_per_key_and_hide_identities(grades, tmp_path):
    args = ["canvas", grades, "--roster", tmp_path / "roster.csv", "--anonymise"]
    assert _export(*args, "-o", tmp_path / "a1.csv").exit_code == 0
    assert _export(*args, "-o", tmp_path / "a2.csv").exit_code == 0
    first = (tmp_path / "a1.csv").read_text()
    assert first == (tmp_path / "a2.csv").read_text()
    assert not any(word in first for word in ("Lovelace", "ada", "101", "S-1", "bob"))
    assert oct((grades / "pseudonym.key").stat().st_mode & 0o777) == "0o600"
    other = _export(*args, "--key-file", tmp_path / "other.key", "-o", tmp_path / "a3.csv")
    assert other.exit_code == 0 and (tmp_path / "a3.csv").read_text() != first
