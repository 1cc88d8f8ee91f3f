"""What a forked job does: lock itself down, load the untrusted source, run every argument set.

Runs only in the forked child. Each answer frame is a plain dict in the format of
:mod:`grader.sandbox.wire`; the grader treats it as untrusted.
"""
from __future__ import annotations

import io
import os
import signal
import sys
import time
import types

import torch

from ..judging.invoke import invoke_capturing
from . import guard, isolation, wire
from .protocol import write_frame

IMPORT_FRAME = "__import__"
ANSWERS_FRAME = "__answers__"
FLUSH_SECONDS = 0.05


def run(request: dict, payload: bytes, tmpdir: str, out_fd: int, result_fd: int, report_fd: int, uid: int | None) -> None:
    """Never returns: exits the child process."""
    try:
        _lock_down(request, tmpdir, out_fd, (result_fd, report_fd), uid)
        guard.set_report_fd(report_fd)
        job = {"source": request["source"], "filename": request["filename"], "function": request["function"],
               "cases": wire.decode(payload)}
        _run_job(job, request["device"], result_fd)
    except BaseException as exc:  # noqa: BLE001 - report whatever happened, then exit
        try:
            _send(result_fd, {"id": IMPORT_FRAME, "error": f"worker error: {type(exc).__name__}: {exc}"[:500]})
        except BaseException:  # noqa: BLE001
            pass
    finally:
        os._exit(0)


def _lock_down(request, tmpdir, out_fd, keep_fds, uid):
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.chdir(tmpdir)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    keep = sorted(set(keep_fds))
    low = 3
    for fd in keep:
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 16)
    sys.stdin = open(0, closefd=False)
    # Past RLIMIT_FSIZE a write would kill the job with SIGXFSZ; ignored, the write just fails,
    # and Python-level output is capped below, so a chatty job is truncated, not killed.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    sys.stdout = sys.stderr = _CappedOutput(1, request["limits"]["output_bytes"] + 1)
    network_isolated = isolation.isolate_network()
    isolation.apply_rlimits(request["limits"], request["device"], own_uid=uid is not None)
    if uid is not None:
        isolation.drop_privileges(uid)
    os.environ.clear()
    os.environ.update({"HOME": tmpdir, "TMPDIR": tmpdir, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    if not network_isolated:
        print("[grader] note: network isolation unavailable on this system", file=sys.stderr)


class _CappedOutput(io.TextIOBase):
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


def _send(fd: int, frame: dict) -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001 - the learner may have replaced or closed it
            pass
    write_frame(fd, wire.encode(frame))


def _load_function(job: dict):
    module = types.ModuleType("submission")
    module.__file__ = job["filename"]
    try:
        exec(compile(job["source"], job["filename"], "exec"), module.__dict__)  # noqa: S102 - sandboxed
    except BaseException as exc:  # noqa: BLE001
        return None, f"importing your file raised {type(exc).__name__}: {exc}"[:500]
    fn = module.__dict__.get(job["function"])
    if not callable(fn):
        return None, f"your file does not define a function named {job['function']}"
    return fn, None


def _run_job(job: dict, device: str, result_fd: int) -> None:
    torch.set_num_threads(1)
    fn, error = _load_function(job)
    if error:
        _send(result_fd, {"id": IMPORT_FRAME, "error": error})
        return
    pending, last_flush = [], time.monotonic()
    for case in job["cases"]:
        pending.append({"id": case["id"], **invoke_capturing(fn, case["args"], device, case["upstream"])})
        # Answers go out in batches: one frame per case costs the grader a decode each, but
        # a frame every few milliseconds still shows how far a job got if it is killed.
        if time.monotonic() - last_flush > FLUSH_SECONDS:
            _send_answers(result_fd, pending)
            pending, last_flush = [], time.monotonic()
    _send_answers(result_fd, pending)


def _send_answers(fd: int, answers: list) -> None:
    if not answers:
        return
    try:
        _send(fd, {"id": ANSWERS_FRAME, "answers": answers})
    except Exception:  # noqa: BLE001 - e.g. an output that cannot be encoded: find which
        for answer in answers:
            try:
                _send(fd, {"id": ANSWERS_FRAME, "answers": [answer]})
            except Exception as exc:  # noqa: BLE001
                _send(fd, {"id": ANSWERS_FRAME, "answers": [
                    {"id": answer["id"], "error": f"returned a result that could not be sent back ({type(exc).__name__})"}]})
