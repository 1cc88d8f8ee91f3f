"""Grader-side handles on zygote workers: start, send jobs, replace the ones that die."""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import queue
import select
import signal
import subprocess
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from . import isolation
from .limits import Limits
from .protocol import ProtocolError, read_frame, read_json, write_frames

# Variables a worker may need to find libraries or the GPU; nothing else is passed on.
_ENV_ALLOWED = ("PATH", "LANG", "LC_ALL", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES", "CUDA_HOME",
                "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "SYSTEMROOT", "TMPDIR")
_SLACK = 30.0  # seconds the grader waits beyond a job's timeout before declaring the worker dead
_CASES_KEPT = 64  # argument sets a zygote keeps decoded; past this it is told to forget them


@dataclass(frozen=True)
class Task:
    """One exercise of a submission: call ``function`` of ``source`` on every argument set of
    ``cases`` (encoded with :func:`grader.sandbox.wire.encode`, once for many submissions)."""

    source: str
    filename: str
    function: str
    cases: bytes


@dataclass
class JobResult:
    status: str  # ok | timeout | crashed
    frames: list = field(default_factory=list)  # untrusted bytes, one per answered argument set
    output: str = ""
    output_truncated: bool = False
    violations: list = field(default_factory=list)
    elapsed: float = 0.0
    returncode: int | None = None
    signal: int | None = None


class WorkerDied(Exception):
    pass


_announced: set = set()


def announce(level: dict) -> None:
    """One line on stderr, once per process, when jobs lack a sandbox layer on this system."""
    missing = tuple(level["missing"])
    if missing and missing not in _announced:
        _announced.add(missing)
        print(f"grader: note: the job sandbox lacks {', '.join(missing)} on this system "
              "(see README, Threat model)", file=sys.stderr)


# The cyclic collector stays off while the zygote imports torch (260,000 objects it would walk
# again and again: a sixth of the start-up) until the zygote freezes them and turns it back on.
_ZYGOTE = "import gc; gc.disable(); from grader.sandbox.zygote import main; main()"


class Worker:
    """One zygote process. Not thread-safe: a pool hands each worker to one thread at a time."""

    def __init__(self, guard_calls=(), guard_ops=(), preload=(), without=(), _channels=(), _sibling=None):
        """``without``: sandbox steps to leave out (:data:`grader.sandbox.confine.OPTIONAL`); for
        tests that show one layer holding on its own. The level reports them as missing."""
        self._config = {"calls": list(guard_calls), "ops": list(guard_ops), "preload": list(preload),
                        "without": list(without)}
        self._proc, self._stopped = None, False
        if _sibling:
            self._proc, self._ready, self._sent = _sibling, False, set()
        else:
            self._spawn(_channels)

    @classmethod
    def several(cls, count: int, guard_calls=(), guard_ops=(), preload=()) -> list["Worker"]:
        """``count`` workers from one started process, whose zygote forks the others once it has
        imported torch (see ``zygote._fork_siblings``): one torch import for a whole batch, not one
        per worker. A worker whose zygote dies is started again on its own.

        With more than one, this process becomes a subreaper (Linux), so that the forked zygotes
        are its children as the first one is: it reaps them, and their CPU time and memory count
        in this process's tree (``time grade batch``, a benchmark's resource usage)."""
        if count > 1:
            isolation.become_subreaper()
        channels, ours = [], []
        for _ in range(count - 1):
            requests, replies = _pipe(), _pipe()
            channels.append((requests[0], replies[1]))
            ours.append((requests[1], replies[0]))
        try:
            first = cls(guard_calls, guard_ops, preload, _channels=channels)
        except BaseException:
            for fd in (fd for channel in ours for fd in channel):
                os.close(fd)
            raise
        finally:
            for fd in (fd for channel in channels for fd in channel):
                os.close(fd)
        return [first] + [cls(guard_calls, guard_ops, preload, _sibling=_Sibling(*fds)) for fds in ours]

    def _spawn(self, channels=()):
        isolation.set_dumpable(False)  # this process judges: no job may open its memory
        env = {k: os.environ[k] for k in _ENV_ALLOWED if k in os.environ}
        env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1")
        config = {**self._config, "channels": [list(channel) for channel in channels]}
        self._proc = subprocess.Popen(
            [sys.executable, "-I", "-c", _ZYGOTE, json.dumps(config)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=env, cwd="/", start_new_session=True, pass_fds=[fd for channel in channels for fd in channel],
        )
        self._ready = False
        self._sent = set()  # keys of the argument sets this zygote holds

    def _ensure_ready(self):
        if not self._ready:
            hello = self._read_json(timeout=120)
            if not hello or not hello.get("ready"):
                raise WorkerDied("worker failed to start")
            self._ready = True
            if isinstance(self._proc, _Sibling):
                self._proc.started(hello.get("pid"))
            self._sandbox = hello["sandbox"]
            announce(self._sandbox)

    def _forked_yet(self) -> bool:
        """Whether a zygote another one was to fork (:meth:`Worker.several`) exists: its hello is
        the only sign, as the one forking it may have died first. Others: True (``poll`` tells)."""
        if self._ready or not isinstance(self._proc, _Sibling):
            return True
        try:
            self._ensure_ready()
        except (WorkerDied, ProtocolError, OSError, ValueError):
            return False
        return True

    @property
    def sandbox(self) -> dict:
        """The sandbox level this worker's jobs get (see :func:`grader.sandbox.confine.level`);
        waits for the worker to start."""
        self._ensure_ready()
        return self._sandbox

    def _read_json(self, timeout: float):
        fd = self._proc.stdout.fileno()
        readable, _, _ = select.select([fd], [], [], timeout)
        if not readable:
            raise WorkerDied("worker stopped answering")
        return read_json(fd)

    def run(self, source: str, filename: str, function: str, cases: bytes, device: str, limits: Limits) -> JobResult:
        """One task on its own (see :meth:`run_all`)."""
        return self.run_all([Task(source, filename, function, cases)], device, limits)[0]

    def run_all(self, tasks: list, device: str, limits: Limits, budget: float | None = None,
                on_result=None) -> list:
        """Run ``tasks`` one after the other in one forked job, each under ``limits``; a task
        that crashes or runs out of time costs that task alone (the rest go on in a new fork).
        ``budget``: seconds for all of them together. ``on_result(index, JobResult)`` is called
        as each task ends, while later ones still run."""
        if self._proc.poll() is not None or not self._forked_yet():
            self.restart()  # killed since the last job, or never forked: this job must not pay for it
        results = [None] * len(tasks)

        def done(index, result):
            results[index] = result
            if on_result:
                on_result(index, result)

        try:
            # Sent before the zygote says it is ready: it reads the request the moment it is,
            # instead of when this thread next gets the GIL from a busy grading thread.
            self._send_request(tasks, device, limits, budget)
            self._ensure_ready()
            fd = self._proc.stdout.fileno()
            for _task in tasks:
                reply = self._read_json(timeout=limits.timeout + _SLACK)
                if reply is None:
                    raise WorkerDied("worker exited")
                frames = [read_frame(fd, limit=limits.result_bytes) for _ in range(reply.pop("frames"))]
                reply.pop("answer_truncated", None)
                index = reply.pop("task")
                if results[index] is not None:
                    raise ProtocolError(f"task {index} answered twice")
                done(index, JobResult(frames=frames, **reply))
        except (WorkerDied, ProtocolError, OSError, ValueError, TypeError, IndexError, KeyError):
            self.restart()
            for index, result in enumerate(results):
                if result is None:
                    done(index, JobResult(status="crashed", output="the worker process died"))
        return results

    def _send_request(self, tasks: list, device: str, limits: Limits, budget: float | None) -> None:
        """Argument sets travel once per zygote, named by their hash: a batch sends each
        exercise's cases once, and every forked job inherits them already decoded."""
        keys = {task.cases: hashlib.sha256(task.cases).hexdigest() for task in tasks}
        new = {key: cases for cases, key in keys.items() if key not in self._sent}
        forget = len(self._sent) + len(new) > _CASES_KEPT
        if forget:
            self._sent.clear()
            new = {key: cases for cases, key in keys.items()}
        # Each source is a frame of its own after the cases, not part of the JSON: the zygote
        # wipes it once the job is done (see zygote.serve).
        request = {"limits": limits.to_dict(), "device": device, "budget": budget, "forget_cases": forget,
                   "new_cases": list(new),
                   "tasks": [{"filename": t.filename, "function": t.function, "cases": keys[t.cases]} for t in tasks]}
        sources = [t.source.encode("utf-8", "surrogatepass") for t in tasks]  # a notebook may hold lone surrogates
        write_frames(self._proc.stdin.fileno(), [json.dumps(request).encode(), *new.values(), *sources])
        self._sent.update(new)

    def restart(self):
        self.close()
        if not self._stopped:
            self._spawn()

    def stop(self):
        """Kill the zygote, and with it any job (they die with their zygote), for good: the
        thread that may be waiting on its job sees it die at once and starts no other. Its pipes
        stay open for that thread; :meth:`close` closes them."""
        self._stopped = True
        if self._proc and self._proc.poll() is None:
            self._proc.kill()

    def close(self):
        if self._proc and self._proc.poll() is None:
            self._proc.kill()
        if self._proc:
            self._proc.wait()
            for stream in (self._proc.stdin, self._proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass


def _pipe() -> tuple[int, int]:
    """A pipe whose ends are not 0, 1 or 2, where a zygote's stdio goes: a grader started with
    stdin closed had its first forked zygote's requests come from the /dev/null put there."""
    ends = []
    for fd in os.pipe():
        if fd <= 2:
            fd, low = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3), fd
            os.close(low)
        ends.append(fd)
    return ends[0], ends[1]


class _Sibling:
    """For a zygote another one forked (:meth:`Worker.several`), what a worker uses of
    :class:`subprocess.Popen`: the grader's ends of its pipes, and the process itself, through a
    pidfd once its hello names it (this process's child only where it could become a subreaper).
    Thread-safe as Popen is: ``SlotPool.close`` closes a worker while its grading thread, its job
    killed, restarts it; the pidfd is closed once, never by a number another file took since."""

    def __init__(self, requests: int, replies: int):
        self.stdin = open(requests, "wb", buffering=0)  # noqa: SIM115 - closed by Worker.close
        self.stdout = open(replies, "rb", buffering=0)  # noqa: SIM115
        self.returncode = None
        self._pid = self._pidfd = None
        self._lock = threading.Lock()

    def started(self, pid) -> None:
        with self._lock:
            if self.returncode is not None:
                return  # closed meanwhile
            try:
                self._pidfd = os.pidfd_open(int(pid))
                self._pid = int(pid)
            except (TypeError, ValueError, OSError):
                pass  # then only its pipes tell: closing them ends it

    def _exited(self, timeout: float) -> bool:
        return self._pidfd is not None and bool(select.select([self._pidfd], [], [], timeout)[0])

    def poll(self):
        with self._lock:
            if self.returncode is None and self._exited(0):
                self.returncode = -signal.SIGKILL
            return self.returncode

    def kill(self) -> None:
        with self._lock:
            if self._pidfd is not None:
                try:
                    signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def wait(self) -> None:
        with self._lock:
            if self._pidfd is not None:
                self._exited(_SLACK)
                os.close(self._pidfd)
                self._pidfd = None
                try:
                    os.waitpid(self._pid, 0)
                except ChildProcessError:  # not ours to reap
                    pass
            self.returncode = -signal.SIGKILL


class WorkerPool:
    """A fixed set of workers; :meth:`submit` runs a job on whichever worker is free."""

    def __init__(self, size: int = 1, guard_calls=(), guard_ops=(), preload=()):
        self.guard = (tuple(guard_calls), tuple(guard_ops))  # what its workers trap
        self._workers = Worker.several(size, guard_calls, guard_ops, preload=preload)
        self._free = queue.Queue()
        self._sandbox = None
        for w in self._workers:
            self._free.put(w)
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="grader-worker")

    @property
    def sandbox(self) -> dict:
        """The sandbox level of the pool's jobs (all its workers run on one system)."""
        if self._sandbox is None:
            worker = self._free.get()
            try:
                self._sandbox = worker.sandbox
            finally:
                self._free.put(worker)
        return self._sandbox

    def submit_all(self, tasks: list, device: str, limits: Limits) -> list:
        """A future per task, each set as its task ends (see :meth:`Worker.run_all`)."""
        futures = [Future() for _ in tasks]

        def run():
            worker = self._free.get()
            try:
                worker.run_all(tasks, device, limits, on_result=lambda i, result: futures[i].set_result(result))
            except BaseException as exc:  # noqa: BLE001 - whoever waits must hear of it
                for future in futures:
                    if not future.done():
                        future.set_exception(exc)
            finally:
                self._free.put(worker)

        self._executor.submit(run)
        return list(futures)  # the caller's copy: replacing one of its futures must not redirect a result

    def close(self):
        for w in self._workers:  # a job still running (Ctrl-C, an error) ends now, not at its timeout
            w.stop()
        self._executor.shutdown(wait=True)
        for w in self._workers:
            w.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
