"""The zygote: a process that imports torch once, arms the guard, and forks one child per job.

Started by :class:`grader.sandbox.pool.Worker` with a minimal environment and never given
anything secret (no course pack, no references), so what a child inherits from it is harmless.
One student's source is the exception, as the next student's job could read it in the memory it
inherits (through a raw address, past what Python audits): each source arrives in a frame of its
own, read into a buffer that is wiped once its jobs are done, and no other copy is made here.
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

from ..judging import invoke
from . import child, confine, guard, isolation, wire
from .limits import Limits
from .protocol import ProtocolError, read_frame, read_frame_into, read_json, write_frames, write_json


_FRAME_COST = 64  # bytes a kept frame costs the zygote beyond its data, counted against the budget
# What a byte of a frame's JSON header may cost the grader once decoded, counted against the same
# budget: a 64 MB header of empty lists took 3 GB and some 20 CPU-seconds to decode, for each
# exercise of a submission (day 3's largest honest header is 66 kB: 4 MB at this rate).
_HEADER_COST = 64
_REPORT_KEPT = 1 << 16  # characters of the report pipe kept unread at most


class _Drain(threading.Thread):
    """Collect a child's answer frames, task by task: an empty frame ends a task. Each task may
    send up to a byte budget, each frame counted with what keeping it costs here and decoding it
    costs the grader, and the job no more end markers than it has tasks; past either, reading
    stops (the task is reported crashed)."""

    def __init__(self, fd: int, budget: int, tasks: int):
        super().__init__(daemon=True)
        self.fd, self.budget, self.expected = fd, budget, tasks
        self.tasks = []  # per finished task: (frames, monotonic time its end marker arrived)
        self.current, self.truncated, self.broken, self.ended = [], False, False, False
        self.changed = threading.Condition()

    def run(self):
        used = 0
        try:
            while True:
                frame = read_frame(self.fd, limit=self.budget)
                if frame is None:
                    break
                if not frame:
                    if len(self.tasks) == self.expected:
                        self.broken = True
                        break
                    with self.changed:
                        self.tasks.append((self.current, time.monotonic()))
                        self.current, used = [], 0
                        self.changed.notify_all()
                    continue
                used += len(frame) + _FRAME_COST + _HEADER_COST * wire.header_size(frame)
                if used > self.budget:
                    self.truncated = True
                    break
                self.current.append(frame)
        except (ProtocolError, OSError):
            self.broken = True
        with self.changed:
            self.ended = True
            self.changed.notify_all()
        try:
            while os.read(self.fd, 1 << 16):
                pass
        except OSError:
            pass
        # Closed here, by its only reader, once nothing can write to it: closed by the zygote while
        # a process outside the job still held the write end, its number could go to the next
        # job's pipe, and this thread would read another submission's answers.
        os.close(self.fd)


def _exit_notifier(pid: int):
    """A file descriptor that becomes readable when ``pid`` exits (Linux pidfd), or None where
    the OS has none and we poll instead."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


class _Reports:
    """The report pipe: the forbidden calls the guard trapped, one name a line, and after each
    task a line ``=<bytes of output written so far>``, so both are told apart task by task. Read
    without blocking: a leftover process holding the write end must not stall the zygote."""

    def __init__(self, fd: int):
        self.fd, self.text = fd, ""
        os.set_blocking(fd, False)

    def take(self) -> tuple[list, int | None]:
        """The names of the next task, and where its output ended (None if it did not say)."""
        try:  # one read: a job writing without end must not keep the zygote reading
            self.text = (self.text + os.read(self.fd, _REPORT_KEPT).decode(errors="replace"))[-_REPORT_KEPT:]
        except OSError:  # BlockingIOError: nothing more for now
            pass
        *lines, self.text = self.text.split("\n")
        names = []
        for at, line in enumerate(lines):
            if line.startswith("="):
                self.text = "\n".join([*lines[at + 1:], self.text])
                return names, _offset(line[1:])
            names += line.split()
        return names, None


def _offset(text: str) -> int | None:
    """An output offset as the job wrote it, or None: the job's own bytes, so ``isdigit`` alone
    would let through what ``int`` refuses (``'²'``, more digits than ``int`` converts), and the
    zygote, which serves the whole batch, would die of it."""
    return int(text) if len(text) <= 20 and text.isascii() and text.isdigit() else None


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
    # The child itself too: killed before its first step (a budget nearly spent), it has no
    # process group of its own yet.
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
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
        zygote = os.getpid()
        pid = os.fork()
        if pid == 0:
            os.close(report_r)
            child.probe(confine.Box(tmpdir, out.fileno(), (report_w,), uid, Limits().to_dict(), "cpu", parent=zygote,
                                    without=without), report_w)
        os.close(report_w)
        with os.fdopen(report_r, "rb") as fh:
            found = fh.read()
        os.waitpid(pid, 0)
    _clean_up(tmpdir, uid)
    return confine.level(json.loads(found) if found else ["probe failed"])


def serve(config: dict, proto_in: int, proto_out: int, level: dict) -> None:
    uid, without = _job_uid(), tuple(config.get("without", ()))
    cases = {}  # argument sets by key, decoded once here: every child inherits them
    while True:
        request = read_json(proto_in)
        if request is None:
            return
        if request.get("forget_cases"):
            cases.clear()
        for key in request.get("new_cases", ()):
            cases[key] = wire.decode(read_frame(proto_in))
        sources = [read_frame_into(proto_in) for _ in request["tasks"]]
        if None in sources:
            return
        for task, source in zip(request["tasks"], sources):
            task["source"] = source  # decoded in the child only
        try:
            for index, reply, frames in _run_tasks(request, cases, uid, without, level):
                _reply(proto_out, index, reply, frames)
        finally:
            for source in sources:
                source[:] = bytes(len(source))  # in place: the buffer keeps its address and size


def _run_tasks(request: dict, cases: dict, uid, without: tuple, level: dict):
    """Yield (index, reply, frames) for each task in order, forking again after a task that
    ended its child."""
    tasks, budget, done = request["tasks"], request.get("budget"), 0
    while done < len(tasks):
        if budget is not None and budget <= 0:  # the submission's time ran out: not run
            yield done, {"status": "timeout", "elapsed": 0.0}, []
            done += 1
            continue
        for reply, frames in _run_child(tasks[done:], request, cases, uid, without, level, budget):
            yield done, reply, frames
            done += 1
            budget = None if budget is None else budget - reply["elapsed"]


def _reply(fd: int, index: int, reply: dict, frames: list) -> None:
    head = {"status": "ok", "returncode": None, "signal": None, "output": "", "output_truncated": False,
            "answer_truncated": False, "violations": [], **reply, "task": index, "frames": len(frames)}
    write_frames(fd, [json.dumps(head).encode(), *frames])


def _run_child(tasks: list, request: dict, cases: dict, uid, without: tuple, level: dict, budget):
    """Fork one child for ``tasks``; yield (reply, frames) as each task ends. The child stops at
    the first task that crashes or runs out of time: the caller forks again for the rest, so
    one task's hang or crash costs that task alone."""
    limits = request["limits"]
    tmpdir = _job_folder(uid)
    out = tempfile.TemporaryFile()
    result_r, result_w = os.pipe()
    report_r, report_w = os.pipe()
    zygote = os.getpid()
    begun = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(result_r)
        os.close(report_r)
        # CPU time is capped per process: the child gets each task's share.
        box = confine.Box(tmpdir, out.fileno(), (result_w, report_w), uid,
                          {**limits, "cpu_seconds": limits["cpu_seconds"] * len(tasks)}, request["device"],
                          parent=zygote, without=without)
        child.run([{**task, "cases": cases[task["cases"]]} for task in tasks], request["device"], box,
                  result_w, report_w, level)
    os.close(result_w)
    os.close(report_w)
    drain = _Drain(result_r, limits["result_bytes"], len(tasks))
    drain.start()
    reports, output_at, last = _Reports(report_r), 0, None
    try:
        for index in range(len(tasks)):
            timeout = limits["timeout"] if budget is None else min(limits["timeout"], budget)
            ended = _task_end(pid, drain, index, begun + timeout)
            names, said_at = reports.take()
            if ended is None:  # the child stopped inside this task
                status, code, sig = _stop(pid, drain, begun + timeout)
                output, truncated, _ = _output(out, output_at, None, limits["output_bytes"])
                last = ({"status": status, "returncode": code, "signal": sig, "elapsed": time.monotonic() - begun,
                         "output": output, "output_truncated": truncated, "answer_truncated": drain.truncated,
                         "violations": sorted(set(names))}, list(drain.current))
                break
            frames, ended_at = drain.tasks[index]
            output, truncated, output_at = _output(out, output_at, said_at, limits["output_bytes"])
            reply = ({"returncode": 0, "elapsed": ended_at - begun, "output": output, "output_truncated": truncated,
                      "violations": sorted(set(names))}, frames)
            if index == len(tasks) - 1:
                last = reply
                break
            yield reply
            frames.clear()  # sent: a job of many exercises must not hold every one's answers here
            budget = None if budget is None else budget - (ended_at - begun)
            begun = ended_at
    finally:
        _kill_group(pid)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:  # reaped by _stop
            pass
        _clean_up(tmpdir, uid)
        drain.join(timeout=2.0)
        os.close(report_r)  # a zygote serves a whole batch: nothing of a job may stay open (the drain closes its own)
        out.close()
    # The last reply waits for the clean-up: once the grader has it, nothing of the job is left.
    if last is not None:
        yield last


def _task_end(pid: int, drain: _Drain, index: int, deadline: float):
    """Wait until the child ends task ``index`` (returns the time it did), stops sending, exits,
    or reaches ``deadline`` (returns None for all three)."""
    exited = False
    with drain.changed:
        while len(drain.tasks) <= index and not drain.ended and not exited:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            # The end of the pipe shows an exit at once, unless a process the child left holds
            # it (only where seccomp is missing): then this check, a few times a second, does.
            drain.changed.wait(min(remaining, 0.05))
            exited = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    if exited:
        drain.join(timeout=1.0)  # what it wrote before exiting is still in the pipe
    return drain.tasks[index][1] if len(drain.tasks) > index else None


def _stop(pid: int, drain: _Drain, deadline: float):
    """(status, returncode, signal) of a child that stopped inside a task."""
    if drain.truncated or drain.broken:  # what it sends can no longer be read: end it
        _kill_group(pid)
        _, code, sig = _wait(pid, 1.0)
        return "crashed", code, sig
    status, code, sig = _wait(pid, max(0.0, deadline - time.monotonic()))
    drain.join(timeout=2.0)
    return status, code, sig


def _output(out, start: int, said_end: int | None, keep: int) -> tuple[str, bool, int]:
    """(text, truncated, end) of the output a task wrote from ``start``: up to where the child
    said it ended, else to the end of the file, never past the file or before ``start``."""
    size = os.fstat(out.fileno()).st_size
    end = size if said_end is None else max(start, min(said_end, size))
    data = os.pread(out.fileno(), min(end - start, keep), start)
    return data.decode(errors="replace"), end - start > keep, end


def _warm_up(modules) -> None:
    """Do in the zygote what every job would otherwise do itself: import the modules learners
    may use and run autograd once (it imports more lazily). Jobs then start fast and need no
    file access, which matters once they run as an unprivileged uid."""
    for name in modules:
        __import__(name)
    # torch's argument checks (torch._check_with: broadcast_shapes, unravel_index, ...) import
    # this, and sympy with it, on first use; a job cannot read the files, so it comes in here.
    # A third of a second of every zygote's start, but a learner's legitimate call must work.
    import torch.fx.experimental.symbolic_shapes  # noqa: F401
    x = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    invoke.backward(x.log_softmax(-1).exp() * x, torch.ones(4, 3, dtype=torch.float64))
    repr(x)  # printing a tensor imports torch._subclasses.schema_check_mode on first use
    wire.decode(wire.encode({"x": x.detach()}))


def main() -> None:
    config = json.loads(sys.argv[1])
    proto_in, proto_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # stray prints (ours or torch's) must never corrupt the protocol stream
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the grader decides when we stop
    isolation.set_dumpable(False)  # before any fork: no job, ours or a sibling's, may open our memory
    torch.set_num_threads(1)
    _warm_up(config.get("preload", ()))
    trapped = guard.install(config.get("calls", ()), config.get("ops", ()))
    # Everything alive now lives as long as the zygote: move it out of the collector's sight, so
    # a job's collections neither walk torch's objects nor copy their pages after the fork. (The
    # collector was off until now: see pool._ZYGOTE.)
    gc.freeze()
    gc.enable()
    confine.prepare()
    level = probe_sandbox(tuple(config.get("without", ())))
    proto_in, proto_out = _fork_siblings(config.get("channels", ()), (proto_in, proto_out))
    isolation.become_subreaper()  # not inherited: each zygote makes itself one
    write_json(proto_out, {"ready": True, "trapped": len(trapped), "pid": os.getpid(), "sandbox": level})
    serve(config, proto_in, proto_out, level)


def _fork_siblings(channels: list, own: tuple) -> tuple:
    """One more zygote per extra channel (a pair of pipe ends the grader passed in: requests in,
    replies out), forked now that torch is imported and warm, instead of a process per worker that
    imports torch itself: a batch of N students at once imports it once. Returns the channel
    this process serves; each process keeps only its own channel's ends.

    A sibling is forked twice over, so that it is nobody's child here: a zygote kills all its
    children after each job (:func:`isolation.kill_leftovers`), and the first zygote becomes a
    subreaper only after this, so the orphan goes to an ancestor of the grader's choosing."""
    mine = own
    for channel in channels:
        middle = os.fork()
        if middle == 0:
            if os.fork() == 0:
                mine = tuple(channel)
                break
            os._exit(0)
        os.waitpid(middle, 0)
    for fd in {*own, *(fd for channel in channels for fd in channel)} - set(mine):
        os.close(fd)
    return mine


if __name__ == "__main__":
    main()
