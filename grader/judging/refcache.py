"""The reference cache: each exercise's expected tensors, kept on disk between runs.

References never change for a given pack, grader, torch and device, yet computing them (every case
forward and backward, in its dtype and in float64) was half the work of grading a day. An entry
holds one exercise's references and each case's upstream gradient; its key is everything that
decides them (:meth:`References.key_material`): the content hash of every file of the day folder,
the source of the modules that generate cases and compute references, the grader, torch and numpy
versions, the device and machine, and a hash of the secret mixed into hidden seeds. Exercises
whose reference lives outside torch are not cached: that code is not part of the key.

An entry file is ``MAGIC | sha256(payload) | payload``, the payload a :mod:`grader.sandbox.wire`
frame (JSON and raw tensor bytes, no pickle). It is written to a temporary file and renamed into
place, so a reader sees a whole entry or none. A read trusts nothing: a wrong magic or digest, a
frame that does not decode, a key, exercise or case list other than this run's make the entry a
miss, recomputed and rewritten. The digest catches damage, not forgery: the cache belongs to the
trusted side (directories 0700, files 0600), out of the jobs' reach like the course pack.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import json
import platform
import sys
from pathlib import Path

import torch

from .. import __version__, cachedir
from ..course import casegen, secret as course_secret
from ..course.manifest import Day, ExerciseSpec, pack_hash
from ..sandbox import wire
from . import invoke, reference, tensorfns
from .reference import Expected

MAGIC = b"grader-references-1\n"
_DIGEST = hashlib.sha256().digest_size
_SAME = "same"  # a float64 case is its own truth: stored once, not twice
# The code that turns a pack into references: a change to any of it makes every entry stale.
_CODE = (casegen, course_secret, reference, invoke, tensorfns, wire, sys.modules[__name__])


def secret_digest(day: Day) -> str:
    """A hash of the secret mixed into hidden seeds (:mod:`grader.course.secret`), as loaded with the day."""
    return hashlib.sha256(b"course secret:" + day.secret).hexdigest() if day.secret else "none"


def _device_name(device: str) -> str:
    return f"cuda:{torch.cuda.get_device_name()}" if device == "cuda" else device


class References:
    """An exercise's cases and their references, read from the cache when it holds them.

    ``root`` None disables the cache (``--no-cache``): every reference is computed."""

    def __init__(self, day: Day, device: str, root: Path | None):
        self.day = day
        self.device = device
        self.root = root

    def for_exercise(self, spec: ExerciseSpec) -> tuple[list, dict, list]:
        """(cases, case id -> Expected, skipped notes), as :func:`reference.compute` returns them."""
        cases = casegen.expand(spec, self.day.secret)
        path = self._path(spec, "ref")
        if path is None:
            return reference.compute(spec, cases, self.device)
        hit = _unpack(cachedir.read(path, self.root), self.key, spec.name, cases)
        if hit is not None:
            return hit
        kept, expected, skipped = reference.compute(spec, cases, self.device)
        cachedir.write(path, self.root, _pack(self.key, spec.name, kept, expected, skipped))
        return kept, expected, skipped

    def kept(self, spec: ExerciseSpec, kind: str) -> bytes | None:
        """Bytes kept beside an exercise's references with :meth:`keep` (e.g. its job's encoded
        cases), if whole; None if absent, damaged or not cached."""
        path = self._path(spec, kind)
        return None if path is None else _unseal(cachedir.read(path, self.root))

    def keep(self, spec: ExerciseSpec, kind: str, data: bytes) -> None:
        path = self._path(spec, kind)
        if path is not None:
            cachedir.write(path, self.root, _seal(data))

    def _path(self, spec: ExerciseSpec, kind: str) -> Path | None:
        if self.root is None or not spec.reference.startswith("torch.") or self.key is None:
            return None
        return self.root / "references" / self.key[:32] / f"{spec.name}.{kind}"

    def key_material(self) -> dict:
        import numpy

        code = hashlib.sha256()
        for module in _CODE:
            code.update(Path(module.__file__).read_bytes())
        return {"format": MAGIC.decode().strip(), "grader": __version__, "code": code.hexdigest(),
                "torch": torch.__version__, "numpy": numpy.__version__, "device": _device_name(self.device),
                "machine": platform.machine(), "pack": pack_hash(self.day.folder),
                "secret": secret_digest(self.day)}

    @functools.cached_property
    def key(self) -> str | None:
        """None when the key cannot be computed (an unreadable file in the pack): no caching then."""
        try:
            material = self.key_material()
        except OSError:
            return None
        return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def _pack(key: str, name: str, cases: list, expected: dict, skipped: list) -> bytes:
    entries = []
    for case in cases:
        e = expected[case.id]
        entries.append({
            "id": case.id, "upstream": case.upstream, "output": e.output,
            "truth": _SAME if e.truth is e.output else e.truth,
            "grads": {n: [g, _SAME if t is g else t] for n, (g, t) in e.grads.items()},
            "passed": e.passed,
        })
    return _seal(wire.encode({"key": key, "exercise": name, "skipped": list(skipped), "cases": entries}))


def _seal(payload: bytes) -> bytes:
    return MAGIC + hashlib.sha256(payload).digest() + payload


def _unseal(data: bytes | None) -> bytes | None:
    """The payload of a sealed entry, or None when it is absent or damaged."""
    if data is None or not data.startswith(MAGIC):
        return None
    digest, payload = data[len(MAGIC):len(MAGIC) + _DIGEST], data[len(MAGIC) + _DIGEST:]
    return payload if hmac.compare_digest(digest, hashlib.sha256(payload).digest()) else None


def _unpack(data: bytes | None, key: str, name: str, cases: list):
    """The entry's (cases, expected, skipped), or None when it is absent, damaged or not this run's."""
    payload = _unseal(data)
    if payload is None:
        return None
    try:
        body = wire.decode(payload)
        return _rebuild(body, key, name, cases)
    except (wire.WireError, KeyError, TypeError, ValueError, AttributeError):
        return None


def _rebuild(body: dict, key: str, name: str, cases: list):
    if body["key"] != key or body["exercise"] != name:
        return None
    skipped, entries = body["skipped"], body["cases"]
    by_id = {c.id: c for c in cases}
    ids = [e["id"] for e in entries]
    if (not all(isinstance(s, str) for s in skipped) or len(ids) + len(skipped) != len(cases)
            or len(set(ids)) != len(ids) or not set(ids) <= set(by_id)):
        return None
    kept, expected = [], {}
    for entry in entries:
        case = by_id[entry["id"]]
        output = _tensor(entry["output"])
        truth = output if _is_same(entry["truth"]) else _optional(entry["truth"])
        grads = {}
        for grad_name, (grad, grad_truth) in entry["grads"].items():
            grad = _optional(grad)
            grads[grad_name] = (grad, grad if _is_same(grad_truth) else _optional(grad_truth))
        passed = {k: _tensor(v) for k, v in entry["passed"].items()}
        case.upstream = _optional(entry["upstream"])
        expected[case.id] = Expected(output, truth, grads, passed)
        kept.append(case)
    order = {c.id: i for i, c in enumerate(cases)}
    kept.sort(key=lambda c: order[c.id])
    return kept, expected, list(skipped)


def _is_same(value) -> bool:
    return type(value) is str and value == _SAME


def _tensor(value) -> torch.Tensor:
    if type(value) is not torch.Tensor:
        raise TypeError("expected a tensor")
    return value


def _optional(value):
    return None if value is None else _tensor(value)
