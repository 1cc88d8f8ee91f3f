"""The zygote: a process that imports torch once, arms the guard, and forks one child per job.

Started by :class:`grader.sandbox.pool.Worker` with a minimal environment and never given
anything secret (no course pack, no references), so what a child inherits from it is harmless.
Requests arrive on stdin and replies leave on stdout as length-prefixed frames.
"""
from __future__ import annotations

import gc
import json
import os
import select
import shutil
import signal
import sys
import tempfile
import threading
import time

import torch

from . import child, confine, guard, isolation, wire
from .limits import Limits
from .protocol import ProtocolError, read_frame, read_json, write_frame, write_json


class _Drain(threading.Thread):
    """Collect a child's answer frames up to a byte budget, discarding the excess."""

    def __init__(self, fd: int, budget: int):
        super().__init__(daemon=True)
        self.fd, self.budget = fd, budget
        self.frames, self.truncated, self.broken = [], False, False

    def run(self):
        used = 0
        try:
            while True:
                frame = read_frame(self.fd, limit=self.budget)
                if frame is None:
                    break
                used += len(frame)
                if used > self.budget:
                    self.truncated = True
                    break
                self.frames.append(frame)
        except (ProtocolError, OSError):
            self.broken = True
        try:
            while os.read(self.fd, 1 << 16):
                pass
        except OSError:
            pass


def _exit_notifier(pid: int):
    """A file descriptor that becomes readable when ``pid`` exits (Linux pidfd), or None where
    the OS has none and we poll instead."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _read_available(fd: int) -> bytes:
    """What is in the pipe now; a leftover process holding the write end must not block us."""
    os.set_blocking(fd, False)
    try:
        return os.read(fd, 1 << 16)
    except BlockingIOError:
        return b""


def _wait(pid: int, timeout: float):
    """(status, returncode, signal) after the child exits or is killed at ``timeout``."""
    deadline = time.monotonic() + timeout
    exited = _exit_notifier(pid)
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                _kill_group(pid)
                os.waitpid(pid, 0)
                return "timeout", None, signal.SIGKILL
            if exited is None:
                time.sleep(min(0.002, remaining))
            else:
                select.select([exited], [], [], remaining)
    finally:
        if exited is not None:
            os.close(exited)
    if os.WIFSIGNALED(status):
        return "crashed", None, os.WTERMSIG(status)
    return "ok", os.WEXITSTATUS(status), None


def _kill_group(pid: int):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _job_uid() -> int | None:
    return isolation.sandbox_uid() if isolation.is_root() else None


def _job_folder(uid: int | None) -> str:
    tmpdir = tempfile.mkdtemp(prefix="grader-job-")
    if uid is not None:
        os.chown(tmpdir, uid, uid)
    return tmpdir


def _clean_up(tmpdir: str, uid: int | None) -> None:
    if not isolation.kill_leftovers() and uid is not None:
        isolation.kill_uid(uid)
    shutil.rmtree(tmpdir, ignore_errors=True)


def probe_sandbox(without: tuple) -> dict:
    """Lock a throwaway child down as a job and return the sandbox level it reached."""
    uid = _job_uid()
    tmpdir = _job_folder(uid)
    report_r, report_w = os.pipe()
    with tempfile.TemporaryFile() as out:
        pid = os.fork()
        if pid == 0:
            os.close(report_r)
            child.probe(confine.Box(tmpdir, out.fileno(), (report_w,), uid, Limits().to_dict(), "cpu", without),
                        report_w)
        os.close(report_w)
        with os.fdopen(report_r, "rb") as fh:
            found = fh.read()
        os.waitpid(pid, 0)
    _clean_up(tmpdir, uid)
    return confine.level(json.loads(found) if found else ["probe failed"])


def serve(config: dict, proto_in: int, proto_out: int, level: dict) -> None:
    uid, without = _job_uid(), tuple(config.get("without", ()))
    while True:
        request = read_json(proto_in)
        if request is None:
            return
        payload = read_frame(proto_in)
        limits = request["limits"]
        tmpdir = _job_folder(uid)
        out = tempfile.TemporaryFile()
        result_r, result_w = os.pipe()
        report_r, report_w = os.pipe()
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            os.close(result_r)
            os.close(report_r)
            box = confine.Box(tmpdir, out.fileno(), (result_w, report_w), uid, limits, request["device"], without)
            child.run(request, payload, box, result_w, report_w, level)
        os.close(result_w)
        os.close(report_w)
        drain = _Drain(result_r, limits["result_bytes"])
        drain.start()
        status, code, sig = _wait(pid, limits["timeout"])
        _kill_group(pid)
        _clean_up(tmpdir, uid)
        drain.join(timeout=2.0)
        reported = _read_available(report_r).decode(errors="replace").split()
        os.close(report_r)
        output = os.pread(out.fileno(), limits["output_bytes"] + 1, 0)
        out.close()
        reply = {
            "status": "crashed" if status == "ok" and (drain.broken or drain.truncated) else status,
            "returncode": code,
            "signal": sig,
            "elapsed": time.monotonic() - started,
            "output": output[: limits["output_bytes"]].decode(errors="replace"),
            "output_truncated": len(output) > limits["output_bytes"],
            "answer_truncated": drain.truncated,
            "violations": sorted(set(reported)),
            "frames": len(drain.frames),
        }
        write_json(proto_out, reply)
        for frame in drain.frames:
            write_frame(proto_out, frame)


def _warm_up(modules) -> None:
    """Do in the zygote what every job would otherwise do itself: import the modules learners
    may use and run autograd once (it imports more lazily). Jobs then start fast and need no
    file access, which matters once they run as an unprivileged uid."""
    for name in modules:
        __import__(name)
    x = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    (x.log_softmax(-1).exp() * x).sum().backward()
    y = x * x
    y.backward(torch.ones_like(y))  # an explicit upstream gradient imports more lazily
    wire.decode(wire.encode({"x": x.detach()}))


def main() -> None:
    config = json.loads(sys.argv[1])
    proto_in, proto_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # stray prints (ours or torch's) must never corrupt the protocol stream
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the grader decides when we stop
    torch.set_num_threads(1)
    _warm_up(config.get("preload", ()))
    trapped = guard.install(config.get("calls", ()), config.get("ops", ()))
    # Everything alive now lives as long as the zygote: move it out of the collector's sight, so
    # a job's collections neither walk torch's objects nor copy their pages after the fork.
    gc.freeze()
    isolation.become_subreaper()
    confine.prepare()
    level = probe_sandbox(tuple(config.get("without", ())))
    write_json(proto_out, {"ready": True, "trapped": len(trapped), "pid": os.getpid(), "sandbox": level})
    serve(config, proto_in, proto_out, level)


if __name__ == "__main__":
    main()
