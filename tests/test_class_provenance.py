"""A class graded with one worker: the student time limit, provenance, resume and targeted regrades."""
import json

import pytest
import yaml
from click.testing import CliRunner

from grader.cli import main

from classroom import HANG, WRONG, make_pack, make_student


def _batch(*args):
    return CliRunner().invoke(main, ["batch", "day3", *map(str, args)])


@pytest.fixture(scope="module")
def hung_class(tmp_path_factory):
    """A student whose every exercise hangs, graded first, then two correct students, on one worker."""
    root = tmp_path_factory.mktemp("hung")
    pack, subs = make_pack(root), root / "subs"
    make_student(subs, "a_hangs", {"mse_loss": HANG, "l1_loss": HANG})
    make_student(subs, "b_ok")
    make_student(subs, "c_wrong", {"l1_loss": WRONG})
    out = root / "grades"
    result = _batch(subs, "--course", pack, "--out", out, "--jobs", 1, "--timeout", 20, "--student-timeout", 1.5)
    assert result.exit_code == 0, result.output
    return root, pack, subs, out


def _student(out, name):
    return json.loads((out / "students" / f"{name}.json").read_text())


def test_student_timeout_stops_only_that_student(hung_class):
    _root, _pack, _subs, out = hung_class
    hung = _student(out, "a_hangs")
    assert [e["status"] for e in hung["exercises"]] == ["timeout", "timeout"]
    assert all("--student-timeout" in e["feedback"] for e in hung["exercises"])
    assert _student(out, "b_ok")["score"] == _student(out, "b_ok")["max_score"] > 0
    assert [e["status"] for e in _student(out, "c_wrong")["exercises"]] == ["passed", "failed"]


def test_results_record_their_provenance(hung_class):
    _root, _pack, subs, out = hung_class
    setup = json.loads((out / "batch.json").read_text())["provenance"]
    assert set(setup) == {"day", "pack_sha256", "secret", "grader", "torch", "device", "options"}
    assert setup["options"] == {"timeout": 20.0, "memory_mb": 2048, "student_timeout": 1.5}
    record = _student(out, "b_ok")["provenance"]
    assert {k: v for k, v in record.items() if k != "files"} == setup
    assert sorted(record["files"]) == ["l1_loss.py", "mse_loss.py"]


def test_resume_regrades_changed_files_and_named_students(hung_class):
    _root, pack, subs, out = hung_class
    stamps = lambda: {p.stem: p.stat().st_mtime_ns for p in (out / "students").glob("*.json")}  # noqa: E731
    before = stamps()
    (subs / "c_wrong/day3/l1_loss.py").write_text((subs / "b_ok/day3/l1_loss.py").read_text())
    common = [subs, "--course", pack, "--out", out, "--jobs", 1, "--timeout", 20, "--student-timeout", 1.5]
    resumed = _batch(*common)
    assert resumed.exit_code == 0 and "1 to grade" in resumed.output, resumed.output
    after = stamps()
    assert [n for n in before if after[n] != before[n]] == ["c_wrong"]
    assert _student(out, "c_wrong")["score"] == _student(out, "c_wrong")["max_score"]
    named = _batch(*common, "--students", "b_ok", "--jobs", 4)  # one student needs one worker, not four
    assert named.exit_code == 0 and "1 to grade, 1 at once, 2 kept (not named in --students)" in named.output
    assert "--force to regrade" not in named.output
    assert [n for n in after if stamps()[n] != after[n]] == ["b_ok"]
    unknown = _batch(*common, "--students", "nobody")
    assert unknown.exit_code == 2 and "nobody" in unknown.output


def test_resume_and_merge_refuse_another_pack(hung_class, tmp_path):
    root, pack, subs, out = hung_class
    other = make_pack(tmp_path)
    spec = other / "day3" / "mse_loss.yaml"
    spec.write_text(yaml.safe_dump({**yaml.safe_load(spec.read_text()), "points": 5}, sort_keys=False))
    options = ["--jobs", 1, "--timeout", 20, "--student-timeout", 1.5]
    refused = _batch(subs, "--course", other, "--out", out, *options)
    assert refused.exit_code == 2 and "another set-up (course pack" in refused.output
    assert len(refused.output.strip().splitlines()) == 1
    same_pack = ["batch", "day3", str(subs), "--course", str(pack), "--out", str(out), *map(str, options)]
    keyed = CliRunner().invoke(main, same_pack, env={"GRADER_SECRET": "another secret"})
    assert keyed.exit_code == 2 and "another set-up (secret" in keyed.output
    shard = _batch(subs, "--course", other, "--out", tmp_path / "s1", "--shard", "1/2", *options)
    assert shard.exit_code == 0, shard.output
    own = _batch(subs, "--course", pack, "--out", tmp_path / "s2", "--shard", "2/2", *options)
    assert own.exit_code == 0, own.output
    merged = CliRunner().invoke(main, ["merge", str(tmp_path / "s1"), str(tmp_path / "s2"), "--out", str(tmp_path / "m")])
    assert merged.exit_code == 2 and "another set-up" in merged.output
    assert not (tmp_path / "m" / "gradebook.csv").exists()
