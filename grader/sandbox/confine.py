"""Lock a freshly forked job down, as a list of named steps, each one reporting what it could not do.

The rule: :data:`STEPS` run in order, before any untrusted byte is loaded; each returns the
names of the layers it could not apply on this system ([] when all held). The zygote runs them
once at start in a throwaway probe (:func:`grader.sandbox.zygote.probe_sandbox`), announces
the resulting sandbox level, and from then on a job whose steps miss a layer the probe had is refused: the sandbox is never
weaker in silence. The order matters: namespaces need privileges the credentials step gives
up, Landlock opens the paths it allows before seccomp, seccomp forbids the calls the earlier
steps make (unshare, mount), and the refusal of ctypes, which they all call libc through, ends it.
"""
from __future__ import annotations

import io
import os
import signal
import sys
from dataclasses import dataclass

from . import guard, isolation
from .landlock import abi as landlock_abi, restrict as landlock_restrict
from .seccomp import install as seccomp_install, program as seccomp_program, supported as seccomp_supported

# What a CPU job may read once the zygote has imported and warmed up everything: measured by
# grading every reference solution with nothing readable at all (the seccomp filter then lets
# a CPU job open no file at all: the two layers hold each without the other). CUDA jobs initialise the driver in the job: it reads driver libraries, /proc
# and /sys, and opens and ioctls the device files read-write; their reads are not confined.
# (Not yet tried on a GPU.)
JOB_READS = ("/dev/null",)
CUDA_READS, CUDA_WRITES = ("/",), ("/dev",)
ENVIRONMENT = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}


@dataclass
class Box:
    """One job's lock-down: where it may write, what it keeps open, whom it becomes."""

    tmpdir: str
    out_fd: int
    keep_fds: tuple
    uid: int | None  # the sandbox uid (grader is root), or None: the job keeps the grader's uid
    limits: dict
    device: str
    parent: int  # the zygote's pid: the job dies with it
    without: tuple = ()  # names of OPTIONAL steps to leave out

    def __post_init__(self):
        self.namespaces = isolation.Namespaces()


def detach(box: Box) -> list[str]:
    os.setsid()  # own session and process group: killed as one at the end
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    return []


def stdio(box: Box) -> list[str]:
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(box.out_fd, 1)
    os.dup2(box.out_fd, 2)
    sys.stdin = open(0, closefd=False)
    return []


def fds(box: Box) -> list[str]:
    low = 3
    for fd in sorted(set(box.keep_fds)):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 16)
    return []


def output_cap(box: Box) -> list[str]:
    # Past RLIMIT_FSIZE a write would kill the job with SIGXFSZ; ignored, the write just fails,
    # and Python-level output is capped here, so a chatty job is truncated, not killed.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    sys.stdout = sys.stderr = CappedOutput(1, box.limits["output_bytes"] + 1)
    return []


def private_tmp(box: Box) -> list[str]:
    held = isolation.private_tmp(box.namespaces, box.tmpdir, box.uid, int(box.limits["scratch_bytes"]))
    return [] if held else ["private_tmp"]


def network(box: Box) -> list[str]:
    return [] if isolation.isolate_network(box.namespaces) else ["netns"]


def rlimits(box: Box) -> list[str]:
    return isolation.apply_rlimits(box.limits, box.device, own_uid=box.uid is not None)


def credentials(box: Box) -> list[str]:
    if box.uid is not None:
        isolation.drop_privileges(box.uid)
    isolation.drop_capabilities()  # those a user namespace gave an ordinary user
    return [] if box.uid is not None else ["uid_switch"]


def parent_death(box: Box) -> list[str]:
    # A zygote killed mid-job (a batch stopped with Ctrl-C, a worker that stopped answering)
    # runs no clean-up: without this its job would live on, unconfined in time.
    return [] if isolation.die_with(box.parent) else ["parent_death"]


def environment(box: Box) -> list[str]:
    os.chdir(box.tmpdir)
    os.environ.clear()
    os.environ.update({**ENVIRONMENT, "HOME": box.tmpdir, "TMPDIR": box.tmpdir})
    return []


def landlock(box: Box) -> list[str]:
    if landlock_abi() < 1:
        return ["landlock"]
    if box.device == "cpu":
        landlock_restrict(read=JOB_READS, write=[box.tmpdir])
    else:
        landlock_restrict(read=CUDA_READS, write=[box.tmpdir, *CUDA_WRITES])
    return []


def seccomp(box: Box) -> list[str]:
    if not seccomp_supported():
        return ["seccomp"]
    seccomp_install(files=box.device == "cuda")
    return []


def native_code(box: Box) -> list[str]:
    # Last: every step before it calls libc through ctypes, which from here on is refused.
    guard.forbid_native_code()
    return []


STEPS = (detach, stdio, fds, output_cap, private_tmp, network, rlimits, credentials, parent_death, environment,
         landlock, seccomp, native_code)
# The layer a step stands for in the sandbox level, where the names differ.
_LAYER = {"network": "netns", "credentials": "uid_switch"}
# Steps a grader may leave out (tests do, to show that each layer holds without the others).
OPTIONAL = ("private_tmp", "network", "landlock", "seccomp", "native_code")


def prepare() -> None:
    """In the zygote: what the steps can compute once (the Landlock ABI, libc, the seccomp
    program), computed before the forks, so that no job pays for it."""
    landlock_abi()
    if seccomp_supported():
        seccomp_program(os.getpid())


def lock_down(box: Box) -> list[str]:
    """Run every step; returns what could not be applied. A step that raises is named as
    failed, and the steps after it still run."""
    missing = []
    for step in STEPS:
        if step.__name__ in box.without and step.__name__ in OPTIONAL:
            missing.append(_LAYER.get(step.__name__, step.__name__))
            continue
        try:
            missing += step(box)
        except Exception:  # noqa: BLE001 - reported, and the job is refused unless the probe failed alike
            missing.append(f"{step.__name__} failed")
    return missing


_LAYERS = ("seccomp", "private_tmp", "netns", "uid_switch")


def level(missing: list[str]) -> dict:
    """The sandbox level a job gets, for reports: each layer, and what is missing. A step that
    raised ("seccomp failed") counts as its layer missing, and a probe that failed as every
    layer missing: a report never claims a layer no job got."""
    absent = {_LAYER.get(name, name) for name in (entry.removesuffix(" failed") for entry in missing)}
    if "probe" in absent:
        absent.update(("landlock", *_LAYERS))
    return {"landlock": 0 if "landlock" in absent else landlock_abi(),
            **{layer: layer not in absent for layer in _LAYERS}, "missing": sorted(missing)}


class CappedOutput(io.TextIOBase):
    """Learner-facing stdout/stderr: keeps the first ``budget`` bytes (enough for the zygote to
    see that output was truncated) and silently drops the rest."""

    def __init__(self, fd: int, budget: int):
        super().__init__()
        self._fd, self._left = fd, budget

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        data = str(text).encode("utf-8", "replace")[: self._left]
        while data:
            try:
                written = os.write(self._fd, data)
            except OSError:
                written, self._left = len(data), 0
            data, self._left = data[written:], self._left - written
        return len(text)
