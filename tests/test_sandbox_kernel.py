"""The kernel layers of the job sandbox hold, each on its own, for code the static scan never sees.

Every test hands a source straight to a :class:`grader.sandbox.Worker` (no scan, no guard in
the way of what it tries), has the job attempt one thing and print what happened, then checks
both sides: the attempt failed inside the job, and the grader's side is unharmed. The full box
is tested, and then each layer alone in a worker that leaves the others out (``without``), so
a layer is shown to hold even when the one before it is bypassed. Where this system lacks a
layer, its tests skip and say which.
"""
from __future__ import annotations

import os
import resource
import shutil
import signal
import socket
import subprocess
import tempfile
import textwrap
import threading
import time
import uuid
from pathlib import Path

import pytest
import torch

from sandbox_level import needs
from grader.sandbox import Limits, Worker, confine, isolation, seccomp, wire
from grader.sandbox.confine import OPTIONAL
from grader.sandbox.pool import announce
from grader.workers import PRELOAD

pytestmark = pytest.mark.attack

ONE_CALL = wire.encode([{"id": "only", "args": [], "upstream": None}])
JOB = '''
import os, torch


def attempt(name, action):
    try:
        action()
        print("DONE", name)
    except BaseException as exc:
        print("DENIED", name, type(exc).__name__)


{body}


def f():
    return torch.zeros(())
'''


@pytest.fixture(scope="module")
def workers(grader):
    """Workers by the steps they leave out, started on first use; the full box is the session
    grader's own worker."""
    started = {}

    def get(*without):
        if not without:
            return grader._pool._workers[0]
        if without not in started:
            started[without] = Worker(preload=PRELOAD, without=without)
        return started[without]

    yield get
    for worker in started.values():
        worker.close()


# Every kernel layer, without the refusal of ctypes that ends a job's lock-down: the tests that
# call the kernel through ctypes show what the kernel refuses, as a job past that refusal would.
KERNEL_BOX = ("native_code",)


def only(layer: str) -> tuple:
    """``without`` for a worker whose jobs keep ``layer`` and leave out every other optional one."""
    return tuple(step for step in OPTIONAL if step != layer)


def run_job(worker: Worker, body: str) -> dict:
    """Run ``body`` in a job; returns {attempt name: 'DONE' or the exception's name}."""
    job = worker.run(JOB.format(body=textwrap.dedent(body)), "job.py", "f", ONE_CALL, "cpu", Limits(timeout=5.0))
    assert job.status == "ok" and len(job.frames) == 1, (job.status, job.output)
    outcome = {}
    for line in job.output.splitlines():
        word, name, *error = line.split()
        outcome[name] = "DONE" if word == "DONE" else error[0]
    return outcome


def assert_worker_unharmed(worker: Worker) -> None:
    assert run_job(worker, 'attempt("control", lambda: None)') == {"control": "DONE"}


# --- the level is reported, never weaker in silence ------------------------------------------

def test_the_worker_reports_its_sandbox_level(workers):
    level = workers().sandbox
    assert set(level) == {"landlock", "seccomp", "private_tmp", "netns", "uid_switch", "missing"}
    assert level["uid_switch"] == (os.geteuid() == 0)
    assert level["seccomp"] == seccomp.supported()


def test_a_layer_left_out_is_reported_missing(workers):
    level = workers("landlock").sandbox
    assert level["landlock"] == 0 and "landlock" in level["missing"]


def test_a_step_that_failed_counts_as_its_layer_missing():
    """A filter the kernel refused once showed as ``"seccomp": true`` with "seccomp failed"
    among the missing: the report claimed a layer no job had."""
    assert confine.level(["seccomp failed"])["seccomp"] is False
    assert confine.level(["credentials failed"])["uid_switch"] is False
    failed = confine.level(["probe failed"])
    assert failed["landlock"] == 0 and not any(failed[layer] for layer in ("seccomp", "private_tmp", "netns", "uid_switch"))


def test_a_missing_layer_is_announced_once(capsys):
    for _ in range(2):
        announce({"missing": ["landlock-for-this-test"]})
    assert capsys.readouterr().err.count("lacks landlock-for-this-test") == 1


def test_every_report_records_the_sandbox_level(grader, tmp_path):
    (tmp_path / "day3").mkdir()
    result = grader.grade(tmp_path, ["mse_loss"])
    assert result.to_dict()["sandbox"] == grader._pool.sandbox


# --- reading -------------------------------------------------------------------------------

READS = '''
attempt("secret", lambda: open({secret!r}).read())
attempt("world_readable", lambda: open("/etc/passwd").read())
attempt("torch_source", lambda: open(torch.__file__).read())
attempt("grader_cmdline", lambda: open("/proc/{grader}/cmdline").read())
attempt("own_folder", lambda: os.listdir(os.environ["TMPDIR"]))
'''


@pytest.fixture
def secret(tmp_path):
    """A world-readable file outside the job's folder."""
    path = tmp_path / "hidden_cases.yaml"
    path.write_text("answer: 42\n")
    path.chmod(0o644)
    return str(path)


def _refused(worker: Worker, path: str) -> str:
    """How a read of ``path`` fails in a job: a job's own /tmp does not even have it."""
    hidden = worker.sandbox["private_tmp"] and path.startswith(tuple(f"{d}/" for d in isolation.SCRATCH_FOLDERS))
    return "FileNotFoundError" if hidden else "PermissionError"


def test_landlock_alone_lets_a_job_read_nothing_outside_its_own_folder(workers, secret):
    worker = workers(*only("landlock"))
    needs(worker.sandbox, "landlock")
    outcome = run_job(worker, READS.format(secret=secret, grader=os.getpid()))
    assert outcome == {"secret": _refused(worker, secret), "world_readable": "PermissionError",
                       "torch_source": _refused(worker, torch.__file__), "grader_cmdline": "PermissionError",
                       "own_folder": "DONE"}
    assert_worker_unharmed(worker)


@pytest.mark.parametrize("without", [(), only("seccomp")], ids=["full box", "seccomp alone"])
def test_the_filter_lets_a_cpu_job_open_no_file_at_all(workers, without, secret):
    worker = workers(*without)
    needs(worker.sandbox, "seccomp")
    outcome = run_job(worker, READS.format(secret=secret, grader=os.getpid()))
    assert outcome == dict.fromkeys(("secret", "world_readable", "torch_source", "grader_cmdline", "own_folder"),
                                    "PermissionError")
    assert_worker_unharmed(worker)


def test_without_landlock_and_the_filter_the_same_reads_succeed(workers, secret):
    """The control: the read tests can fail, and it is Landlock or the filter that stops these reads."""
    outcome = run_job(workers(*OPTIONAL), READS.format(secret=secret, grader=os.getpid()))
    assert outcome["world_readable"] == "DONE" and outcome["grader_cmdline"] == "DONE"


# --- writing ------------------------------------------------------------------------------

WRITES = '''
for folder in ("/tmp", "/var/tmp", "/dev/shm"):
    attempt(folder, lambda: open(os.path.join(folder, {name!r}), "w").write("x" * 1000))
attempt("own_folder", lambda: open(os.path.join(os.environ["TMPDIR"], "scratch"), "w").write("x"))
'''


@pytest.mark.parametrize("without, layer, refused, own", [
    ((), "seccomp", "PermissionError", "PermissionError"),
    (only("seccomp"), "seccomp", "PermissionError", "PermissionError"),
    (only("landlock"), "landlock", "PermissionError", "DONE"),
    (only("private_tmp"), "private_tmp", None, "DONE")],
    ids=["full box", "seccomp alone", "landlock alone", "private tmp alone"])
def test_a_job_writes_nothing_outside_its_own_folder_and_leaves_nothing(workers, without, layer, refused, own):
    worker = workers(*without)
    needs(worker.sandbox, layer)
    name = f"grader-kernel-test-{uuid.uuid4().hex}"
    outcome = run_job(worker, WRITES.format(name=name))
    present = [folder for folder in ("/tmp", "/var/tmp", "/dev/shm") if os.path.isdir(folder)]
    # Alone, a private /tmp lets the job write there; what it wrote is its own, and is gone.
    # The filter lets a CPU job write no file at all, its own folder included.
    assert outcome == {**{folder: refused or "DONE" for folder in present}, "own_folder": own}
    assert not [folder for folder in present if os.path.exists(os.path.join(folder, name))]
    assert not list(Path("/tmp").glob("grader-job-*/scratch"))  # the job's own folder went too


CHANGES = '''
import socket
folder = {folder!r}
target = os.path.join(folder, "report.json")
attempt("read", lambda: open(target).read())
attempt("append", lambda: open(target, "a").write("forged"))
attempt("create", lambda: open(os.path.join(folder, "new.json"), "x"))
attempt("rename", lambda: os.rename(target, os.path.join(folder, "moved.json")))
attempt("unlink", lambda: os.unlink(target))
attempt("mkdir", lambda: os.mkdir(os.path.join(folder, "sub")))
attempt("symlink", lambda: os.symlink(target, os.path.join(folder, "link")))
attempt("hardlink", lambda: os.link(target, os.path.join(folder, "hard")))
attempt("truncate", lambda: os.truncate(target, 0))
attempt("chmod", lambda: os.chmod(target, 0o600))
attempt("utime", lambda: os.utime(target, (0, 0)))
attempt("fchmod", lambda: os.fchmod(os.open(target, os.O_RDONLY), 0o600))
attempt("bind", lambda: socket.socket(socket.AF_UNIX).bind(os.path.join(folder, "sock")))
'''


@pytest.fixture
def shared_folder():
    """A folder and file anyone may change, as an ordinary user's own files are to a job that
    shares the user's uid (no uid switch) where Landlock is missing."""
    folder = Path(tempfile.mkdtemp(prefix="grader-kernel-test-"))
    folder.chmod(0o777)
    (folder / "report.json").write_text("{}")
    (folder / "report.json").chmod(0o666)
    yield folder
    shutil.rmtree(folder)


def test_the_filter_alone_keeps_a_job_from_reading_or_changing_any_file(workers, shared_folder):
    worker = workers(*only("seccomp"))
    needs(worker.sandbox, "seccomp")
    outcome = run_job(worker, CHANGES.format(folder=str(shared_folder)))
    assert set(outcome.values()) == {"PermissionError"}, outcome
    assert sorted(p.name for p in shared_folder.iterdir()) == ["report.json"]
    assert (shared_folder / "report.json").read_text() == "{}"
    assert (shared_folder / "report.json").stat().st_mode & 0o777 == 0o666


def test_without_the_filter_and_landlock_those_changes_succeed(workers, shared_folder):
    """The control: it is the filter that stops them."""
    outcome = run_job(workers(*OPTIONAL), CHANGES.format(folder=str(shared_folder)))
    assert outcome["read"] == outcome["append"] == outcome["mkdir"] == "DONE"


SOCKETS = '''
import socket
def stream():
    with socket.socket(socket.AF_UNIX) as s:
        s.connect({stream!r})
        s.sendall(b"forged")
def datagram():
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.sendto(b"forged", {datagram!r})
def pair():
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    left.sendto(b"forged", {datagram!r})
attempt("stream", stream)
attempt("datagram", datagram)
attempt("pair", pair)
'''


@pytest.mark.parametrize("without, denied", [(only("seccomp"), True), (OPTIONAL, False)],
                         ids=["seccomp alone", "no optional layer (the control)"])
def test_a_job_reaches_no_unix_socket_by_its_path(workers, shared_folder, without, denied):
    """A socket's path is a file that connect and sendto reach without open, and that neither
    Landlock nor a network namespace guards: an ordinary user's D-Bus session bus (which starts
    programs outside any sandbox) or docker's socket. Here the grader's side listens on both kinds
    in a folder anyone may use, as the bus is to a job with the user's own uid."""
    worker = workers(*without)
    if denied:
        needs(worker.sandbox, "seccomp")
    stream, datagram = shared_folder / "stream", shared_folder / "datagram"
    with socket.socket(socket.AF_UNIX) as listening, socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as inbox:
        listening.bind(str(stream))
        inbox.bind(str(datagram))
        for path in (stream, datagram):
            path.chmod(0o777)
        listening.listen(1)
        listening.settimeout(0)
        inbox.settimeout(0)
        outcome = run_job(worker, SOCKETS.format(stream=str(stream), datagram=str(datagram)))
        received = []
        for receive in (lambda: listening.accept()[0].recv(16), lambda: inbox.recv(16), lambda: inbox.recv(16)):
            try:
                received.append(receive())
            except BlockingIOError:
                pass
    if denied:
        assert outcome == {"stream": "PermissionError", "datagram": "PermissionError", "pair": "PermissionError"}
        assert received == []
    else:
        assert outcome == {"stream": "DONE", "datagram": "DONE", "pair": "DONE"}
        assert received == [b"forged"] * 3


SHARED_MEMORY = '''
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
def leave_segment():
    shmid = libc.shmget(0, {size}, 0o1600)  # IPC_PRIVATE, IPC_CREAT | 0600
    if shmid < 0:
        raise OSError(ctypes.get_errno(), "shmget")
    address = libc.shmat(shmid, None, 0)
    ctypes.memset(address, 1, {size})  # its memory is now taken, and stays when the job is gone
    libc.shmdt(ctypes.c_void_p(address))
attempt("segment", leave_segment)
'''


def _segments(size: int) -> list:
    """The ids of the System V shared memory segments of ``size`` bytes this system holds."""
    with open("/proc/sysvipc/shm") as fh:
        rows = [line.split() for line in fh.readlines()[1:]]
    return [int(row[1]) for row in rows if int(row[3]) == size]


@pytest.mark.parametrize("without, layer, refused", [
    (KERNEL_BOX, "seccomp", "PermissionError"), (only("seccomp"), "seccomp", "PermissionError"),
    (only("network"), "netns", "DONE"), (OPTIONAL, None, "DONE")],
    ids=["every kernel layer", "seccomp alone", "namespaces alone", "no optional layer (the control)"])
def test_a_job_leaves_no_shared_memory_behind(workers, without, layer, refused):
    """A System V segment outlives its creator and is counted in no job's RLIMIT_AS once
    detached: job after job could fill the machine's memory. The filter refuses the calls; the
    job's own IPC namespace (entered with its network namespace) takes what it made with it."""
    worker = workers(*without)
    if layer:
        needs(worker.sandbox, layer)
    size = 1_000_003 + len(without)
    try:
        assert run_job(worker, SHARED_MEMORY.format(size=size)) == {"segment": refused}
        left = _segments(size)
        assert bool(left) == (without == OPTIONAL)
    finally:
        for shmid in _segments(size):
            subprocess.run(["ipcrm", "-m", str(shmid)], check=False)


# --- processes ------------------------------------------------------------------------------

PROCESSES = '''
import subprocess
attempt("fork", os.fork)
attempt("subprocess", lambda: subprocess.run(["/bin/true"]))
attempt("exec", lambda: os.execv("/bin/true", ["true"]))
'''


@pytest.mark.parametrize("without", [(), only("seccomp")], ids=["full box", "seccomp alone"])
def test_a_job_starts_no_process(workers, without):
    worker = workers(*without)
    needs(worker.sandbox, "seccomp")
    assert run_job(worker, PROCESSES) == {"fork": "PermissionError", "subprocess": "PermissionError",
                                          "exec": "PermissionError"}
    assert_worker_unharmed(worker)


def test_threads_still_start_under_the_filter(workers):
    worker = workers(*only("seccomp"))
    needs(worker.sandbox, "seccomp")
    outcome = run_job(worker, '''
        import threading
        def start():
            thread = threading.Thread(target=lambda: None)
            thread.start()
            thread.join()
        attempt("thread", start)
        attempt("matmul", lambda: torch.set_num_threads(2) or torch.randn(256, 256) @ torch.randn(256, 256))
        ''')
    assert outcome == {"thread": "DONE", "matmul": "DONE"}


TRACE = '''
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
PTRACE_ATTACH = 16
def ptrace(pid):
    if libc.ptrace(PTRACE_ATTACH, pid, None, None) != 0:
        raise OSError(ctypes.get_errno(), "ptrace")
attempt("ptrace_zygote", lambda: ptrace(os.getppid()))
attempt("ptrace_grader", lambda: ptrace({grader}))
'''


@pytest.mark.parametrize("without", [KERNEL_BOX, only("seccomp")], ids=["every kernel layer", "seccomp alone"])
def test_a_job_cannot_trace_another_process(workers, without):
    worker = workers(*without)
    needs(worker.sandbox, "seccomp")
    assert run_job(worker, TRACE.format(grader=os.getpid())) == {"ptrace_zygote": "PermissionError",
                                                                  "ptrace_grader": "PermissionError"}
    assert_worker_unharmed(worker)


LIMITS = '''
import resource
attempt("zygote_limits", lambda: resource.prlimit(os.getppid(), resource.RLIMIT_NOFILE, (16, 16)))
attempt("grader_limits", lambda: resource.prlimit({grader}, resource.RLIMIT_NOFILE, (16, 16)))
attempt("own_limits", lambda: resource.prlimit(0, resource.RLIMIT_NOFILE, (16, 16)))
attempt("zygote_cpus", lambda: os.sched_setaffinity(os.getppid(), {{0}}))
attempt("zygote_nice", lambda: os.setpriority(os.PRIO_PROCESS, os.getppid(), 19))
attempt("zygote_idle", lambda: os.sched_setscheduler(os.getppid(), os.SCHED_IDLE, os.sched_param(0)))
'''


@pytest.mark.parametrize("without", [(), only("seccomp")], ids=["full box", "seccomp alone"])
def test_a_job_cannot_change_the_limits_or_scheduling_of_another_process(workers, without):
    """An ordinary user's job has the grader's uid, which is all prlimit and the scheduling calls
    ask of a caller: with RLIMIT_NOFILE cut the grader crashed the run (seen as uid 65534 before
    the filter named these calls); a zygote pinned to one CPU, reniced or made idle would slow
    the jobs of every later student into their timeouts. Its own limits a job may lower."""
    worker = workers(*without)
    needs(worker.sandbox, "seccomp")
    zygote = worker._proc.pid

    def state():
        return (resource.prlimit(os.getpid(), resource.RLIMIT_NOFILE), resource.prlimit(zygote, resource.RLIMIT_NOFILE),
                os.sched_getaffinity(zygote), os.getpriority(os.PRIO_PROCESS, zygote), os.sched_getscheduler(zygote))

    before = state()
    assert run_job(worker, LIMITS.format(grader=os.getpid())) == {
        "zygote_limits": "PermissionError", "grader_limits": "PermissionError", "own_limits": "DONE",
        "zygote_cpus": "PermissionError", "zygote_nice": "PermissionError", "zygote_idle": "PermissionError"}
    assert state() == before
    assert_worker_unharmed(worker)


MEMORY = '''
attempt("zygote_memory", lambda: open(f"/proc/{{os.getppid()}}/mem", "r+b", buffering=0).close())
attempt("grader_memory", lambda: open("/proc/{grader}/mem", "r+b", buffering=0).close())
'''


@pytest.mark.parametrize("without", [(), OPTIONAL], ids=["full box", "no optional layer"])
def test_a_job_cannot_open_the_memory_of_the_grader_or_its_zygote(workers, without):
    """/proc/<pid>/mem is ptrace by another door, one no seccomp filter sees. With every
    optional layer left out, an ordinary user's job has the grader's uid and the grader's /proc:
    only the grader and the zygote being undumpable keeps their memory (the references, the
    verdicts) from it; as root, the uid switch does too."""
    worker = workers(*without)
    assert run_job(worker, MEMORY.format(grader=os.getpid())) == {"zygote_memory": "PermissionError",
                                                                   "grader_memory": "PermissionError"}
    assert_worker_unharmed(worker)


def _alive(pid: int) -> bool:
    try:
        return _state(pid) != "Z"
    except FileNotFoundError:
        return False


def _children(pid: int) -> set:
    return {int(child) for task in os.listdir(f"/proc/{pid}/task")
            for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split()}


def test_a_job_dies_with_its_zygote():
    """A zygote killed mid-job runs no clean-up (``grade batch`` stopped with Ctrl-C kills its
    workers): the job must not live on without a timeout, waiting in a sleep forever."""
    worker, jobs = Worker(preload=PRELOAD), set()
    try:
        worker.sandbox  # started
        zygote = worker._proc.pid
        hang = "import time\ndef f():\n    while True:\n        time.sleep(0.01)\n"
        running = threading.Thread(target=worker.run, args=(hang, "hang.py", "f", ONE_CALL, "cpu", Limits(timeout=60)))
        running.start()
        for _ in range(500):
            jobs = _children(zygote)
            if jobs:
                break
            time.sleep(0.01)
        assert jobs
        worker._proc.kill()
        running.join(timeout=60)
        for _ in range(500):
            if not any(map(_alive, jobs)):
                break
            time.sleep(0.01)
        assert not any(map(_alive, jobs))
    finally:
        worker.close()
        for job in filter(_alive, jobs):
            os.kill(job, signal.SIGKILL)


PARENT_DEATH = '''
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
def prctl(option, value):
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl")
attempt("outlive_zygote", lambda: prctl(1, 0))  # PR_SET_PDEATHSIG
attempt("name_thread", lambda: prctl(15, ctypes.c_char_p(b"job")))  # PR_SET_NAME: other calls work
'''


@pytest.mark.parametrize("without", [KERNEL_BOX, only("seccomp")], ids=["every kernel layer", "seccomp alone"])
def test_a_job_cannot_undo_dying_with_its_zygote(workers, without):
    worker = workers(*without)
    needs(worker.sandbox, "seccomp")
    assert run_job(worker, PARENT_DEATH) == {"outlive_zygote": "PermissionError", "name_thread": "DONE"}


# --- signals ---------------------------------------------------------------------------------

SIGNALS = '''
import signal
attempt("stop_zygote", lambda: os.kill(os.getppid(), signal.SIGSTOP))
attempt("stop_victim", lambda: os.kill({victim}, signal.SIGSTOP))
attempt("signal_grader", lambda: os.kill({grader}, signal.SIGURG))
attempt("signal_self", lambda: os.kill(os.getpid(), 0))
'''


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/status") as fh:
        return next(line.split()[1] for line in fh if line.startswith("State:"))


@pytest.mark.parametrize("without, layer", [((), "seccomp"), (only("seccomp"), "seccomp"),
                                            (only("landlock"), "landlock>=6")],
                         ids=["full box", "seccomp alone", "landlock scope alone"])
def test_a_job_cannot_signal_the_grader_or_its_zygote(workers, without, layer):
    """A victim of the grader's own uid stands in for the grader for SIGSTOP (a stopped pytest
    would hang); the grader itself gets SIGURG, which it ignores."""
    worker = workers(*without)
    needs(worker.sandbox, layer)
    with subprocess.Popen(["sleep", "60"]) as victim:
        try:
            outcome = run_job(worker, SIGNALS.format(victim=victim.pid, grader=os.getpid()))
            assert outcome == {"stop_zygote": "PermissionError", "stop_victim": "PermissionError",
                               "signal_grader": "PermissionError", "signal_self": "DONE"}
            assert _state(victim.pid) != "T"
        finally:
            victim.kill()
    assert _state(worker._proc.pid) != "T"
    assert_worker_unharmed(worker)


# --- network ---------------------------------------------------------------------------------

CONNECT = '''
import socket
attempt("connect", lambda: socket.create_connection((b"127.0.0.1", {port}), timeout=2))
'''


@pytest.mark.parametrize("without, layer", [((), "seccomp"), (only("landlock"), "landlock>=4"),
                                            (only("seccomp"), "seccomp"), (only("network"), "netns")],
                         ids=["full box", "landlock alone", "seccomp alone", "network namespace alone"])
def test_a_job_cannot_connect_to_the_host(workers, without, layer):
    worker = workers(*without)
    needs(worker.sandbox, layer)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(0.2)
        outcome = run_job(worker, CONNECT.format(port=listener.getsockname()[1]))
        assert outcome["connect"] != "DONE"
        with pytest.raises(TimeoutError):
            listener.accept()


# --- the filter itself -----------------------------------------------------------------------

@pytest.mark.parametrize("files", [False, True], ids=["cpu", "cuda"])
@pytest.mark.parametrize("machine", ["x86_64", "aarch64"])
def test_the_filter_checks_the_architecture_and_every_jump_lands_inside(machine, files):
    program = seccomp.program(pid=1234, machine=machine, files=files)
    assert program[0][3] == 4 and program[1][3] == seccomp._AUDIT_ARCH[machine]  # load arch, compare
    for index, (code, jt, jf, _k) in enumerate(program):
        if code & 0x07 == 0x05:  # a jump, forward only
            assert 0 <= min(jt, jf) and index + 1 + max(jt, jf) < len(program)
    assert program[-1][0] == 0x06  # ends in a return
    assert any(k == 1234 for _code, _jt, _jf, k in program)  # signals only to itself


def verdict(program: list, machine: str, nr: int, arg0: int = 0) -> int:
    """What ``program`` returns for syscall ``nr`` of ``machine``'s ABI: a classic BPF run of the
    few instructions the filter uses, over the fields of struct seccomp_data it loads."""
    fields = {0: nr, 4: seccomp._AUDIT_ARCH[machine], 16: arg0}
    pc = accumulator = 0
    while True:
        code, jt, jf, k = program[pc]
        if code == 0x06:
            return k
        if code == 0x20:
            accumulator, pc = fields[k], pc + 1
            continue
        taken = {0x15: accumulator == k, 0x35: accumulator >= k, 0x45: bool(accumulator & k)}[code]
        pc += 1 + (jt if taken else jf)


@pytest.mark.parametrize("files", [False, True], ids=["cpu", "cuda"])
@pytest.mark.parametrize("machine", ["x86_64", "aarch64"])
def test_a_syscall_newer_than_the_filter_fails_as_if_the_kernel_lacked_it(machine, files):
    """This kernel may not have the call yet either, so the filter itself is run: a job cannot
    show the difference on a kernel that answers ENOSYS anyway."""
    program = seccomp.program(pid=1234, machine=machine, files=files)
    table = seccomp._TABLES[machine]
    assert max(table.values()) < seccomp.FIRST_UNKNOWN  # every call the filter names is older
    enosys, eperm, allow = 0x00050000 | 38, 0x00050000 | 1, 0x7FFF0000
    for nr in range(seccomp.FIRST_UNKNOWN, seccomp.FIRST_UNKNOWN + 100):
        assert verdict(program, machine, nr) == enosys, nr
    read = {"x86_64": 0, "aarch64": 63}[machine]
    assert verdict(program, machine, read) == allow  # an ordinary call still runs
    assert verdict(program, machine, table["file_setattr"]) == (allow if files else eperm)
    assert verdict(program, machine, table["clone3"]) == enosys
