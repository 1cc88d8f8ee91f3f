"""A seccomp filter for a job: no new processes, no reaching other processes, no kernel tricks.

The rule, enforced by the kernel on this process and every thread it starts, from
:func:`install` on and for good: the syscalls in ``DENIED`` fail with EPERM; ``clone`` works only
to start a thread (CLONE_THREAD), so fork, vfork and posix_spawn fail with EPERM; ``clone3``
fails with ENOSYS, so that glibc starts threads with ``clone`` instead; ``kill``, ``tgkill`` and
``rt_(tg)sigqueueinfo`` work only on this process itself, and so do ``prlimit64`` and the
``sched_set*`` calls (``ON_SELF``); ``socket`` and ``socketpair`` work only for AF_UNIX; ``prctl``
cannot change the signal the job gets when its zygote dies (``PR_SET_PDEATHSIG``), so a job
cannot outlive its zygote. Syscalls of another ABI (32-bit or x32 calls from a 64-bit process)
all fail, and so do syscalls newer than this module (``FIRST_UNKNOWN``), with ENOSYS.

Unless ``files`` is asked for (CUDA jobs, whose driver opens device files and libraries), a
job opens no file and changes none: the calls in ``FILE_CALLS`` fail, ``open`` for reading as
well; nor does it make or reach an IPC object (``IPC_CALLS``), nor get a socket of any family,
since a unix socket's path is reached by ``connect`` and ``sendto`` without ``open`` (neither
Landlock nor a network namespace stops that). After the zygote's imports a CPU job reads
nothing (what Landlock allows it is ``/dev/null``), and a loss writes nothing; so where
Landlock is missing and no uid switch happened (an ordinary user's `grade batch` on an older
kernel) a job still cannot read the reference cache or other submissions, nor edit them, the
reports or the grader's install.
What it already holds open (its output, its pipes) it still writes.

Failing with an errno, never killing, lets learner code see an ordinary Python OSError.

The filter is a hand-assembled classic BPF program (``_assemble``) for x86_64 and aarch64;
elsewhere :func:`supported` is False.
"""
from __future__ import annotations

import ctypes
import errno
import functools
import os
import platform
import socket
import struct

from .isolation import PR_SET_PDEATHSIG

DENIED = ("fork", "vfork", "execve", "execveat", "ptrace", "process_vm_readv", "process_vm_writev",
          "tkill", "pidfd_open", "pidfd_getfd", "pidfd_send_signal", "process_madvise", "kcmp",
          "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "open_tree", "move_mount", "fsopen",
          "fsconfig", "fsmount", "fspick", "mount_setattr", "name_to_handle_at", "open_by_handle_at",
          "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key",
          "io_uring_setup", "io_uring_enter", "io_uring_register", "open_tree_attr",
          "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "setpriority",
          "ioprio_set")
# Calls that act on a process named by their first argument, which the kernel allows on any
# process of the caller's uid: an ordinary user's job has the grader's. They work on the job
# itself (0 or its pid) only: a job that cut the grader's RLIMIT_NOFILE crashed the run, and one
# that set its zygote's scheduling or CPUs would slow every later student's jobs into timeouts.
# setpriority and ioprio_set, which name their process second, are denied outright (DENIED).
ON_SELF = ("prlimit64", "sched_setparam", "sched_setscheduler", "sched_setaffinity", "sched_setattr")
# System V IPC and POSIX message queues: objects that outlive the job (a detached shared memory
# segment keeps its memory, counted in no job's RLIMIT_AS) and that any process of the same uid
# may reach by id. The job's IPC namespace (see isolation.isolate_network) also takes them away.
IPC_CALLS = ("shmget", "shmat", "shmctl", "shmdt", "semget", "semop", "semctl", "semtimedop", "msgget", "msgsnd",
             "msgrcv", "msgctl", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify",
             "mq_getsetattr")
# Calls that open a file by path or change the filesystem or a file's metadata; ``bind`` creates
# a socket file. A deny list, complete up to Linux 6.18; a call added since has a number of
# ``FIRST_UNKNOWN`` or more, and those all fail.
FILE_CALLS = ("open", "openat", "openat2", "creat", "rename", "renameat", "renameat2", "unlink", "unlinkat", "mkdir",
              "mkdirat", "rmdir", "link", "linkat", "symlink", "symlinkat", "truncate", "chmod", "fchmod", "fchmodat",
              "fchmodat2", "chown", "fchown", "lchown", "fchownat", "mknod", "mknodat", "utime", "utimes", "utimensat",
              "futimesat", "setxattr", "lsetxattr", "fsetxattr", "setxattrat", "removexattr", "lremovexattr",
              "fremovexattr", "removexattrat", "file_setattr", "bind")

# From the kernel's syscall tables; calls added since 5.1 share their numbers across arches.
_SHARED = {"pidfd_send_signal": 424, "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
           "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
           "pidfd_open": 434, "clone3": 435, "openat2": 437, "pidfd_getfd": 438, "process_madvise": 440,
           "mount_setattr": 442, "fchmodat2": 452, "setxattrat": 463, "removexattrat": 466, "open_tree_attr": 467,
           "file_setattr": 469}
_TABLES = {
    "x86_64": {"fork": 57, "vfork": 58, "execve": 59, "execveat": 322, "ptrace": 101, "process_vm_readv": 310,
               "process_vm_writev": 311, "mount": 165, "umount2": 166, "pivot_root": 155, "unshare": 272,
               "setns": 308, "bpf": 321, "keyctl": 250, "add_key": 248, "request_key": 249, "perf_event_open": 298,
               "userfaultfd": 323, "kexec_load": 246, "kexec_file_load": 320, "init_module": 175,
               "finit_module": 313, "delete_module": 176, "chroot": 161, "kill": 62, "tkill": 200, "tgkill": 234,
               "rt_sigqueueinfo": 129, "rt_tgsigqueueinfo": 297, "clone": 56, "socket": 41, "socketpair": 53,
               "name_to_handle_at": 303, "open_by_handle_at": 304, "kcmp": 312, "prctl": 157,
               "prlimit64": 302, "sched_setparam": 142, "sched_setscheduler": 144, "sched_setaffinity": 203,
               "sched_setattr": 314, "setpriority": 141, "ioprio_set": 251,
               "shmget": 29, "shmat": 30, "shmctl": 31, "semget": 64, "semop": 65, "semctl": 66, "shmdt": 67,
               "msgget": 68, "msgsnd": 69, "msgrcv": 70, "msgctl": 71, "semtimedop": 220, "mq_open": 240,
               "mq_unlink": 241, "mq_timedsend": 242, "mq_timedreceive": 243, "mq_notify": 244, "mq_getsetattr": 245,
               "open": 2, "creat": 85, "openat": 257, "rename": 82, "renameat": 264, "renameat2": 316,
               "unlink": 87, "unlinkat": 263, "mkdir": 83, "mkdirat": 258, "rmdir": 84, "link": 86, "linkat": 265,
               "symlink": 88, "symlinkat": 266, "truncate": 76, "chmod": 90, "fchmod": 91, "fchmodat": 268,
               "chown": 92, "fchown": 93, "lchown": 94, "fchownat": 260, "mknod": 133, "mknodat": 259,
               "utime": 132, "utimes": 235, "utimensat": 280, "futimesat": 261, "setxattr": 188, "lsetxattr": 189,
               "fsetxattr": 190, "removexattr": 197, "lremovexattr": 198, "fremovexattr": 199, "bind": 49,
               **_SHARED},
    # aarch64 has no fork or vfork syscall: glibc forks with clone.
    "aarch64": {"execve": 221, "execveat": 281, "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271,
                "mount": 40, "umount2": 39, "pivot_root": 41, "unshare": 97, "setns": 268, "bpf": 280,
                "keyctl": 219, "add_key": 217, "request_key": 218, "perf_event_open": 241, "userfaultfd": 282,
                "kexec_load": 104, "kexec_file_load": 294, "init_module": 105, "finit_module": 273,
                "delete_module": 106, "chroot": 51, "kill": 129, "tkill": 130, "tgkill": 131,
                "rt_sigqueueinfo": 138, "rt_tgsigqueueinfo": 240, "clone": 220, "socket": 198, "socketpair": 199,
                "name_to_handle_at": 264, "open_by_handle_at": 265, "kcmp": 272, "prctl": 167,
                "prlimit64": 261, "sched_setparam": 118, "sched_setscheduler": 119, "sched_setaffinity": 122,
                "sched_setattr": 274, "setpriority": 140, "ioprio_set": 30,
                "mq_open": 180, "mq_unlink": 181, "mq_timedsend": 182, "mq_timedreceive": 183, "mq_notify": 184,
                "mq_getsetattr": 185, "msgget": 186, "msgctl": 187, "msgrcv": 188, "msgsnd": 189, "semget": 190,
                "semctl": 191, "semtimedop": 192, "semop": 193, "shmget": 194, "shmctl": 195, "shmat": 196,
                "shmdt": 197,
                # the asm-generic table: only the *at forms of the path calls exist
                "openat": 56, "renameat": 38, "renameat2": 276, "unlinkat": 35, "mkdirat": 34, "linkat": 37,
                "symlinkat": 36, "truncate": 45, "fchmod": 52, "fchmodat": 53, "fchownat": 54, "fchown": 55,
                "mknodat": 33, "utimensat": 88, "setxattr": 5, "lsetxattr": 6, "fsetxattr": 7, "removexattr": 14,
                "lremovexattr": 15, "fremovexattr": 16, "bind": 200, **_SHARED},
}
# One past the newest syscall these tables know (file_setattr, Linux 6.17; 6.18 added none).
# Every call from this number up fails with ENOSYS, as on a kernel without it (glibc and Python
# then fall back to an older call): what Linux adds later reaches no job until it is reviewed
# here, so the deny lists cannot fall behind the kernel.
FIRST_UNKNOWN = 470
_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_X32_BIT = 0x40000000
CLONE_THREAD = 0x00010000

# Classic BPF opcodes and seccomp return values (linux/filter.h, linux/seccomp.h).
_LD_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_ALLOW, _ERRNO = 0x7FFF0000, 0x00050000
_NR, _ARCH, _ARG0 = 0, 4, 16  # offsets in struct seccomp_data (the low half of args[0], little-endian)
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2


def supported() -> bool:
    return platform.system() == "Linux" and platform.machine() in _TABLES


_PID = -1  # stands for the process's pid in the cached program


def program(pid: int, machine: str | None = None, files: bool = False) -> list[tuple[int, int, int, int]]:
    """The filter as (code, jt, jf, k) instructions, for process ``pid`` on ``machine``."""
    return [(code, jt, jf, pid if k == _PID else k)
            for code, jt, jf, k in _program(machine or platform.machine(), files)]


@functools.lru_cache(maxsize=None)
def _program(machine: str, files: bool) -> list[tuple[int, int, int, int]]:
    table = _TABLES[machine]
    code = [("ld", _ARCH), ("jeq", _AUDIT_ARCH[machine], None, "eperm"), ("ld", _NR)]
    if machine == "x86_64":
        code.append(("jge", _X32_BIT, "eperm", None))
    code.append(("jge", FIRST_UNKNOWN, "enosys", None))
    code += [("jeq", table[name], "eperm", None) for name in DENIED if name in table]
    code.append(("jeq", table["clone3"], "enosys", None))
    code.append(("jeq", table["clone"], "clone", None))
    code += [("jeq", table[name], "own_pid", None) for name in ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")]
    code += [("jeq", table[name], "self", None) for name in ON_SELF]
    # A unix socket's path is a file that connect and sendto reach without opening it (a D-Bus
    # session bus that starts programs, docker's socket): a job that opens no file gets no socket.
    code += [("jeq", table[name], "family" if files else "eperm", None) for name in ("socket", "socketpair")]
    code.append(("jeq", table["prctl"], "prctl", None))
    if not files:
        code += [("jeq", table[name], "eperm", None) for name in FILE_CALLS + IPC_CALLS if name in table]
    code += [("ret", _ALLOW),
             "clone", ("ld", _ARG0), ("jset", CLONE_THREAD, "allow", "eperm"),
             "own_pid", ("ld", _ARG0), ("jeq", _PID, "allow", "eperm"),
             "self", ("ld", _ARG0), ("jeq", 0, "allow", None), ("jeq", _PID, "allow", "eperm"),
             "family", ("ld", _ARG0), ("jeq", socket.AF_UNIX, "allow", "eperm"),
             "prctl", ("ld", _ARG0), ("jeq", PR_SET_PDEATHSIG, "eperm", "allow"),
             "allow", ("ret", _ALLOW),
             "eperm", ("ret", _ERRNO | errno.EPERM),
             "enosys", ("ret", _ERRNO | errno.ENOSYS)]
    return _assemble(code)


def _assemble(code: list) -> list[tuple[int, int, int, int]]:
    """Resolve label names (plain strings in ``code``) into the relative jumps BPF wants; a jump
    target of None means the next instruction."""
    labels, out, count = {}, [], 0
    for item in code:
        if isinstance(item, str):
            labels[item] = count
        else:
            count += 1
    for item in (i for i in code if not isinstance(i, str)):
        here = len(out)
        op, k = item[0], item[1]
        if op == "ld":
            out.append((_LD_ABS, 0, 0, k))
        elif op == "ret":
            out.append((_RET, 0, 0, k))
        else:
            jt, jf = (0 if t is None else labels[t] - here - 1 for t in item[2:])
            out.append(({"jeq": _JEQ, "jge": _JGE, "jset": _JSET}[op], jt, jf, k))
    return out


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install(files: bool = False) -> None:
    """Apply the filter to this process (only to the calling thread: call it while the process
    has no other thread, as a freshly forked child does). Raises OSError if it cannot."""
    if not supported():
        raise OSError(f"no seccomp filter for {platform.system()} {platform.machine()}")
    raw = b"".join(struct.pack("HBBI", *insn) for insn in program(os.getpid(), files=files))
    buffer = ctypes.create_string_buffer(raw, len(raw))
    prog = _SockFprog(len(raw) // 8, ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    for args in ((_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), (_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0)):
        if libc.prctl(*args) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"prctl{args[:2]}: {os.strerror(err)}")
