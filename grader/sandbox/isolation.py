"""OS-level restrictions applied inside a forked job before untrusted code runs, and the
zygote's clean-up of what a job leaves behind. Each function here is one mechanism; which of
them a job gets, and in which order, is :mod:`grader.sandbox.confine`'s business."""
from __future__ import annotations

import ctypes
import functools
import os
import resource
import signal

PR_SET_CHILD_SUBREAPER = 36
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
CUDA_OPEN_FILES = 1024
CUDA_PROCESSES = 256
CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
CLONE_NEWIPC = 0x08000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x8, 0x4000, 1 << 18
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
# Shared, world-writable scratch folders: a job gets private, empty copies of them.
SCRATCH_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm")
# Each zygote's jobs run as a uid of their own, derived from the zygote's pid so that graders
# running side by side on one machine (CI runners, parallel test sessions) never share one:
# leftovers are killed "by uid" and RLIMIT_NPROC counts per uid, so sharing would let one
# grader kill or starve another's jobs. The range sits above ordinary and subuid ranges.
SANDBOX_UID_BASE = 0x6000_0000


def sandbox_uid() -> int:
    return SANDBOX_UID_BASE + os.getpid()


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@functools.lru_cache(maxsize=None)
def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _libc_call(name: str, *args) -> bool:
    """Call a libc function that returns 0 on success; False where it is missing or fails."""
    try:
        return getattr(_libc(), name)(*args) == 0
    except (OSError, AttributeError):
        return False


def _unshare(flags: int) -> bool:
    return _libc_call("unshare", flags)


class Namespaces:
    """Enters namespaces for one job. Root unshares directly (and keeps the uid switch for
    later); an ordinary user first enters a user namespace of its own, once, mapping only its
    own uid and gid, so that the job keeps its identity and gains rights over nothing but the
    namespaces it creates."""

    def __init__(self):
        self._in_user_namespace = False

    def enter(self, flags: int) -> bool:
        if _unshare(flags):
            return True
        if is_root() or self._in_user_namespace or not self._enter_user_namespace():
            return False
        return _unshare(flags)

    def _enter_user_namespace(self) -> bool:
        uid, gid = os.getuid(), os.getgid()
        if not _unshare(CLONE_NEWUSER):
            return False
        # An undumpable process's /proc files belong to root: it writes its maps dumpable, for
        # that moment alone, and already in a user namespace no other job's process shares.
        set_dumpable(True)
        try:
            for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
                with open(f"/proc/self/{name}", "w") as fh:
                    fh.write(text)
        except OSError:
            return False
        finally:
            set_dumpable(False)
        self._in_user_namespace = True
        return True


def isolate_network(namespaces: Namespaces) -> bool:
    """Move into an empty network namespace (no interfaces but a down loopback), and an IPC
    namespace of its own: System V objects and message queues the job makes die with it, and
    those of the grader's user are out of its reach."""
    return namespaces.enter(CLONE_NEWNET | CLONE_NEWIPC)


def private_tmp(namespaces: Namespaces, tmpdir: str, owner: int | None, size: int) -> bool:
    """Give the job fresh, size-capped tmpfs mounts on the shared scratch folders, in a mount
    namespace of its own: what it writes there is invisible to every other process and vanishes
    with it. ``tmpdir`` (the job's own folder, usually beneath /tmp) is made again inside."""
    if not namespaces.enter(CLONE_NEWNS) or not _mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None):
        return False
    options = f"size={size},nr_inodes=4096,mode=1777".encode()
    for folder in SCRATCH_FOLDERS:
        if os.path.isdir(folder) and not _mount(b"tmpfs", folder.encode(), b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                                                options):
            return False
    os.makedirs(tmpdir, mode=0o700, exist_ok=True)
    if owner is not None:
        os.chown(tmpdir, owner, owner)
    return True


def _mount(source: bytes, target: bytes, fstype: bytes | None, flags: int, data: bytes | None) -> bool:
    return _libc_call("mount", source, target, fstype, ctypes.c_ulong(flags), data)


def address_space_now() -> int:
    try:  # no /proc on macOS, where RLIMIT_AS is not enforced anyway
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def apply_rlimits(limits: dict, device: str, own_uid: bool) -> list[str]:
    """Cap the job's resources; returns the names of the limits this OS refused."""
    refused = []

    def cap(name, which, value):
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            refused.append(name)

    open_files, processes = int(limits["open_files"]), int(limits["processes"])
    if device == "cpu":
        cap("RLIMIT_AS", resource.RLIMIT_AS, address_space_now() + limits["memory_mb"] * (1 << 20))
    else:
        # CUDA reserves tens of GB of virtual address space (so no RLIMIT_AS), and its context
        # opens device files and starts threads of its own, which count against these caps.
        open_files, processes = max(open_files, CUDA_OPEN_FILES), max(processes, CUDA_PROCESSES)
    cap("RLIMIT_CPU", resource.RLIMIT_CPU, int(limits["cpu_seconds"]))
    cap("RLIMIT_NOFILE", resource.RLIMIT_NOFILE, open_files)
    cap("RLIMIT_FSIZE", resource.RLIMIT_FSIZE, int(limits["output_file_bytes"]))
    cap("RLIMIT_CORE", resource.RLIMIT_CORE, 0)
    if own_uid:
        cap("RLIMIT_NPROC", resource.RLIMIT_NPROC, processes)
    return refused


def drop_privileges(uid: int) -> None:
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


def drop_capabilities() -> bool:
    """Give up every capability (those a user namespace granted us included)."""
    data = (ctypes.c_uint32 * 6)()  # two of {effective, permitted, inheritable}, all empty
    return _libc_call("capset", ctypes.byref(_CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)), data)


def die_with(parent: int) -> bool:
    """Have the kernel kill this process when ``parent`` (the thread that forked it) ends, and end
    now if it already has. Credential changes clear the setting: call it after the last one."""
    if not _libc_call("prctl", PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0):
        return False
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    return True


def set_dumpable(on: bool) -> bool:
    """Whether other processes of our uid may open our memory (``/proc/<pid>/mem``, which no
    seccomp filter sees) and other private /proc files. The grader and its zygotes turn it off:
    a job that keeps the grader's uid (an ordinary user's grader, no Landlock and no user
    namespace) could otherwise rewrite the grader's verdicts or a sibling job's answers. Jobs
    inherit it off through fork."""
    return _libc_call("prctl", PR_SET_DUMPABLE, int(on), 0, 0, 0)


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
