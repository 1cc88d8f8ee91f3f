"""The reference cache: what it returns is bit for bit what computing gives, and a damaged,
foreign or stale entry is recomputed rather than trusted."""
import json
import os
import shutil
import stat

import pytest
import torch
from click.testing import CliRunner

from grader import cachedir
from grader.cli import main
from grader.course.manifest import Course
from grader.judging import reference, refcache
from grader.sandbox import wire

from paths import SOLUTIONS


def _bits(t):
    if t is None:
        return None
    return (t.dtype, tuple(t.shape), t.device.type, t.requires_grad, t.detach().cpu().contiguous().view(-1)
            .view(torch.uint8).numpy().tobytes() if t.numel() else b"")


def _snapshot(cases, expected, skipped):
    """Everything a grader takes from the references, as comparable bytes."""
    out = {"ids": [c.id for c in cases], "skipped": list(skipped)}
    for case in cases:
        e = expected[case.id]
        out[case.id] = (_bits(case.upstream), _bits(e.output), _bits(e.truth),
                        {n: (_bits(g), _bits(t)) for n, (g, t) in e.grads.items()},
                        {n: _bits(t) for n, t in e.passed.items()})
    return out


@pytest.fixture
def count_compute(monkeypatch):
    calls = []
    real = reference.compute

    def counting(spec, cases, device):
        calls.append(spec.name)
        return real(spec, cases, device)

    monkeypatch.setattr(reference, "compute", counting)
    return calls


def test_cached_references_are_identical_to_recomputed_ones_for_every_case(day3, tmp_path, monkeypatch):
    writer = refcache.References(day3, "cpu", tmp_path)
    stored = {spec.name: _snapshot(*writer.for_exercise(spec)) for spec in day3.exercises}
    uncached = refcache.References(day3, "cpu", None)
    computed = {spec.name: _snapshot(*uncached.for_exercise(spec)) for spec in day3.exercises}

    def refuse(*args, **kwargs):
        raise AssertionError("computed although the cache holds this exercise")

    monkeypatch.setattr(reference, "compute", refuse)
    reader = refcache.References(day3, "cpu", tmp_path)
    loaded = {spec.name: _snapshot(*reader.for_exercise(spec)) for spec in day3.exercises}
    assert sum(len(s["ids"]) for s in loaded.values()) > 900  # every case of the day, not a sample
    assert loaded == computed == stored


def _entry(tmp_path, day, name):
    (path,) = (tmp_path / "references").glob(f"*/{name}.ref")
    return path


@pytest.mark.parametrize("damage", ["flip_payload_byte", "flip_digest_byte", "truncate", "empty", "other_exercise"])
def test_a_damaged_or_foreign_entry_is_recomputed_and_rewritten(day3, tmp_path, count_compute, damage):
    spec = day3.exercise("mse_loss")
    good = _snapshot(*refcache.References(day3, "cpu", tmp_path).for_exercise(spec))
    refcache.References(day3, "cpu", tmp_path).for_exercise(day3.exercise("l1_loss"))
    path = _entry(tmp_path, day3, "mse_loss")
    data = bytearray(path.read_bytes())
    if damage == "flip_payload_byte":
        data[-3] ^= 0x01  # inside a tensor: decodes fine, only the digest can tell
    elif damage == "flip_digest_byte":
        data[len(refcache.MAGIC)] ^= 0x01
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "empty":
        data = b""
    else:  # an intact entry of another exercise under this exercise's name
        data = _entry(tmp_path, day3, "l1_loss").read_bytes()
    path.write_bytes(bytes(data))
    count_compute.clear()

    again = _snapshot(*refcache.References(day3, "cpu", tmp_path).for_exercise(spec))
    assert count_compute == ["mse_loss"] and again == good
    count_compute.clear()
    refcache.References(day3, "cpu", tmp_path).for_exercise(spec)
    assert count_compute == []  # the rewritten entry is whole again


def test_the_key_follows_the_pack_content_and_the_secret(tmp_path, monkeypatch):
    pack = tmp_path / "pack"
    shutil.copytree(Course.locate().root, pack)

    def key():
        return refcache.References(Course.locate(pack).load_day("day3"), "cpu", tmp_path).key

    monkeypatch.delenv("GRADER_SECRET", raising=False)
    base = key()
    monkeypatch.setenv("GRADER_SECRET", "s3cret")
    with_env = key()
    monkeypatch.delenv("GRADER_SECRET")
    (pack / "secret").write_text("another")
    (pack / "secret").chmod(0o600)
    with_file = key()
    yaml_path = pack / "day3" / "mse_loss.yaml"
    yaml_path.write_text(yaml_path.read_text() + "\n# an edit\n")
    edited = key()
    assert len({base, with_env, with_file, edited}) == 4
    assert key() == edited  # and it is stable while nothing changes


def test_cache_location_and_private_modes(tmp_path, monkeypatch, day3):
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "explicit"))
    assert cachedir.cache_root() == tmp_path / "explicit"
    monkeypatch.delenv("GRADER_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cachedir.cache_root() == tmp_path / "xdg" / "torch-loss-grader"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cachedir.cache_root() == tmp_path / "home" / ".cache" / "torch-loss-grader"

    root = tmp_path / "fresh" / "cache"
    old = os.umask(0o022)
    try:
        refcache.References(day3, "cpu", root).for_exercise(day3.exercise("l1_loss"))
    finally:
        os.umask(old)
    entry = _entry(root, day3, "l1_loss")
    for folder in (root, root / "references", entry.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert [p.name for p in entry.parent.iterdir()] == ["l1_loss.ref"]  # no temporary file left behind


@pytest.mark.parametrize("where, mode", [("root", 0o777), ("entry folder", 0o777), ("entry", 0o666),
                                         ("entry folder", 0o770)])
def test_a_cache_others_may_write_is_never_read(day3, tmp_path, count_compute, where, mode):
    """Whoever may write there may forge an entry, digest and all, or swap two entries: the cache
    is recomputed. A group may not write either, even the user's own primary group, which some
    systems give every user (SUSE's users)."""
    root = tmp_path / "shared"
    spec = day3.exercise("l1_loss")
    refcache.References(day3, "cpu", root).for_exercise(spec)
    entry = _entry(root, day3, "l1_loss")
    {"root": root, "entry folder": entry.parent, "entry": entry}[where].chmod(mode)
    count_compute.clear()
    refcache.References(day3, "cpu", root).for_exercise(spec)
    assert count_compute == ["l1_loss"]


def test_an_unwritable_cache_only_costs_speed(day3, tmp_path, count_compute):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    refs = refcache.References(day3, "cpu", blocker / "cache")
    first = _snapshot(*refs.for_exercise(day3.exercise("l1_loss")))
    assert first["ids"] and count_compute == ["l1_loss"]


def test_no_cache_writes_nothing_and_the_cache_is_on_by_default(tmp_path):
    env = {"GRADER_CACHE_DIR": str(tmp_path / "cache")}

    def scores(*extra):
        result = CliRunner().invoke(main, ["day3", "kl_div", "--submission", str(SOLUTIONS), "--format", "json",
                                           *extra], env=env)
        assert result.exit_code == 0, result.output
        report = json.loads(result.output)
        return [(e["name"], e["status"], e["score"], [(c["name"], c["passed"]) for c in e["cases"]])
                for e in report["exercises"]]

    uncached = scores("--no-cache")
    assert not (tmp_path / "cache").exists()
    assert scores() == uncached
    assert list((tmp_path / "cache" / "references").glob("*/kl_div.ref"))


def test_a_kept_job_input_that_is_not_the_cases_judged_is_run_again_with_the_right_one(tmp_path, monkeypatch):
    """Jobs start from the encoded cases kept beside the references, before the grader has read
    them; kept inputs for other cases (here: every input doubled) must not decide a verdict."""
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))

    def graded():
        result = CliRunner().invoke(main, ["day3", "mse_loss", "--submission", str(SOLUTIONS), "--format", "json"])
        assert result.exit_code == 0, result.output
        exercise = json.loads(result.output)["exercises"][0]
        return exercise["status"], exercise["score"], exercise["max_score"]

    first = graded()
    assert first[0] == "passed"
    [kept] = (tmp_path / "cache" / "references").glob("*/mse_loss.job")
    right = kept.read_bytes()
    cases = wire.decode(refcache._unseal(right))
    for case in cases:
        for arg in case["args"]:
            if arg["kind"] == "tensor":
                arg["value"] = arg["value"] * 2
    kept.write_bytes(refcache._seal(wire.encode(cases)))
    assert graded() == first
    assert kept.read_bytes() == right  # and the right input is kept again
