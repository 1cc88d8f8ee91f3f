"""Grader-side handles on zygote workers: start, send jobs, replace the ones that die."""
from __future__ import annotations

import json
import os
import queue
import select
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .limits import Limits
from .protocol import ProtocolError, read_frame, read_json, write_frame, write_json

# Variables a worker may need to find libraries or the GPU; nothing else is passed on.
_ENV_ALLOWED = ("PATH", "LANG", "LC_ALL", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES", "CUDA_HOME",
                "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "SYSTEMROOT", "TMPDIR")
_SLACK = 30.0  # seconds the grader waits beyond a job's timeout before declaring the worker dead


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


class Worker:
    """One zygote process. Not thread-safe: a pool hands each worker to one thread at a time."""

    def __init__(self, guard_calls=(), guard_ops=(), preload=(), without=()):
        """``without``: sandbox steps to leave out (:data:`grader.sandbox.confine.OPTIONAL`); for
        tests that show one layer holding on its own. The level reports them as missing."""
        self._config = {"calls": list(guard_calls), "ops": list(guard_ops), "preload": list(preload),
                        "without": list(without)}
        self._proc = None
        self._spawn()

    def _spawn(self):
        env = {k: os.environ[k] for k in _ENV_ALLOWED if k in os.environ}
        env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1")
        self._proc = subprocess.Popen(
            [sys.executable, "-I", "-m", "grader.sandbox.zygote", json.dumps(self._config)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=env, cwd="/", start_new_session=True,
        )
        self._ready = False

    def _ensure_ready(self):
        if not self._ready:
            hello = self._read_json(timeout=120)
            if not hello or not hello.get("ready"):
                raise WorkerDied("worker failed to start")
            self._ready = True
            self._sandbox = hello["sandbox"]
            announce(self._sandbox)

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
        """Run ``function`` of ``source`` on every argument set of ``cases`` (encoded with
        :func:`grader.sandbox.wire.encode`, so a grader can encode them once for many jobs)."""
        if self._proc.poll() is not None:
            self.restart()  # killed since the last job: this job must not pay for it
        try:
            self._ensure_ready()
            stdin = self._proc.stdin.fileno()
            write_json(stdin, {"limits": limits.to_dict(), "device": device, "source": source, "filename": filename,
                               "function": function})
            write_frame(stdin, cases)
            reply = self._read_json(timeout=limits.timeout + _SLACK)
            if reply is None:
                raise WorkerDied("worker exited")
            fd = self._proc.stdout.fileno()
            frames = [read_frame(fd, limit=limits.result_bytes) for _ in range(reply.pop("frames"))]
        except (WorkerDied, ProtocolError, OSError, ValueError):
            self.restart()
            return JobResult(status="crashed", output="the worker process died")
        reply.pop("answer_truncated", None)
        return JobResult(frames=frames, **reply)

    def restart(self):
        self.close()
        self._spawn()

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


class WorkerPool:
    """A fixed set of workers; :meth:`submit` runs a job on whichever worker is free."""

    def __init__(self, size: int = 1, guard_calls=(), guard_ops=(), preload=()):
        self._workers = [Worker(guard_calls, guard_ops, preload=preload) for _ in range(size)]
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

    def submit(self, *args, **kwargs):
        return self._executor.submit(self._run, *args, **kwargs)

    def _run(self, *args, **kwargs) -> JobResult:
        worker = self._free.get()
        try:
            return worker.run(*args, **kwargs)
        finally:
            self._free.put(worker)

    def close(self):
        self._executor.shutdown(wait=True)
        for w in self._workers:
            w.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
