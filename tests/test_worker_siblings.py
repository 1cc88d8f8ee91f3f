"""Workers forked from one zygote (:meth:`Worker.several`, what ``grade batch --jobs N`` starts):
one torch import for all of them, yet each is a worker of its own, as one started alone is."""
from __future__ import annotations

import os
import select
import signal
import threading
import time

import pytest

from grader.sandbox import Limits, Worker, wire
from grader.workers import PRELOAD

pytestmark = pytest.mark.attack

ONE_CALL = wire.encode([{"id": "only", "args": [], "upstream": None}])
OK = "import os, torch\ndef f():\n    print(os.getppid())\n    return torch.ones(())\n"
HANG = "def f():\n    while True:\n        pass\n"


def run(worker, source=OK, timeout=10.0):
    return worker.run(source, "f.py", "f", ONE_CALL, "cpu", Limits(timeout=timeout))


def zygote_of(worker) -> int:
    """The pid of the zygote serving ``worker``: its job's parent, as the job prints it."""
    result = run(worker)
    assert result.status == "ok", result
    return int(result.output.split()[0])


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as fh:
        return int(fh.read().rsplit(")", 1)[1].split()[1])


@pytest.fixture
def siblings():
    workers = Worker.several(3, preload=PRELOAD)
    yield workers
    for worker in workers:
        worker.close()


def test_each_serves_its_own_jobs_from_its_own_zygote(siblings):
    zygotes = [zygote_of(worker) for worker in siblings]
    assert len(set(zygotes)) == 3
    assert zygotes[0] == siblings[0]._proc.pid  # the one started; the others were forked from it
    # ...yet every zygote is this process's child: reaped here, its CPU and memory counted here.
    assert all(_parent(zygote) == os.getpid() for zygote in zygotes)
    # A zygote kills every child it has after each job: the forked ones are none of them.
    assert [zygote_of(worker) for worker in siblings[::-1]] == zygotes[::-1]


def test_a_hang_costs_that_task_alone_on_a_forked_zygote(siblings):
    worker = siblings[2]
    assert run(worker, HANG, timeout=1.0).status == "timeout"
    assert run(worker).status == "ok"
    assert run(siblings[1]).status == "ok"


def _exited(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_a_forked_zygote_that_dies_is_started_again(siblings):
    dead = zygote_of(siblings[1])
    exited = os.pidfd_open(dead)
    os.kill(dead, signal.SIGKILL)
    # Gone as the grader sees it (a pidfd, as its poll): a zombie's /proc state shows 'Z' while its
    # other threads still exit, and until they have, no poll could tell the job to come.
    select.select([exited], [], [], 10)
    os.close(exited)
    assert zygote_of(siblings[1]) != dead
    assert run(siblings[2]).status == "ok"  # the others go on


def test_closing_them_leaves_no_process_behind():
    workers = Worker.several(2, preload=PRELOAD)
    zygotes = [zygote_of(worker) for worker in workers]
    for worker in workers:
        worker.close()
    deadline = time.monotonic() + 10
    while any(os.path.exists(f"/proc/{pid}") for pid in zygotes) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(os.path.exists(f"/proc/{pid}") for pid in zygotes)  # gone, and reaped (no zombie)


def test_closing_a_forked_zygote_while_its_job_runs_is_safe_from_another_thread():
    """What ``SlotPool.close`` does on Ctrl-C of a batch: the main thread closes every worker while
    grading threads wait on their jobs, and each of those restarts and closes its worker too. A
    started process's handle takes that from two threads at once; a forked zygote's must as well
    (its pidfd closed once, never a number another file may have taken since)."""
    for _ in range(2):  # the two threads meet in either order
        workers, outcome = Worker.several(2, preload=PRELOAD), {}

        def grade(worker=workers[1]):
            try:
                outcome["result"] = run(worker, HANG, timeout=30.0)
            except BaseException as exc:  # noqa: BLE001 - the test reports it
                outcome["error"] = exc

        thread = threading.Thread(target=grade)
        thread.start()
        zygote = _wait_for_job_of(workers[1])
        try:
            workers[1].close()
            thread.join(timeout=60)
        finally:
            for worker in workers:
                worker.close()
        assert not thread.is_alive()
        assert "error" not in outcome, outcome
        assert outcome["result"].status == "crashed"
        assert _exited(zygote)


def _wait_for_job_of(worker) -> int:
    """The pid of ``worker``'s zygote once it has a job running."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pid = getattr(worker._proc, "_pid", None)
        if pid:
            with open(f"/proc/{pid}/task/{pid}/children") as fh:
                if fh.read().split():
                    return pid
        time.sleep(0.05)
    raise AssertionError("the job never started")


def test_workers_whose_zygote_died_before_forking_them_start_afresh_without_failing_a_job():
    """The one started zygote killed while it imports torch (out of memory, say): none of the
    others was ever forked. The first job of each must not pay for it, as it does not when a
    started zygote dies between jobs."""
    workers = Worker.several(3, preload=PRELOAD)
    try:
        os.kill(workers[0]._proc.pid, signal.SIGKILL)
        workers[0]._proc.wait()
        assert [run(worker).status for worker in workers] == ["ok"] * 3
    finally:
        for worker in workers:
            worker.close()


def test_forked_zygotes_serve_a_grader_started_with_stdin_closed():
    """``grade batch ... <&-`` (cron, some launchers): the grader's first pipe then takes fd 0,
    which a zygote's stdin would cover."""
    saved = os.dup(0)
    os.close(0)
    try:
        workers = Worker.several(2, preload=PRELOAD)
    finally:
        os.dup2(saved, 0)
        os.close(saved)
    try:
        assert [run(worker).status for worker in workers] == ["ok", "ok"]
    finally:
        for worker in workers:
            worker.close()


def test_a_failed_start_leaves_no_pipe_open(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("no python to start")

    monkeypatch.setattr("subprocess.Popen", refuse)
    before = set(os.listdir("/proc/self/fd"))
    with pytest.raises(OSError):
        Worker.several(3, preload=PRELOAD)
    assert set(os.listdir("/proc/self/fd")) == before
