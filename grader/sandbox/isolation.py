"""OS-level restrictions applied inside a forked job before untrusted code runs."""
from __future__ import annotations

import ctypes
import os
import resource
import signal

PR_SET_CHILD_SUBREAPER = 36
CUDA_OPEN_FILES = 1024
CUDA_PROCESSES = 256
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
# Each zygote's jobs run as a uid of their own, derived from the zygote's pid so that graders
# running side by side on one machine (CI runners, parallel test sessions) never share one:
# leftovers are killed "by uid" and RLIMIT_NPROC counts per uid, so sharing would let one
# grader kill or starve another's jobs. The range sits above ordinary and subuid ranges.
SANDBOX_UID_BASE = 0x6000_0000


def sandbox_uid() -> int:
    return SANDBOX_UID_BASE + os.getpid()


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _libc_call(name: str, *args) -> bool:
    """Call a libc function that returns 0 on success; False where it is missing or fails."""
    try:
        return getattr(ctypes.CDLL(None, use_errno=True), name)(*args) == 0
    except (OSError, AttributeError):
        return False


def _unshare(flags: int) -> bool:
    return _libc_call("unshare", flags)


def isolate_network() -> bool:
    """Move into an empty network namespace (no interfaces but a down loopback)."""
    if is_root():
        return _unshare(CLONE_NEWNET)
    return _unshare(CLONE_NEWUSER | CLONE_NEWNET)


def address_space_now() -> int:
    try:  # no /proc on macOS, where RLIMIT_AS is not enforced anyway
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def apply_rlimits(limits: dict, device: str, own_uid: bool) -> None:
    def cap(which, value):
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass

    open_files, processes = int(limits["open_files"]), int(limits["processes"])
    if device == "cpu":
        cap(resource.RLIMIT_AS, address_space_now() + limits["memory_mb"] * (1 << 20))
    else:
        # CUDA reserves tens of GB of virtual address space (so no RLIMIT_AS), and its context
        # opens device files and starts threads of its own, which count against these caps.
        open_files, processes = max(open_files, CUDA_OPEN_FILES), max(processes, CUDA_PROCESSES)
    cap(resource.RLIMIT_CPU, int(limits["cpu_seconds"]))
    cap(resource.RLIMIT_NOFILE, open_files)
    cap(resource.RLIMIT_FSIZE, int(limits["output_file_bytes"]))
    cap(resource.RLIMIT_CORE, 0)
    if own_uid:
        cap(resource.RLIMIT_NPROC, processes)


def drop_privileges(uid: int) -> None:
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def become_subreaper() -> bool:
    """Make orphans of our descendants our children (Linux PR_SET_CHILD_SUBREAPER), so a job's
    leftover processes can be found and killed even if they left its session."""
    return _libc_call("prctl", PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _children() -> set | None:
    """Our current child pids, or None where /proc does not list them."""
    found = set()
    try:
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/children") as fh:
                found.update(int(pid) for pid in fh.read().split())
    except OSError:
        return None
    return found


def kill_leftovers() -> bool:
    """Kill every remaining child (as subreaper: every process a finished job left behind).
    False where the OS cannot list children; the caller then falls back on other means."""
    for _ in range(100):  # bounded: a fork loop is capped by RLIMIT_NPROC and dies a generation a round
        pids = _children()
        if pids is None:
            return False
        if not pids:
            return True
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in pids:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
    return _children() == set()


def kill_uid(uid: int) -> None:
    """Kill every process of ``uid`` (jobs' leftover children), from a throwaway fork."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgid(uid)
            os.setuid(uid)
            os.kill(-1, 9)  # as that uid, -1 means "every process I may signal": only its own
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
