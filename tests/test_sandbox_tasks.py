"""A submission's exercises run one after the other in one forked job, yet each is on its own:
a hang or a crash costs that exercise alone, and output, forbidden calls and time are told apart
exercise by exercise. Sources go straight to a :class:`grader.sandbox.Worker` (no scan)."""
from __future__ import annotations

import os

import pytest
import torch

from grader.sandbox import Limits, Task, pool, protocol, wire, zygote

pytestmark = pytest.mark.attack

ONE_CALL = wire.encode([{"id": "only", "args": [], "upstream": None}])
SOURCES = {
    "ok": "import os, torch\ndef f():\n    print('pid', os.getpid())\n    return torch.ones(())\n",
    "hang": "def f():\n    while True:\n        pass\n",
    "exits": "import os\ndef f():\n    os._exit(3)\n",
    "killed": "import os, signal\ndef f():\n    os.kill(os.getpid(), signal.SIGKILL)\n",
    "forbidden": "import torch\nimport torch.nn.functional as F\nprint('loaded forbidden')\n"
                 "def f():\n    return F.mse_loss(torch.ones(1), torch.zeros(1))\n",
    "chatty": "import torch\nprint('x' * 100000)\ndef f():\n    return torch.ones(())\n",
    "careless": "import torch\ntorch.set_grad_enabled(False)\ntorch.set_default_dtype(torch.float64)\n"
                "torch.Tensor.sum = lambda self, *a, **k: self * 0\ntorch.zeros = None\ntorch.made_up = 1\n"
                "def f():\n    return torch.ones(())\n",
    # Its one change is equal to everything: a check by == would take it for the original.
    "liar": "import torch\nclass Liar:\n    __eq__ = lambda self, other: True\n    __hash__ = object.__hash__\n"
            "torch.add = Liar()\ndef f():\n    return torch.ones(())\n",
    "sums": "import torch\ndef f():\n    x = torch.ones(3, requires_grad=True)\n    y = torch.add(torch.zeros(3), x)\n"
            "    assert not hasattr(torch, 'made_up')\n    return y.sum()\n",
    # Writes to every descriptor it may hold: end markers (empty frames) on the result pipe,
    # garbage on the report pipe; then many tiny frames.
    "forger": "import os, torch\nfor fd in range(3, 4096):\n    try:\n        os.write(fd, bytes(8) * 1000)\n"
              "    except OSError:\n        pass\ndef f():\n    return torch.ones(())\n",
    "tiny_frames": "import os, struct, torch\ndef f():\n    for fd in range(3, 4096):\n        try:\n"
                   "            os.write(fd, (struct.pack('<Q', 1) + b'x') * 10000)\n        except OSError:\n"
                   "            pass\n    return torch.ones(())\n",
    # Output offsets that pass str.isdigit but not int(): a superscript two, 5000 digits.
    "bad_offsets": "import os, sys, torch\nreport = sys.modules['grader.sandbox.guard']._report_fd\n"
                   "os.write(report, '=\\u00b2\\n='.encode() + b'9' * 5000 + b'\\n')\n"
                   "def f():\n    return torch.ones(())\n",
    # Its answers carry 5.6 MB of JSON (a tenth of the answer allowance): 1.4 million empty lists,
    # which would cost the grader some 90 MB and a second or two of CPU to decode, per exercise.
    "costly_header": "import sys, torch\nchild = sys.modules['grader.sandbox.child']\nsend = child._send\n"
                     "def padded(fd, frame):\n    send(fd, {**frame, 'padding': [[]] * 1_400_000})\n"
                     "child._send = padded\ndef f():\n    return torch.ones(())\n",
}


@pytest.fixture(scope="module")
def worker(grader):
    """The session grader's worker: the day's forbidden calls are trapped in it."""
    return grader._pool._workers[0]


def tasks(*names: str, cases: bytes = ONE_CALL) -> list:
    return [Task(SOURCES[name], f"{name}.py", "f", cases) for name in names]


def answer_ids(job) -> list:
    return [a["id"] for frame in job.frames for a in wire.decode(frame).get("answers", [])]


def pid(job) -> str:
    return next(line.split()[1] for line in job.output.splitlines() if line.startswith("pid "))


def test_a_hang_or_a_crash_costs_that_exercise_alone(worker):
    jobs = worker.run_all(tasks("ok", "hang", "ok", "exits", "ok", "killed", "ok"), "cpu", Limits(timeout=1.0))
    assert [j.status for j in jobs] == ["ok", "timeout", "ok", "ok", "ok", "crashed", "ok"]
    assert [answer_ids(j) for j in jobs[::2]] == [["only"]] * 4
    assert jobs[3].returncode == 3 and not jobs[3].frames
    assert jobs[5].signal == 9 and not jobs[5].frames
    assert 0.9 < jobs[1].elapsed < 5.0
    # The exercises after a hang or a crash ran in a fresh fork each time.
    assert len({pid(j) for j in jobs[::2]}) == 4


def test_exercises_of_a_submission_share_one_job_yet_report_apart(worker):
    jobs = worker.run_all(tasks("ok", "forbidden", "chatty", "ok"), "cpu", Limits(timeout=5.0))
    assert [j.status for j in jobs] == ["ok"] * 4
    assert pid(jobs[0]) == pid(jobs[3])  # one fork for the whole submission
    assert [j.violations for j in jobs] == [[], ["torch.nn.functional.mse_loss"], [], []]
    assert "loaded forbidden" in jobs[1].output and "loaded forbidden" not in jobs[0].output + jobs[3].output
    # Each exercise has its own output allowance: a chatty one is cut, the next one is whole.
    assert jobs[2].output_truncated and len(jobs[2].output) == Limits().output_bytes
    assert not jobs[3].output_truncated and jobs[3].output.startswith("pid ")
    assert all(j.elapsed > 0 for j in jobs)


def test_a_budget_cuts_the_exercises_it_cannot_cover(worker):
    jobs = worker.run_all(tasks("hang", "ok", "ok"), "cpu", Limits(timeout=5.0), budget=1.0)
    assert [j.status for j in jobs] == ["timeout"] * 3
    assert 0.9 < jobs[0].elapsed < 5.0 and jobs[1].elapsed == jobs[2].elapsed == 0.0
    assert worker.run_all(tasks("ok"), "cpu", Limits(timeout=5.0))[0].status == "ok"  # the worker goes on


def test_argument_sets_sent_once_are_still_right_after_the_worker_forgets_them(worker, monkeypatch):
    monkeypatch.setattr(pool, "_CASES_KEPT", 1)
    first, second = (wire.encode([{"id": name, "args": [], "upstream": None}]) for name in ("first", "second"))
    for _ in range(2):
        jobs = worker.run_all(tasks("ok", cases=first) + tasks("ok", cases=second) + tasks("ok", cases=first),
                              "cpu", Limits(timeout=5.0))
        assert [answer_ids(j) for j in jobs] == [["first"], ["second"], ["first"]]


def test_forged_end_markers_and_floods_cost_only_that_submission(worker):
    forged = worker.run_all(tasks("forger", "ok", "ok"), "cpu", Limits(timeout=5.0))
    # The forged markers end the exercises before any answer: nothing of this job is scored.
    assert all(not answer_ids(job) for job in forged)
    # 10 kB of one-byte frames: what the zygote keeps per frame counts against the 64 kB allowed.
    flooded = worker.run_all(tasks("tiny_frames", "ok"), "cpu", Limits(timeout=5.0, result_bytes=1 << 16))
    assert flooded[0].status == "crashed" and answer_ids(flooded[1]) == ["only"]
    assert [answer_ids(job) for job in worker.run_all(tasks("ok", "ok"), "cpu", Limits(timeout=5.0))] == [["only"]] * 2


def test_forged_output_offsets_cost_the_zygote_nothing(worker):
    zygote = worker._proc.pid
    jobs = worker.run_all(tasks("bad_offsets", "ok", "ok"), "cpu", Limits(timeout=5.0))
    assert [answer_ids(job) for job in jobs] == [["only"]] * 3
    assert worker._proc.pid == zygote  # not restarted: it never died


FINDS_ITS_PIPES = """import os, sys, torch
report = sys.modules['grader.sandbox.guard']._report_fd
def is_open(fd):
    try:
        return os.fstat(fd) is not None
    except OSError:
        return False
result = next(fd for fd in range(3, report) if is_open(fd))
{abuse}
def f():
    return torch.ones(())
"""


@pytest.mark.parametrize("abuse", ["os.close(report)\nos.close(result)", "os.dup2(1, result)", "os.dup2(result, 1)",
                                   "os.close(1)\nos.close(2)"],
                         ids=["closes its pipes", "answers into its output", "prints into its answers",
                              "closes its output"])
def test_a_task_that_closes_or_swaps_its_descriptors_costs_only_that_submission(worker, abuse):
    """The exercises after it may pay (they share its process: printing into the answers pipe
    it left them ends the job); the zygote and the next submission do not."""
    zygote = worker._proc.pid
    hostile = Task(FINDS_ITS_PIPES.format(abuse=abuse), "hostile.py", "f", ONE_CALL)
    worker.run_all([hostile, *tasks("ok", "ok")], "cpu", Limits(timeout=5.0))
    assert [answer_ids(job) for job in worker.run_all(tasks("ok", "ok"), "cpu", Limits(timeout=5.0))] == [["only"]] * 2
    assert worker._proc.pid == zygote


def test_the_answer_pipe_is_closed_by_its_reader_once_no_one_writes_to_it():
    """Not by the zygote after a wait: a process outside the job that still held the write end
    would then feed whatever pipe next got that number (the next submission's) to this reader."""
    read, write = os.pipe()
    pipe = os.fstat(read).st_ino
    drain = zygote._Drain(read, 1 << 16, 1)
    drain.start()
    protocol.write_frames(write, [wire.encode({"id": "x"}), b""])
    assert drain.is_alive()  # the writer is still there
    os.close(write)
    drain.join(timeout=10)
    assert not drain.is_alive() and len(drain.tasks) == 1
    try:
        now = os.fstat(read).st_ino  # its number reused since: another file
    except OSError:  # closed
        now = None
    assert now != pipe


def test_an_answer_that_would_cost_the_grader_much_to_decode_never_reaches_it(worker):
    jobs = worker.run_all(tasks("costly_header", "ok"), "cpu", Limits(timeout=5.0))
    assert jobs[0].status == "crashed" and not jobs[0].frames
    assert answer_ids(jobs[1]) == ["only"]


def test_a_budget_spent_while_the_job_forks_stops_it_at_once(worker):
    jobs = worker.run_all(tasks("hang", "ok"), "cpu", Limits(timeout=5.0), budget=1e-6)
    assert [j.status for j in jobs] == ["timeout", "timeout"] and jobs[0].elapsed < 2.0


def test_the_zygote_keeps_nothing_of_a_finished_job_open(worker):
    """A zygote serves a whole class: a descriptor left per job would end it after a thousand."""
    def zygote_fds():
        return len(os.listdir(f"/proc/{worker._proc.pid}/fd"))

    worker.run_all(tasks("ok"), "cpu", Limits(timeout=5.0))
    try:
        before = zygote_fds()
    except PermissionError:  # the zygote is undumpable, so that no job can open its memory
        pytest.skip("an ordinary user cannot list an undumpable zygote's descriptors; a run as root checks them")
    for _ in range(5):
        worker.run_all(tasks("ok", "exits", "ok"), "cpu", Limits(timeout=5.0))
    assert zygote_fds() == before


@pytest.mark.parametrize("careless", ["careless", "liar"])
def test_a_slip_in_one_file_does_not_cost_the_exercises_after_it(worker, careless):
    jobs = worker.run_all(tasks(careless, "sums"), "cpu", Limits(timeout=5.0))
    [answer] = [a for frame in jobs[1].frames for a in wire.decode(frame)["answers"]]
    assert answer["error"] is None, answer["error"]
    assert answer["output"].dtype == torch.float32 and answer["output"].item() == 3.0
